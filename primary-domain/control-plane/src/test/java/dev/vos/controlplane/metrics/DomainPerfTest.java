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
    void pollOnce_domainRestartsAndStops_metersFollowThePidAndGo() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Process gen1 = new ProcessBuilder("sleep", "30").start();
        Process gen2 = new ProcessBuilder("sleep", "30").start();
        AtomicReference<DomainStatus> now = new AtomicReference<>(status(DomainState.STARTING, 1, -1));
        // A long interval: the test drives the polls itself.
        DomainPerf perf = DomainPerf.start(registry, () -> List.of(now.get()), Duration.ofHours(1), 5);
        try {
            perf.pollOnce();
            assertTrue(perf.watched().isEmpty(), "not RUNNING yet");

            now.set(status(DomainState.RUNNING, 1, gen1.pid()));
            perf.pollOnce();
            assertEquals(java.util.Set.of("storage0"), perf.watched());
            String scrape = registry.scrape();
            assertTrue(scrape.contains("vos_perf_thread_rate{domain=\"storage0\",event=\"task-clock\",pid=\""
                    + gen1.pid() + "\",thread=\"sleep\",tid=\"" + gen1.pid() + "\"}"), scrape);

            gen1.destroyForcibly().waitFor();
            now.set(status(DomainState.RUNNING, 2, gen2.pid()));
            perf.pollOnce();
            scrape = registry.scrape();
            assertFalse(scrape.contains("pid=\"" + gen1.pid() + "\""), "generation 1's meters are gone");
            assertTrue(scrape.contains("pid=\"" + gen2.pid() + "\""), scrape);

            now.set(status(DomainState.STOPPED, 2, -1));
            perf.pollOnce();
            assertTrue(perf.watched().isEmpty());
            assertFalse(registry.scrape().contains("vos_perf_"), registry.scrape());
        } finally {
            perf.close();
            gen1.destroyForcibly();
            gen2.destroyForcibly();
        }
    }
}
