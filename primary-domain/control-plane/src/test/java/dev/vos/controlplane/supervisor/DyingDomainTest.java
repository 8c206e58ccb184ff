package dev.vos.controlplane.supervisor;

import dev.vos.backend.DomainBackend;
import dev.vos.backend.DomainExit;
import dev.vos.backend.DomainLaunch;
import dev.vos.backend.RunningDomain;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.journal.EventType;
import dev.vos.controlplane.journal.JournalEvent;
import dev.vos.controlplane.process.ProcessBackend;
import dev.vos.controlplane.spec.BackendKind;
import dev.vos.controlplane.spec.DomainKind;
import dev.vos.controlplane.spec.DomainSpec;
import dev.vos.controlplane.spec.NetSpec;
import dev.vos.controlplane.spec.ResourcesSpec;
import dev.vos.controlplane.spec.RestartPolicy;
import dev.vos.controlplane.spec.SupervisorSpec;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A domain whose exit is on its way is never reported hung. The review sent SIGKILL to a loaded domain; it took
 * longer than the hang timeout to die, its heartbeat went stale first, and 500 ms later the supervisor declared it
 * hung and killed it again. Here a real domain process dies slowly on purpose: its backend answers SIGKILL by
 * stopping the process at once (the heartbeat stops, the lifeline stays open) and killing it only later.
 */
@Timeout(120)
class DyingDomainTest {

    private static final long HANG_TIMEOUT_MS = 200;
    /** How long the slow death takes: several hang timeouts. */
    private static final long DYING_MS = 6 * HANG_TIMEOUT_MS;

    @TempDir
    Path dir;

    @Test
    void aDomainSentSigkill_thatTakesLongerThanTheHangTimeoutToDie_isNotDeclaredHung() throws Exception {
        DomainSpec spec = new DomainSpec("net0", DomainKind.NET, BackendKind.PROCESS, RestartPolicy.PERMANENT,
                new SupervisorSpec(5, 60, 20, 200, HANG_TIMEOUT_MS), 30_000, 1_000,
                new ResourcesSpec(48, List.of()), Set.of(), null,
                new NetSpec(List.of(InetAddress.getLoopbackAddress())), null);
        List<JournalEvent> events = new CopyOnWriteArrayList<>();
        try (SlowDeathBackend backend = new SlowDeathBackend();
             DomainSupervisor supervisor = new DomainSupervisor(spec, backend, dir, 0, events::add,
                     SupervisorListener.NONE)) {
            supervisor.start();
            await(() -> running(supervisor, 1), supervisor, events);
            supervisor.handle(new Command.Kill("net0", Linux.SIGKILL)).get();
            await(() -> running(supervisor, 2), supervisor, events);
            assertEquals(List.of(), events.stream().filter(e -> e.type() == EventType.DOMAIN_HUNG).toList(),
                    "a domain already sent SIGKILL was declared hung");
            assertTrue(events.stream().anyMatch(e -> e.generation() == 1 && e.type() == EventType.DOMAIN_EXITED
                    && e.detail().startsWith("killed by SIGKILL")), journal(events));
            assertEquals(1, backend.kills, "one SIGKILL, the operator's: " + journal(events));
        }
    }

    private static boolean running(DomainSupervisor s, long generation) {
        return s.status().state() == DomainState.RUNNING && s.status().generation() == generation;
    }

    private static void await(java.util.function.BooleanSupplier condition, DomainSupervisor s,
                              List<JournalEvent> events) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, s.status() + "\n" + journal(events));
            Thread.sleep(5);
        }
    }

    private static String journal(List<JournalEvent> events) {
        StringBuilder out = new StringBuilder();
        events.forEach(e -> out.append("  g").append(e.generation()).append(' ').append(e.type()).append(' ')
                .append(e.detail()).append('\n'));
        return out.toString();
    }

    /** The process backend, with domains that die {@value #DYING_MS} ms after their SIGKILL. */
    private static final class SlowDeathBackend implements DomainBackend {
        private final ProcessBackend real = new ProcessBackend();
        private volatile int kills;

        @Override
        public String name() {
            return "process";
        }

        @Override
        public RunningDomain start(DomainLaunch launch) throws BackendException {
            return new SlowDeath(real.start(launch));
        }

        @Override
        public void close() {
            real.close();
        }

        /** A generation whose SIGKILL stops it at once and ends it {@value #DYING_MS} ms later. */
        private final class SlowDeath implements RunningDomain {
            private final RunningDomain domain;
            private volatile boolean dying;

            SlowDeath(RunningDomain domain) {
                this.domain = domain;
            }

            @Override
            public void signal(int signal) {
                if (signal != Linux.SIGKILL) {
                    domain.signal(signal);
                    return;
                }
                kills++;
                dying = true;
                domain.signal(Linux.SIGSTOP); // the heartbeat stops; the lifeline stays open while it dies
                Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(DYING_MS);
                    } catch (InterruptedException e) {
                        // die now
                    }
                    domain.signal(Linux.SIGKILL);
                });
            }

            /** As the process backend says after a SIGKILL: the exit is on its way. */
            @Override
            public boolean exitPending() {
                return dying || domain.exitPending();
            }

            @Override
            public long generation() {
                return domain.generation();
            }

            @Override
            public long pid() {
                return domain.pid();
            }

            @Override
            public boolean isAlive() {
                return domain.isAlive();
            }

            @Override
            public CompletionStage<DomainExit> exit() {
                return domain.exit();
            }

            @Override
            public void stop(Duration grace) {
                domain.stop(grace);
            }
        }
    }
}
