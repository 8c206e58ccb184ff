package dev.vos.controlplane.metrics;

import dev.vos.ring.server.KindFigure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static dev.vos.controlplane.metrics.RingFigures.INF_NS;
import static org.junit.jupiter.api.Assertions.*;

@Timeout(30)
class ControlPlaneMetricsTest {

    private static final Instant NOW = Instant.parse("2026-11-21T00:10:00Z");

    private final ControlPlaneMetrics metrics = new ControlPlaneMetrics(InstantSource.fixed(NOW));

    private static RingFigures storageRing() {
        return new RingFigures(20, 2, 7, 8, 4, Map.of("read", 10L, "write", 5L),
                new long[]{3, 7, 9, 10}, new long[]{1_000, 10_000, 100_000, INF_NS}, 250_000);
    }

    /** Two domains, as a supervisor would report them: storage0 restarted three times, net0 still starting. */
    private void twoDomains() {
        metrics.domainState("storage0", "RUNNING", 3, true, NOW.minusMillis(90_500));
        for (int i = 0; i < 3; i++) {
            metrics.restart("storage0", "exit");
        }
        metrics.recovered("storage0", Duration.ofMillis(70));
        metrics.recovered("storage0", Duration.ofMillis(300));
        metrics.recovered("storage0", Duration.ofSeconds(3));
        metrics.update("storage0", storageRing());
        metrics.domainState("net0", "STARTING", 1, false, NOW);
    }

    private static void assertHasLines(String scrape, String... lines) {
        List<String> all = scrape.lines().toList();
        for (String line : lines) {
            assertTrue(all.contains(line), "missing line '" + line + "' in:\n" + scrape);
        }
    }

    @Test
    void scrapeOverHttp_showsBothDomains() throws Exception {
        twoDomains();
        String body;
        try (MetricsServer server = MetricsServer.start(metrics.registry(), 0);
             HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            body = response.body();
        }
        assertHasLines(body,
                "# TYPE vos_domain_up gauge",
                "vos_domain_up{domain=\"storage0\"} 1.0",
                "vos_domain_up{domain=\"net0\"} 0.0",
                "vos_domain_state{domain=\"storage0\",state=\"RUNNING\"} 1.0",
                "vos_domain_state{domain=\"storage0\",state=\"STARTING\"} 0.0",
                "vos_domain_state{domain=\"storage0\",state=\"RESTARTING\"} 0.0",
                "vos_domain_state{domain=\"storage0\",state=\"FAILED\"} 0.0",
                "vos_domain_state{domain=\"storage0\",state=\"STOPPED\"} 0.0",
                "vos_domain_state{domain=\"net0\",state=\"STARTING\"} 1.0",
                "vos_domain_state{domain=\"net0\",state=\"RUNNING\"} 0.0",
                "vos_domain_generation{domain=\"storage0\"} 3.0",
                "vos_domain_generation{domain=\"net0\"} 1.0",
                "vos_domain_uptime_seconds{domain=\"storage0\"} 90.5",
                "vos_domain_uptime_seconds{domain=\"net0\"} 0.0",
                "# TYPE vos_domain_restarts_total counter",
                "vos_domain_restarts_total{domain=\"storage0\",reason=\"exit\"} 3.0",
                "vos_domain_restarts_total{domain=\"storage0\",reason=\"hang\"} 0.0",
                "vos_domain_restarts_total{domain=\"storage0\",reason=\"operator\"} 0.0",
                "vos_domain_restarts_total{domain=\"net0\",reason=\"exit\"} 0.0",
                // 70 ms, 300 ms, 3 s
                "# TYPE vos_domain_recovery_seconds histogram",
                "vos_domain_recovery_seconds_bucket{domain=\"storage0\",le=\"0.05\"} 0",
                "vos_domain_recovery_seconds_bucket{domain=\"storage0\",le=\"0.1\"} 1",
                "vos_domain_recovery_seconds_bucket{domain=\"storage0\",le=\"0.25\"} 1",
                "vos_domain_recovery_seconds_bucket{domain=\"storage0\",le=\"0.5\"} 2",
                "vos_domain_recovery_seconds_bucket{domain=\"storage0\",le=\"1.0\"} 2",
                "vos_domain_recovery_seconds_bucket{domain=\"storage0\",le=\"2.0\"} 2",
                "vos_domain_recovery_seconds_bucket{domain=\"storage0\",le=\"5.0\"} 3",
                "vos_domain_recovery_seconds_bucket{domain=\"storage0\",le=\"10.0\"} 3",
                "vos_domain_recovery_seconds_bucket{domain=\"storage0\",le=\"+Inf\"} 3",
                "vos_domain_recovery_seconds_count{domain=\"storage0\"} 3",
                "vos_domain_recovery_seconds_sum{domain=\"storage0\"} 3.37",
                "vos_domain_recovery_seconds_bucket{domain=\"net0\",le=\"+Inf\"} 0",
                // ring figures
                "# TYPE vos_ring_calls_total counter",
                "vos_ring_calls_total{domain=\"storage0\",kind=\"read\"} 10.0",
                "vos_ring_calls_total{domain=\"storage0\",kind=\"write\"} 5.0",
                "vos_ring_calls_total{domain=\"storage0\",kind=\"other\"} 5.0",
                "vos_ring_protocol_errors_total{domain=\"storage0\"} 2.0",
                "vos_ring_wakeups_total{domain=\"storage0\",side=\"worker\"} 7.0",
                "vos_ring_wakeups_total{domain=\"storage0\",side=\"client\"} 8.0",
                "# TYPE vos_ring_calls_in_flight gauge",
                "vos_ring_calls_in_flight{domain=\"storage0\"} 4.0",
                "# TYPE vos_ring_call_service_seconds histogram",
                "vos_ring_call_service_seconds_bucket{domain=\"storage0\",le=\"1.0E-6\"} 3",
                "vos_ring_call_service_seconds_bucket{domain=\"storage0\",le=\"1.0E-5\"} 7",
                "vos_ring_call_service_seconds_bucket{domain=\"storage0\",le=\"1.0E-4\"} 9",
                "vos_ring_call_service_seconds_bucket{domain=\"storage0\",le=\"+Inf\"} 10",
                "vos_ring_call_service_seconds_count{domain=\"storage0\"} 10",
                "vos_ring_call_service_seconds_sum{domain=\"storage0\"} 2.5E-4");
        assertTrue(body.contains("# HELP vos_ring_call_service_seconds Service time of calls in the domain"), body);
        assertTrue(body.contains("Sampled: one call in 16 is timed"), "the sampling is stated in HELP: " + body);
        assertFalse(body.contains("vos_ring_calls_total{domain=\"net0\""), "no ring series before figures arrive");
        assertFalse(body.contains("vos_ring_call_service_seconds_bucket{domain=\"net0\""));
    }

    @Test
    void scrapeAskingForOpenMetrics_carriesTheUnits() throws Exception {
        twoDomains();
        try (MetricsServer server = MetricsServer.start(metrics.registry(), 0);
             HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                    // what Prometheus 2.42 sends
                    .header("Accept", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                            + "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals(MetricsServer.OPENMETRICS_CONTENT_TYPE, response.headers().firstValue("Content-Type")
                    .orElseThrow());
            assertHasLines(response.body(),
                    "# UNIT vos_domain_uptime_seconds seconds",
                    "# UNIT vos_domain_recovery_seconds seconds",
                    "# UNIT vos_ring_call_service_seconds seconds",
                    "# EOF");
        }
    }

    /**
     * Errors by errno, bytes and batching: counters in base units, with HELP, and in an OpenMetrics scrape the unit;
     * an errno once seen keeps its series at 0 in the next generation; the kind is one series of value 1.
     */
    @Test
    void callOutcomes_areCountersInBaseUnits_byABoundedErrnoLabel() throws Exception {
        metrics.domainKind("storage0", "storage");
        metrics.domainKind("storage0", "storage");
        metrics.update("storage0", new RingFigures(20, 0, 0, 0, 0, Map.of("pread", 16L), new long[0], new long[0],
                RingFigures.NO_SUM, new CallOutcomes(Map.of("ENOENT", 3L, "other", 1L), 65_536, 4_096, 16, 2)));
        String body;
        try (MetricsServer server = MetricsServer.start(metrics.registry(), 0);
             HttpClient http = HttpClient.newHttpClient()) {
            body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                    .header("Accept", "application/openmetrics-text;version=1.0.0").build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
        assertHasLines(body,
                "# TYPE vos_ring_call_errors counter",
                "vos_ring_call_errors_total{domain=\"storage0\",errno=\"ENOENT\"} 3.0",
                "vos_ring_call_errors_total{domain=\"storage0\",errno=\"other\"} 1.0",
                "# TYPE vos_ring_read_bytes counter",
                "# UNIT vos_ring_read_bytes bytes",
                "vos_ring_read_bytes_total{domain=\"storage0\"} 65536.0",
                "# UNIT vos_ring_written_bytes bytes",
                "vos_ring_written_bytes_total{domain=\"storage0\"} 4096.0",
                "vos_ring_calls_deferred_total{domain=\"storage0\"} 16.0",
                "vos_ring_batch_submissions_total{domain=\"storage0\"} 2.0",
                "vos_domain_kind{domain=\"storage0\",kind=\"storage\"} 1.0");
        assertTrue(body.contains("# HELP vos_ring_call_errors Calls the domain answered with an error, by errno"),
                body);
        assertTrue(body.contains("# HELP vos_ring_read_bytes Bytes the domain's calls read for clients"), body);

        metrics.update("storage0", new RingFigures(1, 0, 0, 0, 0, Map.of(), new long[0], new long[0],
                RingFigures.NO_SUM, new CallOutcomes(Map.of("EACCES", 1L), 0, 0, 0, 0)));
        assertHasLines(metrics.registry().scrape(),
                "vos_ring_call_errors_total{domain=\"storage0\",errno=\"ENOENT\"} 0.0",
                "vos_ring_call_errors_total{domain=\"storage0\",errno=\"EACCES\"} 1.0",
                "vos_ring_read_bytes_total{domain=\"storage0\"} 0.0");
        assertEquals(1, metrics.registry().scrape().lines().filter(l -> l.startsWith("vos_domain_kind{")).count());
    }

    /**
     * A net domain's own figures: open sockets a gauge, accepted and refused connections counters, with HELP; a
     * storage domain, which reports none, gets none of those series.
     */
    @Test
    void kindFigures_areAGaugeAndCounters_onlyForTheDomainThatReportsThem() {
        metrics.update("storage0", new RingFigures(1, 0, 0, 0, 0, Map.of(), new long[0], new long[0],
                RingFigures.NO_SUM, new CallOutcomes(Map.of(), 0, 0, 0, 0)));
        metrics.update("net0", new RingFigures(1, 0, 0, 0, 0, Map.of(), new long[0], new long[0],
                RingFigures.NO_SUM, new CallOutcomes(Map.of("ECONNREFUSED", 2L), 17, 3000, 1, 0, Map.of(
                        KindFigure.NET_SOCKETS_OPEN, 3L, KindFigure.NET_CONNECTIONS_ACCEPTED, 12L,
                        KindFigure.NET_CONNECTIONS_REFUSED, 2L))));
        String scrape = metrics.registry().scrape();
        assertHasLines(scrape,
                "# TYPE vos_net_sockets_open gauge",
                "vos_net_sockets_open{domain=\"net0\"} 3.0",
                "# TYPE vos_net_connections_accepted_total counter",
                "vos_net_connections_accepted_total{domain=\"net0\"} 12.0",
                "vos_net_connections_refused_total{domain=\"net0\"} 2.0",
                "vos_ring_call_errors_total{domain=\"net0\",errno=\"ECONNREFUSED\"} 2.0",
                "vos_ring_read_bytes_total{domain=\"net0\"} 17.0");
        assertTrue(scrape.contains("# HELP vos_net_sockets_open Sockets the net domain holds"), scrape);
        assertFalse(scrape.contains("vos_net_sockets_open{domain=\"storage0\"}"), scrape);

        metrics.update("net0", new RingFigures(0, 0, 0, 0, 0, Map.of(), new long[0], new long[0],
                RingFigures.NO_SUM, new CallOutcomes(Map.of(), 0, 0, 0, 0)));
        assertHasLines(metrics.registry().scrape(), "vos_net_sockets_open{domain=\"net0\"} 0.0",
                "vos_net_connections_accepted_total{domain=\"net0\"} 0.0");
    }

    @Test
    void stateChanges_moveTheOneToTheNewState() {
        metrics.domainState("storage0", "RUNNING", 1, true, NOW.minusSeconds(10));
        metrics.domainState("storage0", "RESTARTING", 1, false, NOW);
        assertHasLines(metrics.registry().scrape(),
                "vos_domain_state{domain=\"storage0\",state=\"RESTARTING\"} 1.0",
                "vos_domain_state{domain=\"storage0\",state=\"RUNNING\"} 0.0",
                "vos_domain_up{domain=\"storage0\"} 0.0",
                "vos_domain_uptime_seconds{domain=\"storage0\"} 0.0");
        metrics.domainState("storage0", "RUNNING", 2, true, NOW.minusMillis(1_500));
        assertHasLines(metrics.registry().scrape(),
                "vos_domain_state{domain=\"storage0\",state=\"RUNNING\"} 1.0",
                "vos_domain_state{domain=\"storage0\",state=\"RESTARTING\"} 0.0",
                "vos_domain_generation{domain=\"storage0\"} 2.0",
                "vos_domain_uptime_seconds{domain=\"storage0\"} 1.5");
    }

    @Test
    void standbyChanges_moveTheOneToTheNewState_fromNoneAtTheDomainsFirstMention() {
        metrics.domainState("storage0", "RUNNING", 1, true, NOW);
        assertHasLines(metrics.registry().scrape(),
                "vos_domain_standby{domain=\"storage0\",state=\"NONE\"} 1.0",
                "vos_domain_standby{domain=\"storage0\",state=\"STARTING\"} 0.0",
                "vos_domain_standby{domain=\"storage0\",state=\"PARKED\"} 0.0");
        metrics.standby("storage0", "STARTING");
        metrics.standby("storage0", "PARKED");
        assertHasLines(metrics.registry().scrape(),
                "vos_domain_standby{domain=\"storage0\",state=\"NONE\"} 0.0",
                "vos_domain_standby{domain=\"storage0\",state=\"STARTING\"} 0.0",
                "vos_domain_standby{domain=\"storage0\",state=\"PARKED\"} 1.0");
        metrics.standby("storage0", "NONE");
        assertHasLines(metrics.registry().scrape(),
                "vos_domain_standby{domain=\"storage0\",state=\"NONE\"} 1.0",
                "vos_domain_standby{domain=\"storage0\",state=\"PARKED\"} 0.0");
    }

    @Test
    void uptime_followsTheClock() {
        Instant[] now = {NOW};
        ControlPlaneMetrics ticking = new ControlPlaneMetrics(() -> now[0]);
        ticking.domainState("storage0", "RUNNING", 1, true, NOW);
        assertHasLines(ticking.registry().scrape(), "vos_domain_uptime_seconds{domain=\"storage0\"} 0.0");
        now[0] = NOW.plusSeconds(42);
        assertHasLines(ticking.registry().scrape(), "vos_domain_uptime_seconds{domain=\"storage0\"} 42.0");
    }

    @Test
    void ringUpdates_replaceTheFigures_andNewKindsAppear() {
        metrics.update("storage0", storageRing());
        // the next generation: counters start again from zero, a kind appears, "write" is not reported
        metrics.update("storage0", new RingFigures(3, 0, 1, 1, 0, Map.of("read", 1L, "fsync", 2L),
                new long[]{1, 3}, new long[]{5_000, INF_NS}));
        assertHasLines(metrics.registry().scrape(),
                "vos_ring_calls_total{domain=\"storage0\",kind=\"read\"} 1.0",
                "vos_ring_calls_total{domain=\"storage0\",kind=\"fsync\"} 2.0",
                "vos_ring_calls_total{domain=\"storage0\",kind=\"write\"} 0.0",
                "vos_ring_calls_total{domain=\"storage0\",kind=\"other\"} 0.0",
                "vos_ring_protocol_errors_total{domain=\"storage0\"} 0.0",
                "vos_ring_calls_in_flight{domain=\"storage0\"} 0.0",
                "vos_ring_call_service_seconds_bucket{domain=\"storage0\",le=\"5.0E-6\"} 1",
                "vos_ring_call_service_seconds_bucket{domain=\"storage0\",le=\"+Inf\"} 3",
                "vos_ring_call_service_seconds_count{domain=\"storage0\"} 3");
        assertFalse(metrics.registry().scrape().contains("le=\"1.0E-6\""), "the old buckets are gone");
        assertFalse(metrics.registry().scrape().contains("vos_ring_call_service_seconds_sum"),
                "no sum is made up for figures without one");

        metrics.update("storage0", RingFigures.withoutLatency(4, 0, 1, 1, 0));
        assertFalse(metrics.registry().scrape().contains("vos_ring_call_service_seconds_bucket"));
        assertHasLines(metrics.registry().scrape(), "vos_ring_calls_total{domain=\"storage0\",kind=\"other\"} 4.0");
    }

    @Test
    void remove_dropsEverySeriesOfTheDomain() {
        twoDomains();
        metrics.update("net0", storageRing());
        metrics.remove("storage0");
        String scrape = metrics.registry().scrape();
        assertFalse(scrape.contains("domain=\"storage0\""), scrape);
        assertHasLines(scrape, "vos_domain_up{domain=\"net0\"} 0.0",
                "vos_ring_call_service_seconds_count{domain=\"net0\"} 10");

        // the name can come back, from zero
        metrics.restart("storage0", "hang");
        assertHasLines(metrics.registry().scrape(),
                "vos_domain_restarts_total{domain=\"storage0\",reason=\"hang\"} 1.0",
                "vos_domain_restarts_total{domain=\"storage0\",reason=\"exit\"} 0.0");
        metrics.remove("no-such-domain");
    }

    @Test
    void labelValuesOutsideTheFixedSets_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> metrics.domainState("d", "DANCING", 1, true, NOW));
        assertThrows(IllegalArgumentException.class, () -> metrics.domainState("d", "RUNNING", -1, true, NOW));
        assertThrows(IllegalArgumentException.class, () -> metrics.restart("d", "boredom"));
        assertThrows(IllegalArgumentException.class, () -> metrics.standby("d", "parked"));
        assertThrows(IllegalArgumentException.class, () -> metrics.restart("", "exit"));
        assertThrows(IllegalArgumentException.class, () -> metrics.recovered("d", Duration.ofMillis(-1)));
        assertFalse(metrics.registry().scrape().contains("domain=\"d\""), "a refused call registers nothing");
    }

    @Test
    void ringFigures_checkTheirHistogram() {
        long[] bounds = {1_000, INF_NS};
        assertThrows(IllegalArgumentException.class,
                () -> new RingFigures(0, 0, 0, 0, 0, Map.of(), new long[]{1}, bounds), "length mismatch");
        assertThrows(IllegalArgumentException.class,
                () -> new RingFigures(0, 0, 0, 0, 0, Map.of(), new long[]{1, 2}, new long[]{1_000, 2_000}),
                "no +Inf bucket");
        assertThrows(IllegalArgumentException.class,
                () -> new RingFigures(0, 0, 0, 0, 0, Map.of(), new long[]{2, 1}, bounds), "not cumulative");
        assertThrows(IllegalArgumentException.class,
                () -> new RingFigures(0, 0, 0, 0, 0, Map.of(), new long[]{0, 1, 1},
                        new long[]{2_000, 1_000, INF_NS}), "bounds not increasing");
        assertThrows(IllegalArgumentException.class,
                () -> new RingFigures(0, 0, 0, 0, 0, Map.of(), new long[]{0, 1}, new long[]{0, INF_NS}),
                "zero bound");
        assertThrows(IllegalArgumentException.class,
                () -> new RingFigures(0, -1, 0, 0, 0, Map.of(), new long[0], new long[0]));
        assertThrows(IllegalArgumentException.class,
                () -> new RingFigures(0, 0, 0, 0, 0, Map.of("read", -1L), new long[0], new long[0]));

        long[] counts = {1, 2};
        RingFigures f = new RingFigures(2, 0, 0, 0, 0, Map.of(), counts, bounds);
        counts[0] = 99;
        f.latencyBucketCounts()[1] = 99;
        assertArrayEquals(new long[]{1, 2}, f.latencyBucketCounts(), "the record keeps its own copy");
        assertEquals(new RingFigures(2, 0, 0, 0, 0, Map.of(), new long[]{1, 2}, bounds), f);
        assertEquals(2, f.calls(RingFigures.OTHER_KIND));
    }

    @Test
    void otherKind_takesTheRemainder_neverNegative() {
        RingFigures f = new RingFigures(10, 0, 0, 0, 0, Map.of("read", 4L, "other", 1L), new long[0], new long[0]);
        assertEquals(4, f.calls("read"));
        assertEquals(6, f.calls("other"), "reported 'other' plus the 5 not broken out");
        assertEquals(0, f.calls("write"));
        RingFigures racy = new RingFigures(3, 0, 0, 0, 0, Map.of("read", 4L), new long[0], new long[0]);
        assertEquals(0, racy.calls("other"));
    }
}
