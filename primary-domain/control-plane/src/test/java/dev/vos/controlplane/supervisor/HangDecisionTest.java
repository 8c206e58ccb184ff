package dev.vos.controlplane.supervisor;

import dev.vos.backend.Signals;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.journal.EventType;
import dev.vos.controlplane.journal.JournalEvent;
import dev.vos.controlplane.process.ProcessBackend;
import dev.vos.controlplane.spec.BackendKind;
import dev.vos.controlplane.spec.DomainKind;
import dev.vos.controlplane.spec.DomainSpec;
import dev.vos.controlplane.spec.ResourcesSpec;
import dev.vos.controlplane.spec.RestartPolicy;
import dev.vos.controlplane.spec.StorageSpec;
import dev.vos.controlplane.spec.SupervisorSpec;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.agent.AgentSession;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The supervisor's hang decision with a real domain process (the process backend, in its own mount and pid
 * namespaces, where the domain's pid is 2): a SIGSTOPped domain and a domain whose worker is deadlocked are each
 * declared hung, with the evidence that decided in the journal, within 2x the hang timeout, killed and restarted.
 */
@Timeout(120)
class HangDecisionTest {

    private static final long HANG_TIMEOUT_MS = 500;
    private static final long GOAL_MS = 2 * HANG_TIMEOUT_MS;
    /** A client's own ring: liveness 1 s, as {@code DomainClient.Options.DEFAULT}: the supervisor decides first. */
    private static final RingGeometry CLIENT = new RingGeometry(4, 4096, 1_000_000_000L);

    @TempDir
    Path dir;
    private final List<JournalEvent> events = new CopyOnWriteArrayList<>();
    private DomainSupervisor supervisor;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("export"));
        DomainSpec spec = new DomainSpec("store0", DomainKind.STORAGE, BackendKind.PROCESS, RestartPolicy.PERMANENT,
                new SupervisorSpec(10, 60, 0, 0, HANG_TIMEOUT_MS), 30_000, 5_000, ResourcesSpec.DEFAULTS,
                DomainSpec.DEFAULT_NAMESPACES, new StorageSpec(dir.resolve("export")), null, null);
        supervisor = new DomainSupervisor(spec, new ProcessBackend().withTestCalls(), dir.resolve("state"), 0,
                events::add, SupervisorListener.NONE);
        supervisor.start();
        await(() -> supervisor.status().state() == DomainState.RUNNING, "generation 1 RUNNING");
    }

    @AfterEach
    void stop() throws Exception {
        supervisor.close();
    }

    @Test
    void sigstoppedDomain_isHungOnItsStoppedState_within2xTheTimeout_andRestarted() throws Exception {
        long signalAt = System.nanoTime();
        supervisor.handle(new Command.Kill("store0", Signals.SIGSTOP)).get();
        JournalEvent hung = awaitHung();
        long tookMs = (System.nanoTime() - signalAt) / 1_000_000;
        assertTrue(hung.detail().contains("its process is stopped (state T)"), hung.detail());
        assertTrue(tookMs <= GOAL_MS, "a stopped domain was declared hung after " + tookMs + " ms; goal " + GOAL_MS
                + "\n" + journal());
        await(() -> supervisor.status().generation() == 2 && supervisor.status().state() == DomainState.RUNNING,
                "generation 2 RUNNING");
    }

    @Test
    void domainWithADeadlockedWorker_isHung_within2xTheTimeout_andRestarted() throws Exception {
        try (AgentSession session = AgentSession.attach(supervisor.socket(), CLIENT, WaitStrategy.sleeping(),
                Duration.ofSeconds(10))) {
            assertEquals(0, session.ring().call(CoreCalls.NOP));
            long callAt = System.nanoTime();
            CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    session.ring().call(CoreCalls.TEST_BLOCK);
                    return null;
                } catch (DomainFailedException e) {
                    return e;
                }
            }, Thread::startVirtualThread);
            JournalEvent hung = awaitHung();
            long tookMs = (System.nanoTime() - callAt) / 1_000_000;
            // Before the fix the heartbeat went on, the supervisor saw nothing, and the call waited for ever.
            assertTrue(hung.detail().contains("has been inside call 63 for"), hung.detail());
            assertTrue(tookMs <= GOAL_MS, "a deadlocked worker was declared hung after " + tookMs + " ms; goal "
                    + GOAL_MS + "\n" + journal());
            assertInstanceOf(DomainFailedException.class, blocked.get(), "the blocked call fails once it is killed");
        }
        await(() -> supervisor.status().generation() == 2 && supervisor.status().state() == DomainState.RUNNING,
                "generation 2 RUNNING");
    }

    private JournalEvent awaitHung() throws InterruptedException {
        await(() -> events.stream().anyMatch(e -> e.type() == EventType.DOMAIN_HUNG), "DOMAIN_HUNG");
        return events.stream().filter(e -> e.type() == EventType.DOMAIN_HUNG).findFirst().orElseThrow();
    }

    private void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no " + what + " within 30 s; status " + supervisor.status() + "\n"
                        + journal());
            }
            Thread.sleep(1);
        }
    }

    private String journal() {
        return events.stream().map(e -> "  g" + e.generation() + " " + e.type() + " " + e.detail())
                .collect(Collectors.joining("\n"));
    }
}
