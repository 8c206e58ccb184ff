package dev.vos.perf.counting;

import dev.vos.perf.PerfEvent;

import java.util.Map;

/**
 * One thread's counters over one interval.
 *
 * @param tid      kernel thread id
 * @param name     thread name (comm, or the Java name where known)
 * @param ended    true when the thread ended during the interval (these are its final counts)
 * @param counters by event, in the order asked for; events that are unavailable are absent
 */
public record ThreadReading(int tid, String name, boolean ended, Map<PerfEvent, CounterReading> counters) {

    /** This thread's reading of {@code event}, or null when not counted. */
    public CounterReading get(PerfEvent event) {
        return counters.get(event);
    }

    /** The delta of {@code event} in this interval, 0 when not counted. */
    public long delta(PerfEvent event) {
        CounterReading r = counters.get(event);
        return r == null ? 0 : r.delta();
    }

    /** The total of {@code event} since the thread was found, 0 when not counted. */
    public long total(PerfEvent event) {
        CounterReading r = counters.get(event);
        return r == null ? 0 : r.total();
    }
}
