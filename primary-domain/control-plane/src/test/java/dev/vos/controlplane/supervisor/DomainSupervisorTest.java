package dev.vos.controlplane.supervisor;

import dev.vos.backend.DomainLaunch;
import dev.vos.backend.Signals;
import dev.vos.backend.fake.FakeBackend;
import dev.vos.backend.fake.FakeDomain;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.journal.EventType;
import dev.vos.controlplane.journal.JournalEvent;
import dev.vos.controlplane.spec.RestartPolicy;
import dev.vos.controlplane.spec.SupervisorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.vos.backend.Signals.SIGKILL;
import static dev.vos.backend.Signals.SIGSTOP;
import static dev.vos.controlplane.journal.EventType.*;
import static dev.vos.controlplane.supervisor.DomainState.*;
import static dev.vos.controlplane.supervisor.SupervisorHarness.NAME;
import static dev.vos.controlplane.supervisor.SupervisorHarness.WAIT;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every transition of docs/domain-lifecycle.md's state machine, driven through a fake backend: no processes, so
 * the whole suite runs in about a second. Each test names the transition, and checks the states entered, the
 * journal events of each generation and what the backend was asked to do.
 */
@Timeout(30)
class DomainSupervisorTest {

    private static final long GRACE_MS = 1_234;

    @TempDir
    Path dir;

    private SupervisorHarness harness(RestartPolicy policy, SupervisorSpec limits) {
        return harness(policy, limits, new FakeBackend());
    }

    private SupervisorHarness harness(RestartPolicy policy, SupervisorSpec limits, FakeBackend backend) {
        return SupervisorHarness.of(SupervisorHarness.spec(policy, limits, 30_000, GRACE_MS, dir), backend, dir, 0);
    }

    // --- STOPPED -> STARTING -> RUNNING

    @Test
    void boot_stoppedToStartingToRunning_continuingTheJournalsGenerations() throws Exception {
        try (SupervisorHarness h = SupervisorHarness.of(SupervisorHarness.spec(RestartPolicy.PERMANENT,
                SupervisorHarness.limits(5, 10), 20_000, GRACE_MS, dir), new FakeBackend(), dir, 41)) {
            DomainStatus before = h.supervisor.status();
            assertEquals(STOPPED, before.state());
            assertEquals("not started yet", before.reason());
            assertEquals(41, before.generation());

            h.supervisor.start();
            h.awaitEvent(DOMAIN_RUNNING, 42);

            assertEquals(List.of(STARTING, RUNNING), h.states);
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_RUNNING), h.types(42));
            assertEquals("backend fake", h.awaitEvent(DOMAIN_STARTING, 42).detail());
            assertTrue(h.awaitEvent(DOMAIN_RUNNING, 42).detail().startsWith("fake g42, running after "),
                    h.journal());
            DomainLaunch launch = h.backend.launches().getFirst();
            assertEquals(42, launch.generation(), "a generation number is never reused");
            assertEquals(NAME, launch.name());
            assertEquals("storage", launch.kind());
            assertEquals(Duration.ofMillis(20_000), launch.startTimeout(), "the spec's startTimeoutMs");
            assertEquals(dir.toAbsolutePath().toString(), launch.options().get("exportRoot"));
            assertEquals("false", launch.options().get("allowSpecialFiles"), "the spec's default, passed on");
            assertEquals("true", launch.options().get("mapReads"), "the spec's default, passed on");
            DomainStatus running = h.supervisor.status();
            assertEquals(RUNNING, running.state());
            assertEquals(42, running.generation());
            assertEquals(0, running.restarts());
        }
    }

    // --- RUNNING -> (exit) -> RESTARTING -> STARTING -> RUNNING, with back-off

    @Test
    void crash_restartsAfterTheBackoff_doublingForEachCrashInARow() throws Exception {
        try (SupervisorHarness h = harness(RestartPolicy.PERMANENT, SupervisorHarness.limits(5, 50))) {
            h.supervisor.start();
            FakeDomain g1 = h.backend.awaitGeneration(1, WAIT);
            h.awaitEvent(DOMAIN_RUNNING, 1);

            long crashed = System.nanoTime();
            g1.exit(3);
            FakeDomain g2 = h.backend.awaitGeneration(2, WAIT);
            long firstDelayMs = (System.nanoTime() - crashed) / 1_000_000;
            h.awaitEvent(DOMAIN_RUNNING, 2);
            assertTrue(firstDelayMs >= 50, "g2 started " + firstDelayMs + " ms after g1 crashed; back-off 50 ms");

            crashed = System.nanoTime();
            g2.killBy(Signals.SIGSEGV);
            h.backend.awaitGeneration(3, WAIT);
            long secondDelayMs = (System.nanoTime() - crashed) / 1_000_000;
            h.awaitEvent(DOMAIN_RUNNING, 3);
            assertTrue(secondDelayMs >= 100, "g3 started " + secondDelayMs + " ms after g2 crashed; back-off 100 ms");

            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_RUNNING, DOMAIN_EXITED, DOMAIN_RESTART_SCHEDULED), h.types(1));
            assertTrue(h.awaitEvent(DOMAIN_EXITED, 1).detail().startsWith("exited with status 3 after "), h.journal());
            assertEquals("in 50 ms (restart 1)", h.awaitEvent(DOMAIN_RESTART_SCHEDULED, 1).detail());
            assertTrue(h.awaitEvent(DOMAIN_EXITED, 2).detail().startsWith("killed by SIGSEGV after "), h.journal());
            assertEquals("in 100 ms (restart 2)", h.awaitEvent(DOMAIN_RESTART_SCHEDULED, 2).detail());
            assertEquals(List.of(STARTING, RUNNING, RESTARTING, STARTING, RUNNING, RESTARTING, STARTING, RUNNING),
                    h.states);
            assertEquals(List.of("exit", "exit"), h.restartReasons);
            h.await(() -> h.recoveries.size() == 2, "a recovery of each restart that serves again");
            assertTrue(h.recoveries.getFirst().toMillis() >= 50, "recovery includes the back-off: " + h.recoveries);
            DomainStatus status = h.supervisor.status();
            assertEquals(2, status.restarts());
            assertEquals("killed by SIGSEGV", status.lastExit());
        }
    }

    // --- restart policies: decide -> RESTARTING or STOPPED

    @Test
    void permanent_restartsAfterACleanExitToo() throws Exception {
        try (SupervisorHarness h = harness(RestartPolicy.PERMANENT, SupervisorHarness.limits(5, 1))) {
            h.supervisor.start();
            h.backend.awaitGeneration(1, WAIT).exit(0);
            h.awaitEvent(DOMAIN_RUNNING, 2);
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_RUNNING, DOMAIN_EXITED, DOMAIN_RESTART_SCHEDULED), h.types(1));
        }
    }

    @Test
    void transient_cleanExit_staysStopped() throws Exception {
        try (SupervisorHarness h = harness(RestartPolicy.TRANSIENT, SupervisorHarness.limits(5, 1))) {
            h.supervisor.start();
            h.backend.awaitGeneration(1, WAIT).exit(0);

            assertEquals("restart policy transient, clean exit", h.awaitEvent(DOMAIN_STOPPED, 1).detail());
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_RUNNING, DOMAIN_EXITED, DOMAIN_STOPPED), h.types(1));
            assertEquals("restart policy transient: exited cleanly", h.supervisor.status().reason());
            assertEquals("exited with status 0", h.supervisor.status().lastExit());
            assertEquals(List.of(STARTING, RUNNING, STOPPED), h.states);
            assertEquals(1, h.backend.launches().size());
            assertTrue(h.restartReasons.isEmpty());
        }
    }

    @Test
    void transient_crash_restarts() throws Exception {
        try (SupervisorHarness h = harness(RestartPolicy.TRANSIENT, SupervisorHarness.limits(5, 1))) {
            h.supervisor.start();
            h.backend.awaitGeneration(1, WAIT).killBy(SIGKILL);
            h.awaitEvent(DOMAIN_RUNNING, 2);

            assertTrue(h.awaitEvent(DOMAIN_EXITED, 1).detail().startsWith("killed by SIGKILL after "), h.journal());
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_RUNNING, DOMAIN_EXITED, DOMAIN_RESTART_SCHEDULED), h.types(1));
        }
    }

    @Test
    void transient_failedStart_restarts() throws Exception {
        FakeBackend backend = new FakeBackend().script(new FakeBackend.Fail("no agent binary"));
        try (SupervisorHarness h = harness(RestartPolicy.TRANSIENT, SupervisorHarness.limits(5, 1), backend)) {
            h.supervisor.start();
            h.awaitEvent(DOMAIN_RUNNING, 2);
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_EXITED, DOMAIN_RESTART_SCHEDULED), h.types(1));
        }
    }

    @Test
    void temporary_crash_staysStopped() throws Exception {
        try (SupervisorHarness h = harness(RestartPolicy.TEMPORARY, SupervisorHarness.limits(5, 1))) {
            h.supervisor.start();
            h.backend.awaitGeneration(1, WAIT).exit(1);

            assertEquals("restart policy temporary", h.awaitEvent(DOMAIN_STOPPED, 1).detail());
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_RUNNING, DOMAIN_EXITED, DOMAIN_STOPPED), h.types(1));
            assertEquals("restart policy temporary: not restarted", h.supervisor.status().reason());
            assertEquals(1, h.backend.launches().size());
        }
    }

    @Test
    void temporary_failedStart_staysStopped() throws Exception {
        FakeBackend backend = new FakeBackend().script(new FakeBackend.Fail("no agent binary"));
        try (SupervisorHarness h = harness(RestartPolicy.TEMPORARY, SupervisorHarness.limits(5, 1), backend)) {
            h.supervisor.start();
            assertEquals("restart policy temporary", h.awaitEvent(DOMAIN_STOPPED, 1).detail());
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_EXITED, DOMAIN_STOPPED), h.types(1));
            assertEquals("failed to start", h.supervisor.status().lastExit());
        }
    }

    // --- STARTING -> decide: the start failed

    @Test
    void failedStart_isJournaled_andCountsAsACrash() throws Exception {
        FakeBackend backend = new FakeBackend().script(new FakeBackend.Fail("cannot run /nope: no such file"));
        try (SupervisorHarness h = harness(RestartPolicy.PERMANENT, SupervisorHarness.limits(5, 10), backend)) {
            h.supervisor.start();
            h.awaitEvent(DOMAIN_RUNNING, 2);

            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_EXITED, DOMAIN_RESTART_SCHEDULED), h.types(1));
            assertEquals("failed to start: cannot run /nope: no such file", h.awaitEvent(DOMAIN_EXITED, 1).detail());
            assertEquals("in 10 ms (restart 1)", h.awaitEvent(DOMAIN_RESTART_SCHEDULED, 1).detail());
            assertEquals(List.of(STARTING, RESTARTING, STARTING, RUNNING), h.states);
            assertFalse(h.backend.hasStarted(1));
            assertEquals("failed to start", h.supervisor.status().lastExit(), "what ended the last generation");
        }
    }

    @Test
    void hungStart_failsAfterTheSpecsStartTimeout() throws Exception {
        FakeBackend backend = new FakeBackend().script(new FakeBackend.Hang());
        try (SupervisorHarness h = SupervisorHarness.of(SupervisorHarness.spec(RestartPolicy.TEMPORARY,
                SupervisorHarness.limits(5, 1), 200, GRACE_MS, dir), backend, dir, 0)) {
            long t0 = System.nanoTime();
            h.supervisor.start();
            h.awaitEvent(DOMAIN_STOPPED, 1);
            long ms = (System.nanoTime() - t0) / 1_000_000;

            assertEquals(Duration.ofMillis(200), backend.launches().getFirst().startTimeout());
            assertEquals("failed to start: domain fake0 did not start within 200 ms",
                    h.awaitEvent(DOMAIN_EXITED, 1).detail());
            assertTrue(ms >= 200, "gave up after " + ms + " ms");
            assertEquals(List.of(STARTING, STOPPED), h.states);
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_EXITED, DOMAIN_STOPPED), h.types(1));
        }
    }

    // --- decide -> FAILED, and an operator restart out of it

    @Test
    void intensityExceeded_failed_thenAnOperatorRestartForgivesTheHistory() throws Exception {
        try (SupervisorHarness h = harness(RestartPolicy.PERMANENT, SupervisorHarness.limits(2, 1))) {
            h.supervisor.start();
            for (long g = 1; g <= 3; g++) {
                h.backend.awaitGeneration(g, WAIT).exit(1);
            }
            h.awaitEvent(DOMAIN_FAILED, 3);

            String reason = "it needed more than 2 restarts within 60 s (restart intensity 2 per 60 s); fix the cause,"
                    + " then 'vos restart'";
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_RUNNING, DOMAIN_EXITED, DOMAIN_FAILED), h.types(3));
            assertEquals(reason, h.awaitEvent(DOMAIN_FAILED, 3).detail());
            assertEquals(reason, h.supervisor.status().reason());
            assertEquals(FAILED, h.states.getLast());
            assertEquals(3, h.backend.launches().size(), "FAILED starts nothing more");

            assertEquals("fake0 restarted: generation 4 is RUNNING", h.command(new Command.Restart(NAME)));
            assertEquals("from FAILED", h.awaitEvent(OPERATOR_RESTART, 3).detail());
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_RUNNING), h.types(4));
            assertEquals(List.of("exit", "exit", "operator"), h.restartReasons);

            // Forgiven: the window is empty again (not FAILED at once) and the back-off starts over (1 ms, not 4).
            h.backend.awaitGeneration(4, WAIT).exit(1);
            assertEquals("in 1 ms (restart 4)", h.awaitEvent(DOMAIN_RESTART_SCHEDULED, 4).detail());
            h.awaitEvent(DOMAIN_RUNNING, 5);
        }
    }

    // --- operator commands

    @Test
    void operatorRestart_fromRunning_stopsThisGenerationWithTheGrace_andStartsTheNext() throws Exception {
        try (SupervisorHarness h = harness(RestartPolicy.PERMANENT, SupervisorHarness.limits(5, 1))) {
            h.supervisor.start();
            FakeDomain g1 = h.backend.awaitGeneration(1, WAIT);
            h.awaitEvent(DOMAIN_RUNNING, 1);

            assertEquals("fake0 restarted: generation 2 is RUNNING", h.command(new Command.Restart(NAME)));

            assertEquals(List.of(Duration.ofMillis(GRACE_MS)), g1.stops(), "the spec's stopGraceMs");
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_RUNNING, OPERATOR_RESTART, DOMAIN_EXITED), h.types(1));
            assertEquals("from RUNNING", h.awaitEvent(OPERATOR_RESTART, 1).detail());
            assertEquals("exited with status 0 (stopped on purpose)", h.awaitEvent(DOMAIN_EXITED, 1).detail());
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_RUNNING), h.types(2));
            assertEquals(List.of("operator"), h.restartReasons);
        }
    }

    @Test
    void operatorStop_stopsWithTheGrace_staysStopped_andKillIsThenRefused() throws Exception {
        try (SupervisorHarness h = harness(RestartPolicy.PERMANENT, SupervisorHarness.limits(5, 1))) {
            h.supervisor.start();
            FakeDomain g1 = h.backend.awaitGeneration(1, WAIT);
            h.awaitEvent(DOMAIN_RUNNING, 1);

            assertEquals("fake0 stopped", h.command(new Command.Stop(NAME)));
            // The refusal is also a barrier: the loop has handled g1's exit event (queued by the stop) before it.
            Throwable refused = h.refused(new Command.Kill(NAME, SIGKILL));

            assertInstanceOf(IllegalStateException.class, refused);
            assertEquals("fake0 has no running process (it is STOPPED); nothing to signal", refused.getMessage());
            assertEquals(List.of(Duration.ofMillis(GRACE_MS)), g1.stops());
            assertTrue(g1.signals().isEmpty(), "a refused kill sends nothing");
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_RUNNING, OPERATOR_STOP, DOMAIN_EXITED, DOMAIN_STOPPED),
                    h.types(1), "the exit of a generation stopped on purpose is not a crash");
            assertEquals("from RUNNING", h.awaitEvent(OPERATOR_STOP, 1).detail());
            assertEquals("by an operator", h.awaitEvent(DOMAIN_STOPPED, 1).detail());
            DomainStatus status = h.supervisor.status();
            assertEquals(STOPPED, status.state());
            assertEquals("stopped by an operator", status.reason());
            assertEquals(-1, status.pid());
            assertEquals(1, h.backend.launches().size());
        }
    }

    @Test
    void operatorStop_thatTheBackendCannotCarryOut_isSaid_andTheSupervisorGoesOn() throws Exception {
        try (SupervisorHarness h = harness(RestartPolicy.PERMANENT, SupervisorHarness.limits(5, 1))) {
            h.supervisor.start();
            FakeDomain g1 = h.backend.awaitGeneration(1, WAIT).failStop("kill(4242, 15): EPERM");
            h.awaitEvent(DOMAIN_RUNNING, 1);

            assertEquals("fake0 stopped", h.command(new Command.Stop(NAME)));

            assertEquals("not seen to end: kill(4242, 15): EPERM (stopped on purpose)",
                    h.awaitEvent(DOMAIN_EXITED, 1).detail(), "never reported as ended");
            assertTrue(g1.isAlive());
            assertEquals("fake0 restarted: generation 2 is RUNNING", h.command(new Command.Restart(NAME)),
                    "the supervisor's loop survived the failed stop");
        }
    }

    @Test
    void operatorStop_withNoGrace_killsAtOnce() throws Exception {
        try (SupervisorHarness h = SupervisorHarness.of(SupervisorHarness.spec(RestartPolicy.PERMANENT,
                SupervisorHarness.limits(5, 1), 30_000, 0, dir), new FakeBackend(), dir, 0)) {
            h.supervisor.start();
            FakeDomain g1 = h.backend.awaitGeneration(1, WAIT);
            h.awaitEvent(DOMAIN_RUNNING, 1);

            h.command(new Command.Stop(NAME));

            assertEquals(List.of(Duration.ZERO), g1.stops(), "stopGraceMs 0: OTP's brutal_kill");
            assertEquals("killed by SIGKILL (stopped on purpose)", h.awaitEvent(DOMAIN_EXITED, 1).detail());
        }
    }

    @Test
    void operatorStop_whileRestarting_cancelsTheRestart() throws Exception {
        try (SupervisorHarness h = harness(RestartPolicy.PERMANENT, SupervisorHarness.limits(5, 200))) {
            h.supervisor.start();
            h.backend.awaitGeneration(1, WAIT).exit(1);
            h.awaitState(RESTARTING);

            h.command(new Command.Stop(NAME));
            Thread.sleep(300); // past the back-off: its timer fires, and must be ignored

            assertEquals("from RESTARTING", h.awaitEvent(OPERATOR_STOP, 1).detail());
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_RUNNING, DOMAIN_EXITED, DOMAIN_RESTART_SCHEDULED,
                    OPERATOR_STOP, DOMAIN_STOPPED), h.types(1), "nothing was running: no DOMAIN_EXITED of its own");
            assertEquals(STOPPED, h.supervisor.status().state());
            assertEquals(1, h.backend.launches().size());
        }
    }

    @Test
    void operatorKill_sendsTheSignal_thenTheSupervisorTreatsTheDeathAsAnyCrash() throws Exception {
        try (SupervisorHarness h = harness(RestartPolicy.PERMANENT, SupervisorHarness.limits(5, 1))) {
            h.supervisor.start();
            FakeDomain g1 = h.backend.awaitGeneration(1, WAIT);
            h.awaitEvent(DOMAIN_RUNNING, 1);

            assertEquals("sent SIGSTOP to fake0 (fake g1, generation 1)", h.command(new Command.Kill(NAME, SIGSTOP)));
            assertTrue(g1.isAlive(), "SIGSTOP does not end it");
            assertEquals(RUNNING, h.supervisor.status().state());

            assertEquals("sent SIGKILL to fake0 (fake g1, generation 1)", h.command(new Command.Kill(NAME, SIGKILL)));
            h.awaitEvent(DOMAIN_RUNNING, 2);

            assertEquals(List.of(SIGSTOP, SIGKILL), g1.signals());
            assertEquals(List.of(DOMAIN_STARTING, DOMAIN_RUNNING, OPERATOR_KILL, OPERATOR_KILL, DOMAIN_EXITED,
                    DOMAIN_RESTART_SCHEDULED), h.types(1));
            assertEquals(List.of("SIGSTOP to fake g1", "SIGKILL to fake g1"),
                    h.events(OPERATOR_KILL).stream().map(JournalEvent::detail).toList());
            assertTrue(h.awaitEvent(DOMAIN_EXITED, 1).detail().startsWith("killed by SIGKILL after "), h.journal());
            assertEquals(List.of("exit"), h.restartReasons,
                    "a kill is a fault like any other, not an operator restart");
        }
    }

    @Test
    void commandForAnotherDomain_isRefusedAtOnce() throws Exception {
        try (SupervisorHarness h = harness(RestartPolicy.PERMANENT, SupervisorHarness.limits(5, 1))) {
            h.supervisor.start();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> h.supervisor.handle(new Command.Stop("net0")));
            assertEquals("'stop net0' is not for fake0", e.getMessage());
        }
    }

    // --- shutdown

    @Test
    void shutdown_stopsTheRunningGenerationWithTheGrace_andEndsStopped() throws Exception {
        SupervisorHarness h = harness(RestartPolicy.PERMANENT, SupervisorHarness.limits(5, 1));
        h.supervisor.start();
        FakeDomain g1 = h.backend.awaitGeneration(1, WAIT);
        h.awaitEvent(DOMAIN_RUNNING, 1);

        h.close();

        assertFalse(g1.isAlive());
        assertEquals(List.of(Duration.ofMillis(GRACE_MS)), g1.stops());
        assertEquals(List.of(DOMAIN_STARTING, DOMAIN_RUNNING, DOMAIN_EXITED, DOMAIN_STOPPED), h.types(1));
        assertEquals("exited with status 0 (stopped on purpose)", h.awaitEvent(DOMAIN_EXITED, 1).detail());
        assertEquals("control plane shut down", h.awaitEvent(DOMAIN_STOPPED, 1).detail());
        assertEquals(STOPPED, h.supervisor.status().state());
        assertEquals("control plane shut down", h.supervisor.status().reason());
        assertEquals(1, h.backend.launches().size());
    }

    @Test
    void shutdown_ofASupervisorNeverStarted_returnsAtOnce_andStartsNothing() throws Exception {
        SupervisorHarness h = harness(RestartPolicy.PERMANENT, SupervisorHarness.limits(5, 1));
        long t0 = System.nanoTime();
        h.close();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 1_000, "close() took " + ms + " ms; there was no loop to wait for");
        assertTrue(h.backend.launches().isEmpty());
    }

    @Test
    void shutdown_whenTheDomainIgnoresTheStop_killsItAfterTheGrace() throws Exception {
        SupervisorHarness h = SupervisorHarness.of(SupervisorHarness.spec(RestartPolicy.PERMANENT,
                SupervisorHarness.limits(5, 1), 30_000, 100, dir), new FakeBackend(), dir, 0);
        h.supervisor.start();
        h.backend.awaitGeneration(1, WAIT).ignoreStop();
        h.awaitEvent(DOMAIN_RUNNING, 1);

        long t0 = System.nanoTime();
        h.close();
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertEquals("killed by SIGKILL (stopped on purpose)", h.awaitEvent(DOMAIN_EXITED, 1).detail());
        assertTrue(ms >= 100, "killed after " + ms + " ms; the grace is 100 ms");
        assertEquals(EventType.DOMAIN_STOPPED, h.events.getLast().type());
    }
}
