package dev.vos.perf.export;

import dev.vos.perf.EventSpec;
import dev.vos.perf.counting.CounterReading;
import dev.vos.perf.counting.EventAvailability;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.counting.ThreadReading;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A collector's intervals as Micrometer meters, with a bound on their number: per-thread series only for the
 * {@code topThreads} busiest threads of the last interval (ranked by the first event counted, task-clock by
 * default), the rest summed into one series with {@code tid="other", thread="other"}. Series of a thread that
 * leaves the top N (or ends) are removed, so a scrape never shows a stale thread; at most
 * {@code (topThreads + 1) * events} per-thread series exist per target.
 *
 * <p>Meters (Prometheus names):
 * <ul>
 *   <li>{@code vos_perf_thread_rate{domain,pid,tid,thread,event}}: per second over the last interval (task-clock and
 *       cpu-clock: ns of CPU per s, so 1e9 is one whole CPU);</li>
 *   <li>{@code vos_perf_process_events_total{domain,pid,event}}: every thread's counts since attaching, including
 *       threads that ended (a counter: it only grows);</li>
 *   <li>{@code vos_perf_threads{domain,pid}}: threads watched;</li>
 *   <li>{@code vos_perf_event_available{domain,pid,event}}: 1 counted, 0 not available here;</li>
 *   <li>{@code vos_perf_collector_cpu_seconds_total{domain,pid}}: the collector's own CPU time.</li>
 * </ul>
 * Not thread-safe for {@link #record}: one collector thread calls it; scrapes read the values concurrently, which
 * is safe (each value is a single volatile double).
 */
public final class PerfMeters implements AutoCloseable {

    /** tid and thread label of the series that sums the threads outside the top N. */
    public static final String OTHER = "other";

    private final MeterRegistry registry;
    private final Tags base;
    private final int topThreads;
    private final Map<String, Series> series = new HashMap<>();
    private final Map<EventSpec, DoubleAdder> processTotals = new LinkedHashMap<>();
    private final List<Meter> fixed = new ArrayList<>();
    private final DoubleAdder collectorCpuSeconds = new DoubleAdder();
    private volatile double threads;

    /** One per-thread gauge and its latest value. */
    private static final class Series {
        final Meter meter;
        volatile double value;

        Series(MeterRegistry registry, Tags tags) {
            this.meter = Gauge.builder("vos.perf.thread.rate", this, s -> s.value)
                    .description("per-thread rate over the last interval, per second (clocks: ns per s)")
                    .tags(tags).register(registry);
        }
    }

    /**
     * @param domain     the domain label ("" when watching a plain pid)
     * @param topThreads per-thread series kept: at least 1
     */
    public PerfMeters(MeterRegistry registry, String domain, int pid, List<EventAvailability> availability,
                      int topThreads) {
        if (topThreads < 1) {
            throw new IllegalArgumentException("topThreads must be at least 1, got " + topThreads);
        }
        this.registry = registry;
        this.base = Tags.of("domain", domain, "pid", Integer.toString(pid));
        this.topThreads = topThreads;
        for (EventAvailability a : availability) {
            double available = a.available() ? 1 : 0;
            fixed.add(Gauge.builder("vos.perf.event.available", () -> available)
                    .description("1 when the event is counted here, 0 when the machine lacks it")
                    .tags(base.and("event", a.event().perfName())).register(registry));
            if (a.available()) {
                DoubleAdder total = new DoubleAdder();
                processTotals.put(a.event(), total);
                fixed.add(FunctionCounter.builder("vos.perf.process.events", total, DoubleAdder::sum)
                        .description("every thread's counts since attaching (task-clock: ns)")
                        .tags(base.and("event", a.event().perfName())).register(registry));
            }
        }
        fixed.add(Gauge.builder("vos.perf.threads", this, m -> m.threads).description("threads watched")
                .tags(base).register(registry));
        fixed.add(FunctionCounter.builder("vos.perf.collector.cpu", collectorCpuSeconds, DoubleAdder::sum)
                .baseUnit("seconds").description("CPU time the collector spent reading the counters")
                .tags(base).register(registry));
    }

    /** Updates every meter from one interval. */
    public void record(Interval interval) {
        collectorCpuSeconds.add(interval.collectorCpuNs() / 1e9);
        threads = interval.threads().stream().filter(t -> !t.ended()).count();
        // The process's totals are the collector's exact sums (threads that lived between two polls included), not
        // the sum of the rows.
        for (CounterReading r : interval.process()) {
            DoubleAdder total = processTotals.get(r.event());
            if (total != null) {
                total.add(r.delta());
            }
        }
        if (interval.threads().isEmpty()) {
            retainOnly(Set.of());
            return;
        }
        EventSpec rankBy = processTotals.keySet().stream().findFirst().orElse(null);
        List<ThreadReading> ranked = new ArrayList<>(interval.threads());
        ranked.sort(Comparator.comparingLong((ThreadReading t) -> rankBy == null ? 0 : t.delta(rankBy)).reversed()
                .thenComparingInt(ThreadReading::tid));
        Set<String> live = new HashSet<>();
        Map<EventSpec, Double> other = new LinkedHashMap<>();
        boolean anyOther = false;
        int slots = topThreads;
        for (ThreadReading t : ranked) {
            // A thread that ended has no future: its last interval goes to "other", its slot to a live thread.
            boolean top = slots > 0 && !t.ended();
            if (top) {
                slots--;
            }
            for (CounterReading r : t.counters().values()) {
                if (top) {
                    live.add(set(Integer.toString(t.tid()), t.name(), r.event(), r.ratePerSecond()));
                } else {
                    other.merge(r.event(), r.ratePerSecond(), Double::sum);
                    anyOther = true;
                }
            }
        }
        if (anyOther) {
            other.forEach((e, v) -> live.add(set(OTHER, OTHER, e, v)));
        }
        retainOnly(live);
    }

    private String set(String tid, String thread, EventSpec event, double value) {
        String key = tid + '\u0000' + thread + '\u0000' + event.perfName();
        series.computeIfAbsent(key, k -> new Series(registry,
                base.and("tid", tid, "thread", thread, "event", event.perfName()))).value = value;
        return key;
    }

    private void retainOnly(Set<String> live) {
        series.entrySet().removeIf(e -> {
            if (live.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue().meter);
            return true;
        });
    }

    /** Per-thread series registered now (for tests and for the cardinality claim above). */
    public int threadSeries() {
        return series.size();
    }

    /** Removes every meter this created. */
    @Override
    public void close() {
        retainOnly(Set.of());
        fixed.forEach(registry::remove);
        fixed.clear();
    }
}
