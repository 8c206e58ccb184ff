package dev.vos.perf.counting;

import dev.vos.perf.EventSpec;

import java.time.Instant;
import java.util.List;

/**
 * Everything one poll of a {@link CounterCollector} saw.
 *
 * <p>{@code process} is exact: the sum of every thread's counters, those that started and ended between two polls
 * included (the counters of the threads found at attach are inherited by every thread they create, as perf stat's
 * are). The thread rows add up to it, except that a row never goes below zero: when a thread that was found late
 * ends, what it did before it was found moves from its creator's row to its own, and a creator idle in that interval
 * carries the difference into later ones.
 *
 * @param pid            the target process (-1 for a CPU-wide collector)
 * @param at             when the counters were read
 * @param sequence       0 for the first interval, then 1, 2, ...
 * @param intervalNs     time since the previous poll (since attaching, for the first)
 * @param threads        every thread counted in this interval, including those that ended in it
 * @param threadsStarted threads created since the previous poll (short-lived ones included)
 * @param threadsEnded   threads ended since the previous poll (short-lived ones included)
 * @param targetExited   true when the target process has exited: this is the last interval
 * @param collectorCpuNs CPU time the collector's own thread spent on this poll (rescan, reads, bookkeeping)
 * @param process        the whole target's counts, one per event counted, in order
 */
public record Interval(int pid, Instant at, long sequence, long intervalNs, List<ThreadReading> threads,
                       int threadsStarted, int threadsEnded, boolean targetExited, long collectorCpuNs,
                       List<CounterReading> process) {

    /** The whole target's reading of {@code event}, or null when not counted. */
    public CounterReading process(EventSpec event) {
        for (CounterReading r : process) {
            if (r.event().equals(event)) {
                return r;
            }
        }
        return null;
    }
}
