package dev.vos.perf.counting;

import dev.vos.perf.EventSpec;
import dev.vos.perf.PerfEvent;

import java.util.Map;

/**
 * One thread's counters over one interval. For a CPU-wide collector ({@link CpuCollector}) one reading stands for
 * one CPU: {@code tid} is the CPU's number and {@code name} "CPU" and that number, as perf names them.
 *
 * @param tid      kernel thread id
 * @param name     thread name (comm, or the Java name where known)
 * @param ended    true when the thread ended during the interval (these are its final counts)
 * @param counters by event, in the order asked for; events that are unavailable are absent
 */
public record ThreadReading(int tid, String name, boolean ended, Map<EventSpec, CounterReading> counters) {

    /** This thread's reading of {@code event}, or null when not counted. */
    public CounterReading get(EventSpec event) {
        return counters.get(event);
    }

    /** This thread's reading of the first event counted that is {@code event} (whatever its modifiers), or null. */
    public CounterReading get(PerfEvent event) {
        for (CounterReading r : counters.values()) {
            if (r.event().is(event)) {
                return r;
            }
        }
        return null;
    }

    /** The delta of {@code event} in this interval, 0 when not counted. */
    public long delta(PerfEvent event) {
        CounterReading r = get(event);
        return r == null ? 0 : r.delta();
    }

    /** The delta of {@code event} in this interval, 0 when not counted. */
    public long delta(EventSpec event) {
        CounterReading r = counters.get(event);
        return r == null ? 0 : r.delta();
    }

    /** The total of {@code event} since the thread was found, 0 when not counted. */
    public long total(PerfEvent event) {
        CounterReading r = get(event);
        return r == null ? 0 : r.total();
    }
}
