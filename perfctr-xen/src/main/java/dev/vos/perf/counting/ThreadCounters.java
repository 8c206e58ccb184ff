package dev.vos.perf.counting;

import dev.vos.perf.PerfEvent;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The counter groups of one thread, and what is needed to turn successive reads into deltas. */
final class ThreadCounters implements AutoCloseable {

    final int tid;
    String name;
    private final List<CounterGroup> groups;
    /** Per group: raw values, time enabled, time running at the previous read. */
    private final long[][] previous;
    private final long[] previousEnabled;
    private final long[] previousRunning;

    private ThreadCounters(int tid, List<CounterGroup> groups) {
        this.tid = tid;
        this.groups = groups;
        this.previous = new long[groups.size()][];
        for (int g = 0; g < groups.size(); g++) {
            previous[g] = new long[groups.get(g).events().size()];
        }
        this.previousEnabled = new long[groups.size()];
        this.previousRunning = new long[groups.size()];
    }

    /** Opens every group on tid; null (errno[0] set) when the thread is gone or an event failed. */
    static ThreadCounters open(int tid, List<List<PerfEvent>> groupEvents, boolean userOnly, MemorySegment attr,
                               int[] errno) {
        List<CounterGroup> groups = new ArrayList<>(groupEvents.size());
        for (List<PerfEvent> events : groupEvents) {
            CounterGroup g = CounterGroup.open(tid, events, userOnly, attr, errno);
            if (g == null) {
                groups.forEach(CounterGroup::close);
                return null;
            }
            groups.add(g);
        }
        return new ThreadCounters(tid, groups);
    }

    /**
     * Reads every group; returns the interval's reading, or null when a read failed. A group that was on the PMU
     * for only part of the interval has its deltas scaled by enabled/running, as perf does, and says so through
     * {@link CounterReading#runningFraction()}.
     */
    ThreadReading read(MemorySegment scratch, long intervalNs, boolean ended) {
        Map<PerfEvent, CounterReading> out = new LinkedHashMap<>();
        double seconds = intervalNs / 1e9;
        for (int g = 0; g < groups.size(); g++) {
            CounterGroup group = groups.get(g);
            if (!group.read(scratch)) {
                return null;
            }
            double fraction = runningFraction(group.timeEnabledNs - previousEnabled[g],
                    group.timeRunningNs - previousRunning[g]);
            for (int i = 0; i < group.values.length; i++) {
                long delta = scale(group.values[i] - previous[g][i], fraction);
                long total = scale(group.values[i], runningFraction(group.timeEnabledNs, group.timeRunningNs));
                out.put(group.events().get(i), new CounterReading(group.events().get(i), total, delta,
                        delta / seconds, fraction));
                previous[g][i] = group.values[i];
            }
            previousEnabled[g] = group.timeEnabledNs;
            previousRunning[g] = group.timeRunningNs;
        }
        return new ThreadReading(tid, name, ended, Collections.unmodifiableMap(out));
    }

    /**
     * The share of {@code enabledNs} the counter was on the PMU: 1 when it never shared it (software events
     * always), below 1 when multiplexed, 0 when never scheduled. An interval with no enabled time counts as 1.
     */
    static double runningFraction(long enabledNs, long runningNs) {
        if (enabledNs <= 0) {
            return 1.0;
        }
        return Math.max(0.0, Math.min(1.0, (double) runningNs / enabledNs));
    }

    /**
     * perf's estimate of what a multiplexed counter would have counted had it run all along:
     * {@code raw * enabled / running}; 0 when it never ran (perf prints that as "not counted").
     */
    static long scale(long raw, double runningFraction) {
        if (runningFraction >= 1.0) {
            return raw;
        }
        return runningFraction <= 0 ? 0 : Math.round(raw / runningFraction);
    }

    @Override
    public void close() {
        groups.forEach(CounterGroup::close);
    }
}
