package dev.vos.controlplane.metrics;

import dev.vos.perf.PerfEvent;
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
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * One domain's perf counters as Prometheus counters, kept across the domain's generations. Prometheus names:
 *
 * <pre>
 * vos_perf_cpu_seconds_total{domain}                 counter  CPU time of all the domain's threads (task-clock)
 * vos_perf_thread_cpu_seconds_total{domain,thread}   counter  CPU time per thread name, for the selected threads
 *                                                             (see ThreadSelection); thread="other" the rest
 * vos_perf_events_total{domain,event}                counter  context-switches, cpu-migrations, page-faults, ...
 * vos_perf_threads{domain}                           gauge    threads watched now, 0 while the domain is not up
 * vos_perf_event_available{domain,event}             gauge    1 counted on this host, 0 not available
 * vos_perf_collector_cpu_seconds_total{domain}       counter  the collector's own CPU time
 * </pre>
 *
 * Counters only, never rates: Prometheus takes {@code rate()} over whatever window the reader wants, and a counter
 * loses nothing between two scrapes where a rate gauge shows only the last interval. No pid or tid label: both
 * change with every restart, and each change would start a new set of series. The counters add each interval's
 * deltas, so they grow monotonically across generations (no reset on a restart).
 *
 * <p>Why not {@code dev.vos.perf.export.PerfMeters}: that one serves {@code vos perf} and a watched pid (per-thread
 * rate gauges by tid, series per attach); the control plane publishes for a long-running Prometheus, where
 * stability and counters matter more. Only the collector thread calls {@link #record}; scrapes read the adders.
 */
final class DomainPerfMeters implements AutoCloseable {

    /** The thread label of the series that sums the threads not selected. */
    static final String OTHER = "other";

    private final MeterRegistry registry;
    private final Tags base;
    private final ThreadSelection selection;
    private final List<Meter> fixed = new ArrayList<>();
    private final DoubleAdder cpuSeconds = new DoubleAdder();
    private final DoubleAdder collectorCpuSeconds = new DoubleAdder();
    private final Map<PerfEvent, DoubleAdder> events = new EnumMap<>(PerfEvent.class);
    private final Map<PerfEvent, Double> available = new EnumMap<>(PerfEvent.class);
    private final Map<String, ThreadSeries> threads = new HashMap<>();
    private volatile double threadsWatched;

    /** One thread name's CPU counter. */
    private record ThreadSeries(Meter meter, DoubleAdder seconds) {
    }

    /** @param topThreads threads with a series of their own, at most; 0 for none */
    DomainPerfMeters(MeterRegistry registry, String domain, int topThreads) {
        this.registry = registry;
        this.base = Tags.of("domain", domain);
        this.selection = new ThreadSelection(topThreads);
        fixed.add(FunctionCounter.builder("vos.perf.cpu", cpuSeconds, DoubleAdder::sum).baseUnit("seconds")
                .description("CPU time of all the domain's threads (task-clock), all generations; sampled by the"
                        + " control plane's perf collector every interval (vos.perf.intervalMs)")
                .tags(base).register(registry));
        fixed.add(FunctionCounter.builder("vos.perf.collector.cpu", collectorCpuSeconds, DoubleAdder::sum)
                .baseUnit("seconds").description("CPU time the control plane's perf collector spent reading this"
                        + " domain's counters")
                .tags(base).register(registry));
        fixed.add(Gauge.builder("vos.perf.threads", this, m -> m.threadsWatched)
                .description("Threads of the domain watched now; 0 while the domain is not up")
                .tags(base).strongReference(true).register(registry));
    }

    /** A generation was attached: records which events this host counts, registering their series once. */
    void attached(List<EventAvailability> availability) {
        for (EventAvailability a : availability) {
            PerfEvent event = a.event().known();
            if (event == null) {
                continue; // a raw PMU event: the control plane asks for named ones only, and names its series so
            }
            if (!available.containsKey(event)) {
                fixed.add(Gauge.builder("vos.perf.event.available", this, m -> m.available.getOrDefault(event, 0.0))
                        .description("1 when the event is counted on this host, 0 when the machine lacks it")
                        .tags(base.and("event", event.perfName())).strongReference(true).register(registry));
            }
            available.put(event, a.available() ? 1.0 : 0.0);
            if (a.available() && event != PerfEvent.TASK_CLOCK && !events.containsKey(event)) {
                DoubleAdder total = new DoubleAdder();
                events.put(event, total);
                fixed.add(FunctionCounter.builder("vos.perf.events", total, DoubleAdder::sum)
                        .description("Events counted in all the domain's threads, all generations (perf's software"
                                + " events: CPU time is vos_perf_cpu_seconds_total)")
                        .tags(base.and("event", event.perfName())).register(registry));
            }
        }
    }

    /** Adds one interval's counts. */
    void record(Interval interval) {
        collectorCpuSeconds.add(interval.collectorCpuNs() / 1e9);
        threadsWatched = interval.threads().stream().filter(t -> !t.ended()).count();
        Map<String, Long> cpuNsByName = new HashMap<>();
        for (ThreadReading t : interval.threads()) {
            for (CounterReading r : t.counters().values()) {
                DoubleAdder total = r.event().known() == null ? null : events.get(r.event().known());
                if (total != null) {
                    total.add(r.delta());
                }
            }
            long cpuNs = t.delta(PerfEvent.TASK_CLOCK);
            cpuSeconds.add(cpuNs / 1e9);
            // A thread really named "other" must not be counted into the series of the threads not selected.
            cpuNsByName.merge(t.name().equals(OTHER) ? OTHER + "-thread" : t.name(), cpuNs, Long::sum);
        }
        Set<String> chosen = selection.update(cpuNsByName);
        threads.entrySet().removeIf(e -> {
            if (e.getKey().equals(OTHER) || chosen.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue().meter());
            return true;
        });
        cpuNsByName.forEach((name, ns) -> series(chosen.contains(name) ? name : OTHER).seconds().add(ns / 1e9));
        chosen.forEach(this::series); // a selected thread idle in this interval keeps its series
    }

    /** The generation went away: nothing is watched until the next one is attached. */
    void detached() {
        threadsWatched = 0;
    }

    private ThreadSeries series(String thread) {
        return threads.computeIfAbsent(thread, t -> {
            DoubleAdder seconds = new DoubleAdder();
            Meter meter = FunctionCounter.builder("vos.perf.thread.cpu", seconds, DoubleAdder::sum)
                    .baseUnit("seconds")
                    .description("CPU time per thread name (task-clock) of the domain's busiest threads, chosen with"
                            + " hysteresis (vos.perf.topThreads); thread=\"other\" sums the rest")
                    .tags(base.and("thread", t)).register(registry);
            return new ThreadSeries(meter, seconds);
        });
    }

    /** Per-thread series registered now, "other" included (for tests and the cardinality claim). */
    int threadSeries() {
        return threads.size();
    }

    /** Removes every meter this created. */
    @Override
    public void close() {
        threads.values().forEach(s -> registry.remove(s.meter()));
        threads.clear();
        fixed.forEach(registry::remove);
        fixed.clear();
    }
}
