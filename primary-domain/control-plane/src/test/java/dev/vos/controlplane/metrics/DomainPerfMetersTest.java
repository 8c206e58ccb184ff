package dev.vos.controlplane.metrics;

import dev.vos.perf.EventSpec;
import dev.vos.perf.PerfEvent;
import dev.vos.perf.counting.CounterReading;
import dev.vos.perf.counting.EventAvailability;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.counting.ThreadReading;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A domain's perf counters: counters in base units, few stable series, no pid or tid, carried over restarts. */
class DomainPerfMetersTest {

    private static final long MS = 1_000_000;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private static ThreadReading thread(int tid, String name, long cpuNs, long switches) {
        Map<EventSpec, CounterReading> counters = new LinkedHashMap<>();
        EventSpec taskClock = EventSpec.of(PerfEvent.TASK_CLOCK);
        EventSpec cs = EventSpec.of(PerfEvent.CONTEXT_SWITCHES);
        counters.put(taskClock, new CounterReading(taskClock, cpuNs, cpuNs, cpuNs, 1, cpuNs));
        counters.put(cs, new CounterReading(cs, switches, switches, switches, 1, cpuNs));
        return new ThreadReading(tid, name, false, counters);
    }

    private static Interval interval(long seq, List<ThreadReading> threads) {
        return new Interval(4242, Instant.now(), seq, 1_000 * MS, threads, 0, 0, false, 20_000, List.of());
    }

    private static List<EventAvailability> availability() {
        return List.of(new EventAvailability(EventSpec.of(PerfEvent.TASK_CLOCK), true, ""),
                new EventAvailability(EventSpec.of(PerfEvent.CONTEXT_SWITCHES), true, ""),
                new EventAvailability(EventSpec.of(PerfEvent.MAJOR_FAULTS), false, "not here"));
    }

    @Test
    void record_countersInSeconds_andEventsApart_withoutPidOrTid() {
        DomainPerfMeters meters = new DomainPerfMeters(registry, "storage0", 2);
        meters.attached(availability());
        meters.record(interval(0, List.of(thread(11, "vos-worker-0", 300 * MS, 5), thread(12, "main", 100 * MS, 2))));
        meters.record(interval(1, List.of(thread(11, "vos-worker-0", 200 * MS, 5), thread(12, "main", 100 * MS, 2))));
        String scrape = registry.scrape();
        assertTrue(scrape.contains("vos_perf_cpu_seconds_total{domain=\"storage0\"} 0.7"), scrape);
        String worker = "vos_perf_thread_cpu_seconds_total{domain=\"storage0\",thread=\"vos-worker-0\"} ";
        assertTrue(scrape.contains(worker + "0.5"), scrape);
        assertTrue(scrape.contains("vos_perf_events_total{domain=\"storage0\",event=\"context-switches\"} 14.0"),
                scrape);
        assertTrue(scrape.contains("vos_perf_event_available{domain=\"storage0\",event=\"major-faults\"} 0.0"), scrape);
        assertTrue(scrape.contains("vos_perf_threads{domain=\"storage0\"} 2.0"), scrape);
        assertFalse(scrape.contains("vos_perf_events_total{domain=\"storage0\",event=\"task-clock\"}"),
                "CPU time is not an event count: " + scrape);
        assertFalse(scrape.contains("pid="), scrape);
        assertFalse(scrape.contains("tid="), scrape);
        assertFalse(scrape.contains("_rate"), "no precomputed rates: " + scrape);
    }

    @Test
    void record_aNewGeneration_continuesTheSameCounters() {
        DomainPerfMeters meters = new DomainPerfMeters(registry, "storage0", 2);
        meters.attached(availability());
        meters.record(interval(0, List.of(thread(11, "vos-worker-0", 300 * MS, 5))));
        meters.detached();
        assertTrue(registry.scrape().contains("vos_perf_threads{domain=\"storage0\"} 0.0"), registry.scrape());
        meters.attached(availability()); // generation 2: new pid, new tids, same thread names
        meters.record(interval(0, List.of(thread(91, "vos-worker-0", 100 * MS, 1))));
        String scrape = registry.scrape();
        assertTrue(scrape.contains("vos_perf_cpu_seconds_total{domain=\"storage0\"} 0.4"), scrape);
        String worker = "vos_perf_thread_cpu_seconds_total{domain=\"storage0\",thread=\"vos-worker-0\"} ";
        assertTrue(scrape.contains(worker + "0.4"), scrape);
    }

    @Test
    void record_threadChurn_keepsFewSeries_andCpuAddsUp() {
        DomainPerfMeters meters = new DomainPerfMeters(registry, "storage0", 4);
        meters.attached(availability());
        Set<String> everSeen = new HashSet<>();
        long totalNs = 0;
        int tid = 100;
        for (int i = 0; i < 150; i++) {
            List<ThreadReading> threads = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                threads.add(thread(10 + w, "vos-worker-" + w, (40 + (i + w) % 7 * 5) * MS, 3));
            }
            for (int k = 0; k < 3; k++) { // short-lived threads, new tids each interval, some as busy as a worker
                threads.add(thread(tid++, "ForkJoinPool-" + (i % 13), (k == 0 ? 60 : 2) * MS, 1));
            }
            totalNs += threads.stream().mapToLong(t -> t.delta(PerfEvent.TASK_CLOCK)).sum();
            meters.record(interval(i, threads));
            registry.getMeters().stream().filter(m -> m.getId().getName().equals("vos.perf.thread.cpu"))
                    .map(Meter::getId).forEach(id -> everSeen.add(id.getTag("thread")));
            assertTrue(meters.threadSeries() <= 5, "at most topThreads + other: " + meters.threadSeries());
        }
        assertTrue(everSeen.size() <= 6, "series ever created for 78+ threads: " + everSeen);
        double sum = registry.getMeters().stream().filter(m -> m.getId().getName().equals("vos.perf.thread.cpu"))
                .mapToDouble(m -> m.measure().iterator().next().getValue()).sum();
        assertEquals(totalNs / 1e9, registry.get("vos.perf.cpu").functionCounter().count(), 1e-6);
        assertTrue(sum <= totalNs / 1e9 + 1e-6, "the per-thread series never count more than the whole");
    }
}
