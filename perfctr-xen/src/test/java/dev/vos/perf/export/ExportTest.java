package dev.vos.perf.export;

import dev.vos.perf.EventSpec;
import dev.vos.perf.PerfEvent;
import dev.vos.perf.counting.CounterReading;
import dev.vos.perf.counting.EventAvailability;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.counting.ThreadReading;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExportTest {

    private static final EventSpec TASK_CLOCK = EventSpec.of(PerfEvent.TASK_CLOCK);
    private static final EventSpec CS = EventSpec.of(PerfEvent.CONTEXT_SWITCHES);
    private static final List<EventAvailability> AVAILABILITY = List.of(
            new EventAvailability(TASK_CLOCK, true, ""),
            new EventAvailability(CS, true, ""),
            new EventAvailability(EventSpec.of(PerfEvent.CYCLES), false, "not supported: no hardware PMU (ENOENT)"));

    /** A thread whose task-clock delta is cpuMs ms over a 1 s interval. */
    private static ThreadReading thread(int tid, String name, long cpuMs, boolean ended) {
        Map<EventSpec, CounterReading> c = new LinkedHashMap<>();
        c.put(TASK_CLOCK, new CounterReading(TASK_CLOCK, cpuMs * 2_000_000, cpuMs * 1_000_000, cpuMs * 1e6, 1.0,
                0));
        c.put(CS, new CounterReading(CS, 20, 10, 10, 0.5, 0));
        return new ThreadReading(tid, name, ended, c);
    }

    /** An interval of these threads; the process's counts are their sums, as when no thread came and went. */
    private static Interval interval(long seq, ThreadReading... threads) {
        List<CounterReading> process = List.of(TASK_CLOCK, CS).stream().map(e -> {
            long d = List.of(threads).stream().mapToLong(t -> t.delta(e)).sum();
            return new CounterReading(e, d, d, d, 1.0, 0);
        }).toList();
        return new Interval(42, Instant.parse("2026-11-21T02:00:00Z"), seq, 1_000_000_000L, List.of(threads),
                threads.length, 0, false, 5_000, process);
    }

    @Test
    void record_moreThreadsThanTopN_keepsTopNAndOneOtherSeries() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (PerfMeters m = new PerfMeters(registry, "storage0", 42, AVAILABILITY, 2)) {
            m.record(interval(0, thread(1, "a", 100, false), thread(2, "b", 300, false), thread(3, "c", 200, false),
                    thread(4, "d, \"quoted\"", 1, false)));
            assertEquals(3 * 2, m.threadSeries(), "(top 2 + other) x 2 events");
            String scrape = registry.scrape();
            assertTrue(scrape.contains("vos_perf_thread_rate{domain=\"storage0\",event=\"task-clock\",pid=\"42\","
                    + "thread=\"b\",tid=\"2\"} 3.0E8"), scrape);
            assertTrue(scrape.contains("thread=\"c\",tid=\"3\""), scrape);
            assertFalse(scrape.contains("thread=\"a\""), "a is third: summed into other");
            // other = a (100 ms) + d (1 ms)
            assertTrue(scrape.contains("event=\"task-clock\",pid=\"42\",thread=\"other\",tid=\"other\"} 1.01E8"),
                    scrape);
            assertTrue(scrape.contains("vos_perf_event_available{domain=\"storage0\",event=\"cycles\","
                    + "pid=\"42\"} 0.0"));
            assertTrue(scrape.contains("vos_perf_process_events_total{domain=\"storage0\",event=\"task-clock\","
                    + "pid=\"42\"} 6.01E8"), scrape);

            // b ends, a becomes busiest: b's series go, a's appear; nothing stale is left.
            m.record(interval(1, thread(1, "a", 500, false), thread(2, "b", 900, true), thread(3, "c", 200, false)));
            scrape = registry.scrape();
            assertFalse(scrape.contains("thread=\"b\""), scrape);
            assertTrue(scrape.contains("thread=\"a\",tid=\"1\"} 5.0E8"), scrape);
            assertEquals(3 * 2, m.threadSeries());
        }
        assertFalse(registry.scrape().contains("vos_perf_"), "close removes every meter");
    }

    @Test
    void write_threadNamesWithCommasAndQuotes_csvQuotedAndJsonEscaped() throws Exception {
        Path csv = Files.createTempFile("perf", ".csv");
        Path json = Files.createTempFile("perf", ".jsonl");
        try (CsvIntervalWriter c = new CsvIntervalWriter(csv, "");
             JsonIntervalWriter j = new JsonIntervalWriter(json, "")) {
            Interval iv = interval(0, thread(7, "d, \"quoted\"", 250, false));
            c.write(iv);
            j.write(iv);
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals(CsvIntervalWriter.HEADER, lines.get(0));
        assertEquals("2026-11-21T02:00:00Z,0,1.000000,,42,7,\"d, \"\"quoted\"\"\",task-clock,250000000,500000000,"
                + "250000000.000,100.00,false", lines.get(1));
        assertTrue(lines.get(2).contains(",context-switches,10,20,10.000,50.00,false"), lines.get(2));
        List<String> jl = Files.readAllLines(json);
        assertEquals(1, jl.size());
        assertTrue(jl.get(0).contains("\"thread\":\"d, \\\"quoted\\\"\""), jl.get(0));
        assertTrue(jl.get(0).contains("\"task-clock\":{\"delta\":250000000,\"total\":500000000,"
                + "\"rate_per_s\":250000000.000,\"running_pct\":100.000,\"running_ns\":0}"), jl.get(0));
        assertTrue(jl.get(0).endsWith(",\"process\":{\"task-clock\":{\"delta\":250000000,\"total\":250000000,"
                + "\"rate_per_s\":250000000.000,\"running_pct\":100.000,\"running_ns\":0},\"context-switches\":"
                + "{\"delta\":10,\"total\":10,\"rate_per_s\":10.000,\"running_pct\":100.000,\"running_ns\":0}}}"),
                jl.get(0));
        Files.delete(csv);
        Files.delete(json);
    }
}
