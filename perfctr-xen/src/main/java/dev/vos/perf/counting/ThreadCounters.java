package dev.vos.perf.counting;

import dev.vos.perf.EventSelection;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The counter groups of one thread (or one CPU), read into one cumulative value per event of the selection.
 *
 * <p>Not thread-safe: owned by the collector's thread.
 */
final class ThreadCounters implements AutoCloseable {

    private final EventSelection selection;
    private final List<CounterGroup> groups;
    /** Per group: time enabled and running at the previous read, for the interval's running fraction. */
    private final long[] previousEnabled;
    private final long[] previousRunning;
    /** Per event of the selection: the count since opening, scaled when multiplexed. */
    final long[] totals;
    /** Per event of the selection: the share of the last interval it was on the PMU (1 for software events). */
    final double[] fractions;
    /** Per event of the selection: ns its group ran in the last interval. */
    final long[] runningNs;

    private ThreadCounters(EventSelection selection, List<CounterGroup> groups) {
        this.selection = selection;
        this.groups = groups;
        this.previousEnabled = new long[groups.size()];
        this.previousRunning = new long[groups.size()];
        this.totals = new long[selection.events().size()];
        this.fractions = new double[selection.events().size()];
        this.runningNs = new long[selection.events().size()];
    }

    /**
     * Opens every group of {@code selection} on {@code tid} ({@code tid = -1}: on {@code cpu}); null (errno[0] set)
     * when the thread is gone or an event failed.
     */
    static ThreadCounters open(int tid, int cpu, EventSelection selection, boolean inherit, boolean enableOnExec,
                               MemorySegment attr, int[] errno) {
        List<CounterGroup> groups = new ArrayList<>(selection.groups().size());
        for (int g = 0; g < selection.groups().size(); g++) {
            CounterGroup group = CounterGroup.open(tid, cpu, selection.group(g), inherit, enableOnExec, attr, errno);
            if (group == null) {
                groups.forEach(CounterGroup::close);
                return null;
            }
            groups.add(group);
        }
        return new ThreadCounters(selection, groups);
    }

    /**
     * Reads every group into {@link #totals} and {@link #fractions}. A group that was on the PMU for only part of
     * the time has its counts scaled by enabled/running, as perf does.
     *
     * @return false when a read failed
     */
    boolean read(MemorySegment scratch) {
        for (int g = 0; g < groups.size(); g++) {
            CounterGroup group = groups.get(g);
            if (!group.read(scratch)) {
                return false;
            }
            double interval = runningFraction(group.timeEnabledNs - previousEnabled[g],
                    group.timeRunningNs - previousRunning[g]);
            double all = runningFraction(group.timeEnabledNs, group.timeRunningNs);
            List<Integer> members = selection.groups().get(g);
            for (int i = 0; i < members.size(); i++) {
                totals[members.get(i)] = scale(group.values[i], all);
                fractions[members.get(i)] = interval;
                runningNs[members.get(i)] = group.timeRunningNs - previousRunning[g];
            }
            previousEnabled[g] = group.timeEnabledNs;
            previousRunning[g] = group.timeRunningNs;
        }
        return true;
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
