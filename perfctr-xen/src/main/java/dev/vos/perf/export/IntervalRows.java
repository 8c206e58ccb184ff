package dev.vos.perf.export;

import dev.vos.perf.counting.CounterReading;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.counting.ThreadReading;

import java.util.ArrayList;
import java.util.List;

/**
 * The flat form both file exports share: one row per interval, thread and event.
 *
 * @param timeIso        when the interval was read (ISO-8601, UTC)
 * @param sequence       interval number
 * @param intervalSeconds interval length
 * @param domain         domain label ("" for a plain pid)
 * @param pid            target
 * @param tid            thread
 * @param thread         thread name
 * @param event          perf event name
 * @param delta          count in the interval (scaled when multiplexed)
 * @param total          count since the thread was found
 * @param ratePerSecond  delta per second
 * @param runningPercent share of the interval the counter was on the PMU (100: not multiplexed)
 * @param ended          the thread ended in this interval
 */
public record IntervalRows(String timeIso, long sequence, double intervalSeconds, String domain, int pid, int tid,
                           String thread, String event, long delta, long total, double ratePerSecond,
                           double runningPercent, boolean ended) {

    /** The rows of one interval. */
    public static List<IntervalRows> of(String domain, Interval interval) {
        List<IntervalRows> rows = new ArrayList<>();
        for (ThreadReading t : interval.threads()) {
            for (CounterReading r : t.counters().values()) {
                rows.add(new IntervalRows(interval.at().toString(), interval.sequence(), interval.intervalNs() / 1e9,
                        domain, interval.pid(), t.tid(), t.name(), r.event().perfName(), r.delta(), r.total(),
                        r.ratePerSecond(), r.runningFraction() * 100, t.ended()));
            }
        }
        return rows;
    }
}
