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
            long enabled = group.timeEnabledNs - previousEnabled[g];
            long running = group.timeRunningNs - previousRunning[g];
            double fraction = enabled <= 0 ? 1.0 : Math.min(1.0, (double) running / enabled);
            double totalScale = group.timeRunningNs <= 0 ? 0 : (double) group.timeEnabledNs / group.timeRunningNs;
            for (int i = 0; i < group.values.length; i++) {
                long raw = group.values[i] - previous[g][i];
                long delta = fraction >= 1.0 ? raw : fraction <= 0 ? 0 : Math.round(raw / fraction);
                long total = totalScale == 1.0 ? group.values[i] : Math.round(group.values[i] * totalScale);
                out.put(group.events().get(i), new CounterReading(group.events().get(i), total, delta,
                        delta / seconds, fraction));
                previous[g][i] = group.values[i];
            }
            previousEnabled[g] = group.timeEnabledNs;
            previousRunning[g] = group.timeRunningNs;
        }
        return new ThreadReading(tid, name, ended, Collections.unmodifiableMap(out));
    }

    @Override
    public void close() {
        groups.forEach(CounterGroup::close);
    }
}
