package dev.vos.perf.counting;

import dev.vos.perf.EventSpec;

/**
 * One counter of one thread (or of the whole process) over one interval.
 *
 * @param event          the event
 * @param total          the count since the thread was found (scaled when multiplexed)
 * @param delta          the count in this interval (scaled when multiplexed)
 * @param ratePerSecond  delta over the interval's length; for task-clock, ns per s (1e9 = one full CPU)
 * @param runningFraction time_running / time_enabled over the interval: 1 when counted all along; below 1 the
 *                       counts are estimates (multiplexed, scaled up by 1/runningFraction); 0 when not counted at all
 * @param runningNs      ns the counter ran in the interval (perf's "event-runtime"; for a thread's software
 *                       counters, the time it was on a CPU)
 */
public record CounterReading(EventSpec event, long total, long delta, double ratePerSecond, double runningFraction,
                             long runningNs) {

    /** True when the values were scaled because the counter shared the PMU (perf marks these with a percentage). */
    public boolean multiplexed() {
        return runningFraction < 1.0;
    }
}
