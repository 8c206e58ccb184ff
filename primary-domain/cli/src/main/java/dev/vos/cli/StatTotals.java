package dev.vos.cli;

import dev.vos.perf.EventSpec;
import dev.vos.perf.counting.CounterReading;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.counting.ThreadReading;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The counts of one {@code vos perf stat} run, summed over its intervals: per row, and for the whole target. */
final class StatTotals {

    /** One event's sums. */
    static final class Acc {
        long value;
        long runningNs;
        double enabledNs;

        void add(CounterReading r) {
            value += r.delta();
            runningNs += r.runningNs();
            enabledNs += r.runningFraction() > 0 ? r.runningNs() / r.runningFraction() : 0;
        }

        /** running / enabled over the run, in percent (100 when never multiplexed). */
        double pctRunning() {
            return enabledNs <= 0 ? 100 : Math.min(100, 100.0 * runningNs / enabledNs);
        }
    }

    /** A thread's (or a CPU's) sums. */
    static final class Row {
        final int pid;
        final int id;
        final boolean cpu;
        String name;
        final Map<EventSpec, Acc> events = new LinkedHashMap<>();

        Row(int pid, int id, boolean cpu, String name) {
            this.pid = pid;
            this.id = id;
            this.cpu = cpu;
            this.name = name;
        }

        /** "comm-tid" as perf labels a thread, or "CPU0". */
        String label() {
            return cpu ? "CPU" + id : name.replace(' ', '_') + "-" + id;
        }

        long value(EventSpec e) {
            Acc a = events.get(e);
            return a == null ? 0 : a.value;
        }
    }

    private final Map<Long, Row> rows = new LinkedHashMap<>();
    final Map<EventSpec, Acc> process = new LinkedHashMap<>();
    long collectorCpuNs;
    long elapsedNs;
    int threadsStarted;
    int threadsEnded;

    /** Adds one interval of one source; {@code cpuRows}: its rows are CPUs. */
    void add(Interval iv, boolean cpuRows) {
        for (ThreadReading t : iv.threads()) {
            long key = ((long) (cpuRows ? -1 : iv.pid()) << 32) | (t.tid() & 0xffffffffL);
            Row r = rows.computeIfAbsent(key, k -> new Row(iv.pid(), t.tid(), cpuRows, t.name()));
            r.name = t.name();
            t.counters().values().forEach(c -> r.events.computeIfAbsent(c.event(), e -> new Acc()).add(c));
        }
        iv.process().forEach(c -> process.computeIfAbsent(c.event(), e -> new Acc()).add(c));
        collectorCpuNs += iv.collectorCpuNs(); // replaced by the run's own measure when counting here
        threadsStarted += iv.threadsStarted();
        threadsEnded += iv.threadsEnded();
    }

    /**
     * The rows in perf's order (by process, then thread or CPU number); with {@code top > 0}, only the {@code top}
     * with the most of {@code rankBy}.
     */
    List<Row> rows(int top, EventSpec rankBy) {
        List<Row> all = new ArrayList<>(rows.values());
        all.sort(Comparator.comparingInt((Row r) -> r.pid).thenComparingInt(r -> r.id));
        if (top > 0 && all.size() > top && rankBy != null) {
            List<Row> best = new ArrayList<>(all);
            best.sort(Comparator.comparingLong((Row r) -> r.value(rankBy)).reversed());
            List<Row> keep = best.subList(0, top);
            all.removeIf(r -> !keep.contains(r));
        }
        return all;
    }

    /** The first clock event's sum in {@code events}, or 0 (the denominator of perf's rates). */
    static double clockNs(Map<EventSpec, Acc> events) {
        for (Map.Entry<EventSpec, Acc> e : events.entrySet()) {
            if (e.getKey().isClock()) {
                return e.getValue().value;
            }
        }
        return 0;
    }

    /** The first clock event's delta among {@code readings}, or 0. */
    static double clockNs(Collection<CounterReading> readings) {
        for (CounterReading r : readings) {
            if (r.event().isClock()) {
                return r.delta();
            }
        }
        return 0;
    }
}
