package dev.vos.perf.counting;

import java.time.Instant;
import java.util.List;

/**
 * Everything one poll of a {@link CounterCollector} saw.
 *
 * @param pid            the target process
 * @param at             when the counters were read
 * @param sequence       0 for the first interval, then 1, 2, ...
 * @param intervalNs     time since the previous poll (since attaching, for the first)
 * @param threads        every thread counted in this interval, including those that ended in it
 * @param threadsStarted threads found since the previous poll
 * @param threadsEnded   threads gone since the previous poll
 * @param targetExited   true when the target process has exited: this is the last interval
 * @param collectorCpuNs CPU time the collector's own thread spent on this poll (rescan, reads, bookkeeping)
 */
public record Interval(int pid, Instant at, long sequence, long intervalNs, List<ThreadReading> threads,
                       int threadsStarted, int threadsEnded, boolean targetExited, long collectorCpuNs) {
}
