package dev.vos.ring;

import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.RingServerProcess;
import dev.vos.ring.server.ServerOptions;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.vos.ring.layout.HeaderLayout.HEARTBEAT_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.SERVER_PID_NAMESPACE_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.SERVER_PID_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.SERVER_SERVING;
import static dev.vos.ring.layout.HeaderLayout.SERVER_START_TICKS_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.SERVER_STATE_OFFSET;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A hang is judged on evidence, not on one stale timestamp: with real processes in every state {@code /proc} can
 * show. A stopped server and a deadlocked worker are found within 2x the liveness timeout; a server that is
 * runnable but cannot beat (a loaded host) is given time up to the cap; one whose threads all sleep without CPU is
 * hung; one that is gone died. The "servers" without a heartbeat are segments whose header this test fills in as
 * a server would, naming a real child process ({@code sh} looping, {@code sleep}, or one that exited).
 */
@Timeout(60)
class HangJudgementTest {

    /** The liveness timeout of the finding: 500 ms. The goal: a hang found within 2x. */
    private static final long TIMEOUT_NS = 500_000_000L;
    private static final long GOAL_MS = 2 * TIMEOUT_NS / 1_000_000;
    private static final RingGeometry GEOMETRY = new RingGeometry(8, 4096, TIMEOUT_NS);
    /** A shorter timeout where the test waits for the cap (10x). */
    private static final long SHORT_NS = 100_000_000L;

    @Test
    void sigstoppedServer_isHungAtOnce_onItsStoppedState_within2xTheTimeout() throws Exception {
        Path file = TestSegments.fresh("judge-stop");
        try (RingClient client = RingClient.create(file, GEOMETRY, 1, WaitStrategy.sleeping());
             RingServerProcess server = RingServerProcess.start(file, Duration.ofSeconds(30))) {
            client.awaitServer(Duration.ofSeconds(10));
            assertEquals(server.pid(), client.call(CoreCalls.GETPID));
            long signalAt = System.nanoTime();
            server.signal(Linux.SIGSTOP);
            RingFailure failure = client.whenFailed().toCompletableFuture().get(10, TimeUnit.SECONDS);
            long tookMs = (System.nanoTime() - signalAt) / 1_000_000;
            RingFailure.Hung hung = assertInstanceOf(RingFailure.Hung.class, failure);
            assertEquals(new HangEvidence.ProcessStopped('T'), hung.evidence(), hung.describe());
            assertTrue(hung.describe().contains("no heartbeat for") && hung.describe().contains("stopped (state T)"),
                    hung.describe());
            assertTrue(tookMs <= GOAL_MS, "a stopped server found after " + tookMs + " ms; goal " + GOAL_MS);
        }
    }

    @Test
    void deadlockedWorker_isFoundThoughTheHeartbeatGoesOn_within2xTheTimeout() throws Exception {
        Path file = TestSegments.fresh("judge-deadlock");
        try (RingClient client = RingClient.create(file, GEOMETRY, 1, WaitStrategy.sleeping());
             RingServerProcess server = RingServerProcess.start(file, Duration.ofSeconds(30), "--test-calls")) {
            client.awaitServer(Duration.ofSeconds(10));
            long callAt = System.nanoTime();
            CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    client.call(CoreCalls.TEST_BLOCK);
                    return null;
                } catch (DomainFailedException e) {
                    return e;
                }
            }, Thread::startVirtualThread);
            Throwable e = blocked.get(10, TimeUnit.SECONDS); // before the fix: the call never returns
            long tookMs = (System.nanoTime() - callAt) / 1_000_000;
            DomainFailedException failed = assertInstanceOf(DomainFailedException.class, e, "the call must fail");
            RingFailure.Hung hung = assertInstanceOf(RingFailure.Hung.class, failed.failure().orElseThrow());
            HangEvidence.WorkerStuck stuck = assertInstanceOf(HangEvidence.WorkerStuck.class, hung.evidence(),
                    hung.describe());
            assertEquals(0, stuck.worker());
            assertEquals(CoreCalls.TEST_BLOCK, stuck.callNumber());
            assertTrue(stuck.inCallNs() > TIMEOUT_NS, hung.describe());
            assertTrue(hung.heartbeatAgeNs() < TIMEOUT_NS, "the heartbeat went on; the worker's progress decided: "
                    + hung.describe());
            assertTrue(hung.describe().startsWith("the domain is hung: worker 0 has been inside call 63 for "),
                    hung.describe());
            assertTrue(tookMs <= GOAL_MS, "a deadlocked worker found after " + tookMs + " ms; goal " + GOAL_MS);
            assertTrue(server.process().isAlive(), "the ring reports; the owner decides what to do with the process");
        }
    }

    @Test
    void withoutTestCalls_theBlockingCallIsNotThere() throws Exception {
        Path file = TestSegments.fresh("judge-notest");
        try (RingClient client = RingClient.create(file, GEOMETRY, 1, WaitStrategy.sleeping());
             RingServerProcess server = RingServerProcess.start(file, Duration.ofSeconds(30))) {
            client.awaitServer(Duration.ofSeconds(10));
            assertEquals(-dev.vos.sys.Errno.ENOSYS, client.call(CoreCalls.TEST_BLOCK));
            assertNull(CoreCallHandlers.table().handler(CoreCalls.TEST_BLOCK), "never in a production table");
        }
    }

    @Test
    void aCallThatMayWait_andAWorkerBusyOnTheCpu_areNotStuck() throws Exception {
        RingGeometry shortTimeout = new RingGeometry(8, 4096, SHORT_NS);
        CallTable table = CoreCallHandlers.register(CallTable.builder())
                .add(CoreCalls.FIRST_DOMAIN_CALL, "spin", call -> {
                    long end = System.nanoTime() + call.arg(0);
                    long n = 0;
                    while (System.nanoTime() < end) {
                        n++;
                    }
                    return n > 0 ? 0 : 1;
                }).build();
        try (RingClient client = RingClient.create(TestSegments.fresh("judge-busy"), shortTimeout, 1,
                WaitStrategy.sleeping());
             RingServer server = RingServer.attach(client.file(), table, ServerOptions.DEFAULT)) {
            client.awaitServer(Duration.ofSeconds(10));
            assertEquals(0, client.call(CoreCalls.SLEEP, 5 * SHORT_NS, 0, 0, 0, 0, 0), "sleep may wait");
            assertEquals(0, client.call(CoreCalls.FIRST_DOMAIN_CALL, 5 * SHORT_NS, 0, 0, 0, 0, 0),
                    "a worker on the CPU makes progress");
            assertFalse(client.hasFailed(), String.valueOf(client.failureReason()));
        }
    }

    /**
     * Finding 6 itself, on one CPU: a healthy server whose CPU is taken by a real-time spinner for 3x the timeout
     * cannot beat, but its heartbeat thread is runnable and waits for the CPU: busy, not hung. Before the fix it
     * was declared hung at 1.1x the timeout. Needs root (a SCHED_FIFO spinner, CAP_SYS_NICE), two CPUs, chrt,
     * taskset and timeout.
     */
    @Test
    void aHealthyServerStarvedOfCpu_isBusyNotHung() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs a second CPU for the test's own threads");
        assumeTrue(isRoot(), "needs root: the starving spinner runs SCHED_FIFO (CAP_SYS_NICE)");
        RingGeometry geometry = new RingGeometry(8, 4096, 200_000_000L);
        Path file = TestSegments.fresh("judge-starved");
        try (RingClient client = RingClient.create(file, geometry, 1, WaitStrategy.sleeping());
             RingServerProcess server = RingServerProcess.start(file, Duration.ofSeconds(30))) {
            client.awaitServer(Duration.ofSeconds(10));
            int cpu = 1;
            assertEquals(0, run("taskset", "-a", "-p", "-c", Integer.toString(cpu), Long.toString(server.pid())),
                    "pin the server to CPU " + cpu);
            assertEquals(server.pid(), client.call(CoreCalls.GETPID));
            Thread.sleep(300); // the monitor has found the process, with a fresh heartbeat
            // A FIFO spinner on the server's CPU for 600 ms (3x the timeout); timeout(1) runs above it to end it.
            assertEquals(124, run("chrt", "-f", "20", "taskset", "-c", Integer.toString(cpu), "timeout", "0.6",
                    "chrt", "-f", "10", "sh", "-c", "while :; do :; done"), "the spinner ran its 600 ms");
            assertFalse(client.hasFailed(), "a starved server is busy, not hung: " + client.failureReason());
            assertEquals(server.pid(), client.call(CoreCalls.GETPID), "and it serves once it has the CPU again");
        }
    }

    private static boolean isRoot() throws Exception {
        return Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0);
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    @Test
    void aServerThatIsRunnableButCannotBeat_isGivenTime_thenHungPastTheCap() throws Exception {
        Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        try (FakeServer server = FakeServer.naming(busy.pid(), SHORT_NS)) {
            server.stopBeating();
            Thread.sleep(3 * SHORT_NS / 1_000_000);
            // Before the fix: hung after 1.1x the timeout, though the process only waited for a CPU.
            assertFalse(server.client.hasFailed(), "a runnable server is busy, not hung: "
                    + server.client.failureReason());
            RingFailure failure = server.client.whenFailed().toCompletableFuture().get(10, TimeUnit.SECONDS);
            long silentMs = server.silentMs();
            RingFailure.Hung hung = assertInstanceOf(RingFailure.Hung.class, failure);
            HangEvidence.BusyPastCap cap = assertInstanceOf(HangEvidence.BusyPastCap.class, hung.evidence(),
                    hung.describe());
            assertEquals(10 * SHORT_NS, cap.capNs());
            assertTrue(silentMs >= 10 * SHORT_NS / 1_000_000, "failed after " + silentMs + " ms, before the cap");
        } finally {
            busy.destroyForcibly().waitFor();
        }
    }

    @Test
    void aServerWhoseThreadsAllSleepWithoutCpu_isHung_noProgress() throws Exception {
        Process asleep = new ProcessBuilder("sleep", "1000").start();
        try (FakeServer server = FakeServer.naming(asleep.pid(), TIMEOUT_NS)) {
            server.stopBeating();
            RingFailure failure = server.client.whenFailed().toCompletableFuture().get(10, TimeUnit.SECONDS);
            long silentMs = server.silentMs();
            RingFailure.Hung hung = assertInstanceOf(RingFailure.Hung.class, failure);
            HangEvidence.NoProgress quiet = assertInstanceOf(HangEvidence.NoProgress.class, hung.evidence(),
                    hung.describe());
            assertEquals(1, quiet.threads());
            assertTrue(silentMs <= GOAL_MS, "found after " + silentMs + " ms; goal " + GOAL_MS);
        } finally {
            asleep.destroyForcibly().waitFor();
        }
    }

    @Test
    void aServerWhoseProcessIsGone_died_itIsNotAHang() throws Exception {
        Process gone = new ProcessBuilder("sleep", "1000").start();
        try (FakeServer server = FakeServer.naming(gone.pid(), SHORT_NS)) {
            gone.destroyForcibly().waitFor();
            server.stopBeating();
            RingFailure failure = server.client.whenFailed().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(RingFailure.Died.unknown(), failure);
        }
    }

    /**
     * The race CI found: a server killed before the client's monitor first looked for it. Its process is then
     * nowhere in {@code /proc} at the first look; a server in the client's own pid namespace that cannot be found
     * there is gone, so it died. Before the fix it was judged hung on the heartbeat alone.
     */
    @Test
    void aServerInThisPidNamespace_goneBeforeTheMonitorFirstLooked_died() throws Exception {
        RingFailure failure = judgedAfterDeathBeforeTheFirstLook(ProcStat.selfPidNamespace());
        assertEquals(RingFailure.Died.unknown(), failure, failure.describe());
    }

    /**
     * A server that did not say its pid namespace (an older server, or one in another domain) and cannot be found
     * may live where this {@code /proc} does not show: hung on the heartbeat alone, as before.
     */
    @Test
    void aServerOfAnUnknownOrOtherPidNamespace_thatCannotBeFound_isHungOnTheHeartbeatAlone() throws Exception {
        for (long namespace : new long[] {0, ProcStat.selfPidNamespace() + 1}) {
            RingFailure failure = judgedAfterDeathBeforeTheFirstLook(namespace);
            RingFailure.Hung hung = assertInstanceOf(RingFailure.Hung.class, failure, failure.describe());
            assertInstanceOf(HangEvidence.HeartbeatOnly.class, hung.evidence(), hung.describe());
        }
    }

    /**
     * Fills in a header as a server would, naming a real process and the pid namespace {@code namespace}, kills the
     * process, and only then publishes SERVING: the monitor's first look finds nothing.
     */
    private static RingFailure judgedAfterDeathBeforeTheFirstLook(long namespace) throws Exception {
        Process gone = new ProcessBuilder("sleep", "1000").start();
        long startTicks = ProcStat.process(gone.pid()).orElseThrow().startTicks();
        gone.destroyForcibly().waitFor();
        try (RingClient client = RingClient.create(TestSegments.fresh("judge-early"), new RingGeometry(8, 4096,
                SHORT_NS), 1, WaitStrategy.sleeping());
             RingSegment segment = TestSegments.open(client.file())) {
            segment.setIntPlain(SERVER_PID_OFFSET, (int) gone.pid());
            segment.setLongPlain(SERVER_START_TICKS_OFFSET, startTicks);
            segment.setLongPlain(SERVER_PID_NAMESPACE_OFFSET, namespace);
            segment.setLongRelease(HEARTBEAT_OFFSET, 1);
            segment.setIntVolatile(SERVER_STATE_OFFSET, SERVER_SERVING);
            client.awaitServer(Duration.ofSeconds(5));
            return client.whenFailed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A segment served by no real server: its header says SERVING, with the pid and start time of {@code pid},
     * and a heartbeat this test stamps until {@link #stopBeating()}.
     */
    private static final class FakeServer implements AutoCloseable {
        private final RingClient client;
        private final RingSegment segment;
        private final Thread beat;
        private volatile boolean beating = true;
        private volatile long lastBeatNs;

        private FakeServer(RingClient client, RingSegment segment) {
            this.client = client;
            this.segment = segment;
            this.beat = Thread.ofPlatform().daemon().start(() -> {
                long beats = 1;
                while (beating) {
                    long now = System.nanoTime();
                    segment.setLongRelease(HEARTBEAT_OFFSET, ++beats); // a count, as a server beats
                    lastBeatNs = now;
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        static FakeServer naming(long pid, long timeoutNs) throws Exception {
            RingClient client = RingClient.create(TestSegments.fresh("judge-fake"), new RingGeometry(8, 4096,
                    timeoutNs), 1, WaitStrategy.sleeping());
            RingSegment segment = TestSegments.open(client.file());
            segment.setIntPlain(SERVER_PID_OFFSET, (int) pid);
            segment.setLongPlain(SERVER_START_TICKS_OFFSET, ProcStat.process(pid).orElseThrow().startTicks());
            segment.setLongRelease(HEARTBEAT_OFFSET, 1);
            segment.setIntVolatile(SERVER_STATE_OFFSET, SERVER_SERVING);
            client.awaitServer(Duration.ofSeconds(5));
            FakeServer server = new FakeServer(client, segment);
            Thread.sleep(2 * timeoutNs / 1_000_000); // the monitor finds the process while the beat is fresh
            assertFalse(client.hasFailed(), String.valueOf(client.failureReason()));
            return server;
        }

        void stopBeating() throws InterruptedException {
            beating = false;
            beat.join();
        }

        /** Milliseconds since the last heartbeat. */
        long silentMs() {
            return (System.nanoTime() - lastBeatNs) / 1_000_000;
        }

        @Override
        public void close() throws Exception {
            stopBeating();
            client.close();
            segment.close();
        }
    }
}
