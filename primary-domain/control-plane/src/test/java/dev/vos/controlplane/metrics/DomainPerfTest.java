package dev.vos.controlplane.metrics;

import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The control plane's per-domain collectors follow each domain's generations and states onto the scrape. */
class DomainPerfTest {

    private static DomainStatus status(DomainState state, long generation, long pid) {
        return new DomainStatus("storage0", "storage", state, generation, pid, Instant.now(), 0, "", "");
    }

    @Test
    void pollOnce_domainRestartsAndStops_theCollectorFollowsThePid_theSeriesStay() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // One process each, busy for a bounded count (a few seconds at most), so that each has CPU time to show.
        String busy = "i=0; while [ $i -lt 2000000 ]; do i=$((i+1)); done";
        Process gen1 = new ProcessBuilder("sh", "-c", busy).start();
        Process gen2 = new ProcessBuilder("sh", "-c", busy).start();
        AtomicReference<DomainStatus> now = new AtomicReference<>(status(DomainState.STARTING, 1, -1));
        // A long interval: the test drives the polls itself.
        DomainPerf perf = DomainPerf.start(registry, () -> List.of(now.get()), Duration.ofHours(1), 5);
        try {
            perf.pollOnce();
            assertTrue(perf.watched().isEmpty(), "not RUNNING yet");

            now.set(status(DomainState.RUNNING, 1, gen1.pid()));
            perf.pollOnce();
            assertEquals(java.util.Set.of("storage0"), perf.watched());
            Thread.sleep(200);
            perf.pollOnce();
            String scrape = registry.scrape();
            assertTrue(scrape.contains("vos_perf_thread_cpu_seconds_total{domain=\"storage0\",thread=\"sh\"}"), scrape);
            double gen1Cpu = registry.get("vos.perf.cpu").functionCounter().count();
            assertTrue(gen1Cpu > 0, scrape);

            gen1.destroyForcibly().waitFor();
            now.set(status(DomainState.RUNNING, 2, gen2.pid()));
            perf.pollOnce();
            Thread.sleep(200);
            perf.pollOnce();
            scrape = registry.scrape();
            assertFalse(scrape.contains("pid="), "no pid label: a restart changes no series: " + scrape);
            assertTrue(registry.get("vos.perf.cpu").functionCounter().count() > gen1Cpu,
                    "generation 2 adds to the same counter: " + scrape);

            now.set(status(DomainState.STOPPED, 2, -1));
            perf.pollOnce();
            assertTrue(perf.watched().isEmpty());
            assertTrue(registry.scrape().contains("vos_perf_threads{domain=\"storage0\"} 0.0"), registry.scrape());
            assertTrue(registry.scrape().contains("vos_perf_cpu_seconds_total{domain=\"storage0\"}"),
                    "the counters stay, so a stop is no series churn: " + registry.scrape());
            perf.close();
            assertFalse(registry.scrape().contains("vos_perf_"), "closing removes every series");
        } finally {
            perf.close();
            gen1.destroyForcibly();
            gen2.destroyForcibly();
        }
    }
}
