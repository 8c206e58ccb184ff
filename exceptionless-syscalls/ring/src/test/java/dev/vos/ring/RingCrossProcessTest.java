package dev.vos.ring;

import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.RingServerProcess;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ring across real processes: the server is a child JVM ({@code RingServerMain}), the callers are many
 * virtual threads here. Includes the failure cases: the server killed with SIGKILL and stopped with SIGSTOP in
 * the middle of calls, a new generation served after that, and a stopped server that resumes later.
 */
@Timeout(120)
class RingCrossProcessTest {

    /** Liveness timeout of the rings in this test: a hung server is declared failed after this much silence. */
    private static final long LIVENESS_NS = 200_000_000L;
    private static final RingGeometry GEOMETRY = RingGeometry.DEFAULT
            .withLivenessTimeout(Duration.ofNanos(LIVENESS_NS));
    /** The promised bound for a hung server: 1.1 x liveness timeout, plus generous room for a loaded CI machine. */
    private static final long HANG_BOUND_MS = 1_500;
    /** The bound when the owner reports the death: it is immediate, plus room for scheduling. */
    private static final long DEATH_BOUND_MS = 500;

    static Stream<WaitStrategy> strategies() {
        return Stream.of(WaitStrategy.busyPoll(), WaitStrategy.spinThenPark(Duration.ofNanos(20_000)),
                WaitStrategy.sleeping());
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void manyVirtualThreads_payloadsRoundTripThroughAChildProcess(WaitStrategy wait) throws Exception {
        Path file = TestSegments.fresh("xproc");
        try (RingClient client = RingClient.create(file, GEOMETRY, 1, wait);
             RingServerProcess server = RingServerProcess.start(file, Duration.ofSeconds(30), "--workers", "2");
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            client.awaitServer(Duration.ofSeconds(10));
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                int id = t;
                results.add(threads.submit(() -> {
                    int n = 0;
                    for (int i = 0; i < 100; i++) {
                        assertEquals(server.pid(), client.call(CoreCalls.GETPID));
                        try (CallSlot slot = client.acquire()) {
                            int length = 1 + (id * 97 + i * 13) % 4000;
                            MemorySegment data = slot.data();
                            for (int b = 0; b < length; b++) {
                                data.set(ValueLayout.JAVA_BYTE, b, (byte) (id ^ b ^ i));
                            }
                            CRC32C crc = new CRC32C();
                            crc.update(data.asSlice(0, length).asByteBuffer());
                            assertEquals(crc.getValue(), slot.call(CoreCalls.CHECKSUM, slot.dataOffset(), length, 0));
                        }
                        n++;
                    }
                    return n;
                }));
            }
            for (Future<Integer> r : results) {
                assertEquals(100, r.get(60, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void sigkillMidCall_ownerReportsTheExit_everyCallInFlightFailsAtOnce() throws Exception {
        Path file = TestSegments.fresh("kill-owner");
        try (RingClient client = RingClient.create(file, GEOMETRY, 1,
                WaitStrategy.spinThenPark(Duration.ofNanos(20_000)));
             RingServerProcess server = RingServerProcess.start(file, Duration.ofSeconds(30))) {
            client.awaitServer(Duration.ofSeconds(10));
            // What an owner (the control plane) does: it sees the process exit and tells the ring.
            server.process().onExit().thenRun(() -> client.fail(RingFailure.Died.exited(
                    server.process().exitValue())));
            Outcome outcome = underLoad(client, 48, () -> server.signal(Linux.SIGKILL));
            outcome.assertAllFailedWithin(DEATH_BOUND_MS, RingFailure.Died.exited(137), "exited with status 137");
        }
    }

    @Test
    void sigkillMidCall_noOwner_theStaleHeartbeatAndProcFailEveryCallInFlight_asADeath() throws Exception {
        Path file = TestSegments.fresh("kill-heartbeat");
        try (RingClient client = RingClient.create(file, GEOMETRY, 1, WaitStrategy.busyPoll());
             RingServerProcess server = RingServerProcess.start(file, Duration.ofSeconds(30))) {
            client.awaitServer(Duration.ofSeconds(10));
            Outcome outcome = underLoad(client, 16, () -> server.signal(Linux.SIGKILL));
            // The heartbeat went stale and the process is gone from /proc (or a zombie): it died, it is not hung.
            outcome.assertAllFailedWithin(HANG_BOUND_MS, RingFailure.Died.unknown(), "the domain process died");
        }
    }

    @Test
    void sigstopMidCall_hangDetected_nextGenerationServes_resumedServerNeverDeliversAndLeaves() throws Exception {
        Path first = TestSegments.fresh("stop-gen1");
        RingServerProcess stopped = null;
        try (RingClient client = RingClient.create(first, GEOMETRY, 1, WaitStrategy.sleeping())) {
            stopped = RingServerProcess.start(first, Duration.ofSeconds(30), "--workers", "2");
            client.awaitServer(Duration.ofSeconds(10));
            RingServerProcess victim = stopped;
            // Long calls are surely in flight (accepted, inside the worker) when the signal lands.
            Outcome outcome = underLoad(client, 32, () -> victim.signal(Linux.SIGSTOP), CoreCalls.SLEEP, 2_000_000);
            outcome.assertAllFailedWithin(HANG_BOUND_MS, RingFailure.Hung.class, "hung");
            assertTrue(stopped.process().isAlive(), "SIGSTOP must not kill the server");
        }
        // The domain's next generation: a fresh segment, a fresh server.
        Path second = TestSegments.fresh("stop-gen2");
        try (RingClient client = RingClient.create(second, GEOMETRY, 2, WaitStrategy.sleeping());
             RingServerProcess next = RingServerProcess.start(second, Duration.ofSeconds(30))) {
            client.awaitServer(Duration.ofSeconds(10));
            assertEquals(next.pid(), client.call(CoreCalls.GETPID));
            // The old server resumes: it finishes what it was doing into a segment nobody reads any more, sees
            // that its client left, and stops serving; the new generation's calls are untouched.
            stopped.signal(Linux.SIGCONT);
            assertTrue(stopped.process().waitFor(10, TimeUnit.SECONDS), "a resumed server whose client left must exit");
            assertEquals(0, stopped.process().exitValue());
            for (int i = 0; i < 1000; i++) {
                assertEquals(next.pid(), client.call(CoreCalls.GETPID));
            }
        } finally {
            if (stopped != null) {
                stopped.close();
            }
        }
    }

    @Test
    void clientCloses_theServerProcessStopsServingAndExits() throws Exception {
        Path file = TestSegments.fresh("leave");
        RingServerProcess server;
        try (RingClient client = RingClient.create(file, GEOMETRY, 1, WaitStrategy.busyPoll())) {
            server = RingServerProcess.start(file, Duration.ofSeconds(30));
            client.awaitServer(Duration.ofSeconds(10));
            assertEquals(0, client.call(CoreCalls.NOP));
        }
        try (server) {
            assertTrue(server.process().waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, server.process().exitValue());
        }
    }

    @Test
    void parentDies_aServerStartedWithExitWithParentStops() throws Exception {
        Path file = TestSegments.fresh("orphan");
        try (RingClient client = RingClient.create(file, GEOMETRY, 1, WaitStrategy.busyPoll())) {
            String java = ProcessHandle.current().info().command().orElseThrow();
            String server = String.join(" ", java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), "dev.vos.ring.server.RingServerMain", "--segment",
                    file.toString(), "--busy-poll", "--exit-with-parent", "--parent-pid", "$$");
            Path out = Files.createTempFile("orphan", ".out");
            // The shell is the server's parent; it exits once its input ends, which the test closes only after the
            // server watches its parent (it prints "serving" after that). With a fixed sleep instead, a JVM that
            // started slower than the sleep read its parent after the shell had gone, and never stopped; one that
            // started just in time lost its parent before answering.
            Process shell = new ProcessBuilder("sh", "-c", server + " >" + out + " 2>&1 & echo $!; read _").start();
            // One line: the shell's output stays open while it waits for its input.
            long pid = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(shell.getInputStream()))
                    .readLine().strip());
            ProcessHandle orphan = ProcessHandle.of(pid).orElseThrow();
            try {
                client.awaitServer(Duration.ofSeconds(20));
                assertEquals(pid, client.call(CoreCalls.GETPID));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!Files.readString(out).contains("serving ") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(Files.readString(out).contains("serving "), Files.readString(out));
                shell.getOutputStream().close();
                assertTrue(shell.waitFor(10, TimeUnit.SECONDS));
                assertTrue(orphan.onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).get() != null
                        && !orphan.isAlive(), "the server must stop once its parent died");
                assertFalse(Files.exists(file), "and remove the segment its dead creator left");
            } finally {
                orphan.destroyForcibly();
                Files.deleteIfExists(out);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private Outcome underLoad(RingClient client, int threads, Runnable fault) throws Exception {
        return underLoad(client, threads, fault, CoreCalls.NOP, 0);
    }

    /**
     * Runs {@code threads} virtual threads calling in a loop, injects {@code fault} once calls flow, and records
     * how each thread's loop ended and when.
     */
    private Outcome underLoad(RingClient client, int threads, Runnable fault, int call, long arg) throws Exception {
        AtomicLong completed = new AtomicLong();
        AtomicInteger otherErrors = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<Future<Failure>> ends = new ArrayList<>();
        long faultAt;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                ends.add(pool.submit(() -> {
                    while (!stop.get()) {
                        try {
                            long r = client.call(call, arg, 0, 0, 0, 0, 0);
                            if (r < 0) {
                                otherErrors.incrementAndGet();
                            }
                            completed.incrementAndGet();
                        } catch (DomainFailedException e) {
                            return new Failure(System.nanoTime(), e);
                        }
                    }
                    return null;
                }));
            }
            long start = System.nanoTime();
            while (completed.get() < threads * 4L && System.nanoTime() - start < 20_000_000_000L) {
                Thread.sleep(1);
            }
            assertTrue(completed.get() >= threads * 4L, "calls did not flow before the fault: " + completed.get());
            faultAt = System.nanoTime();
            fault.run();
            List<Failure> failures = new ArrayList<>();
            try {
                for (Future<Failure> end : ends) {
                    failures.add(end.get(30, TimeUnit.SECONDS)); // a hang fails the test here
                }
            } finally {
                stop.set(true); // so that the pool can close even when the test failed
            }
            return new Outcome(faultAt, failures, otherErrors.get());
        }
    }

    private record Failure(long atNs, DomainFailedException exception) {
    }

    private record Outcome(long faultAtNs, List<Failure> failures, int otherErrors) {
        /** Every call failed with the failure {@code cause} (and {@code reason} in its message) in time. */
        void assertAllFailedWithin(long boundMs, RingFailure cause, String reason) {
            assertAllFailedWithin(boundMs, cause.getClass(), reason);
            for (Failure f : failures) {
                assertEquals(cause, f.exception().failure().orElseThrow());
            }
        }

        /** Every call failed with a failure of type {@code cause} (and {@code reason} in its message) in time. */
        void assertAllFailedWithin(long boundMs, Class<? extends RingFailure> cause, String reason) {
            assertEquals(0, otherErrors, "no call may return an error other than the domain failure");
            long worstMs = 0;
            for (Failure f : failures) {
                worstMs = Math.max(worstMs, TimeUnit.NANOSECONDS.toMillis(f.atNs() - faultAtNs));
                assertEquals(Errno.EIO, f.exception().errno());
                assertInstanceOf(cause, f.exception().failure().orElseThrow(), f.exception().getMessage());
                assertTrue(f.exception().getMessage().contains(reason),
                        "expected the reason '" + reason + "' in: " + f.exception().getMessage());
            }
            assertTrue(worstMs <= boundMs, "the last call failed " + worstMs + " ms after the fault; bound " + boundMs);
        }
    }
}
