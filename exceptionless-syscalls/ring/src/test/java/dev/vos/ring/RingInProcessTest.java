package dev.vos.ring;

import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerOptions;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ring's behaviour with client and server in one JVM, on a real /dev/shm segment: every wait strategy,
 * payloads, errors for bad calls, and many concurrent virtual threads.
 */
@Timeout(60)
class RingInProcessTest {

    static Stream<WaitStrategy> strategies() {
        return Stream.of(WaitStrategy.busyPoll(), WaitStrategy.spinThenPark(Duration.ofNanos(20_000)),
                WaitStrategy.sleeping());
    }

    /** A client and a server on a fresh segment; closing it stops both and removes the file. */
    record Pair(RingClient client, RingServer server) implements AutoCloseable {
        static Pair open(WaitStrategy wait, ServerOptions options) throws Exception {
            RingClient client = RingClient.create(TestSegments.fresh("inproc"), RingGeometry.DEFAULT, 1, wait);
            RingServer server = RingServer.attach(client.file(), CoreCallHandlers.table(), options);
            client.awaitServer(Duration.ofSeconds(5));
            return new Pair(client, server);
        }

        @Override
        public void close() throws Exception {
            client.close();
            server.awaitTermination();
        }
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void getpid_returnsTheServersPid(WaitStrategy wait) throws Exception {
        try (Pair p = Pair.open(wait, ServerOptions.DEFAULT)) {
            assertEquals(Linux.getpid(), p.client().call(CoreCalls.GETPID));
            assertEquals(0, p.client().call(CoreCalls.NOP));
        }
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void manyVirtualThreads_eachGetsItsOwnResult(WaitStrategy wait) throws Exception {
        try (Pair p = Pair.open(wait, ServerOptions.DEFAULT.withWorkers(2));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 200; t++) {
                int id = t;
                results.add(threads.submit(() -> {
                    int checked = 0;
                    for (int i = 0; i < 200; i++) {
                        try (CallSlot slot = p.client().acquire()) {
                            byte value = (byte) (id * 31 + i);
                            assertEquals(100, slot.call(CoreCalls.FILL, slot.dataOffset(), 100, value & 0xFF));
                            for (int b = 0; b < 100; b++) {
                                assertEquals(value, slot.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, b));
                            }
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            for (Future<Integer> r : results) {
                assertEquals(200, r.get());
            }
            assertEquals(0, p.server().protocolErrors());
            assertEquals(0, p.server().handlerFailures());
        }
    }

    @Test
    void parkedCallers_leaveNoRegistrationBehind_soTheMonitorGoesQuiet() throws Exception {
        try (Pair p = Pair.open(WaitStrategy.sleeping(), ServerOptions.DEFAULT.withWorkers(2));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        p.client().call(CoreCalls.NOP);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            assertEquals(0, dev.vos.ring.client.ClientTestAccess.watchedCount(p.client()),
                    "every parked caller must be unregistered once its call is done");
        }
    }

    @Test
    void anInterruptedCaller_waitsForItsCallWithoutSpinning_andKeepsTheInterrupt() throws Exception {
        try (Pair p = Pair.open(WaitStrategy.sleeping(), ServerOptions.DEFAULT)) {
            long[] result = new long[1];
            boolean[] interruptedAfter = new boolean[1];
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    result[0] = p.client().call(CoreCalls.SLEEP, 400_000_000L, 0, 0, 0, 0, 0);
                } catch (DomainFailedException e) {
                    result[0] = Long.MIN_VALUE;
                }
                interruptedAfter[0] = Thread.currentThread().isInterrupted();
            });
            Thread.sleep(50);
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpuBefore = threads.getThreadCpuTime(caller.threadId());
            caller.interrupt();
            Thread.sleep(250); // the call is still in the server's SLEEP: the caller must be parked, not spinning
            long cpuNs = threads.getThreadCpuTime(caller.threadId()) - cpuBefore;
            caller.join(5_000);
            assertEquals(0, result[0], "the call still completes with its result");
            assertTrue(interruptedAfter[0], "the interrupt is kept for the caller");
            assertTrue(cpuNs < 100_000_000L,
                    "the interrupted caller spun: " + cpuNs / 1_000_000 + " ms of CPU in 250 ms");
        }
    }

    @Test
    void checksum_seesThePayloadTheClientWrote() throws Exception {
        try (Pair p = Pair.open(WaitStrategy.busyPoll(), ServerOptions.DEFAULT);
             CallSlot slot = p.client().acquire()) {
            byte[] bytes = new byte[p.client().geometry().dataBytesPerSlot()];
            ThreadLocalRandom.current().nextBytes(bytes);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, slot.data(), 0, bytes.length);
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            assertEquals(crc.getValue(), slot.call(CoreCalls.CHECKSUM, slot.dataOffset(), bytes.length, 0));
        }
    }

    @Test
    void badCalls_getTheirErrnoAndTheRingKeepsServing() throws Exception {
        try (Pair p = Pair.open(WaitStrategy.busyPoll(), ServerOptions.DEFAULT);
             CallSlot slot = p.client().acquire()) {
            long dataBytes = p.client().geometry().dataBytes();
            assertEquals(-Errno.ENOSYS, slot.call(4242));
            assertEquals(-Errno.EFAULT, slot.call(CoreCalls.CHECKSUM, dataBytes - 10, 11, 0));
            assertEquals(-Errno.EFAULT, slot.call(CoreCalls.CHECKSUM, -1, 10, 0));
            assertEquals(-Errno.EFAULT, slot.call(CoreCalls.CHECKSUM, 0, -5, 0));
            assertEquals(-Errno.EFAULT, slot.call(CoreCalls.FILL, Long.MAX_VALUE, Long.MAX_VALUE, 1));
            assertEquals(-Errno.EINVAL, slot.call(CoreCalls.FILL, 0, 10, 256));
            assertEquals(-Errno.EINVAL, slot.call(CoreCalls.SLEEP, -1, 0, 0));
            // the whole data area is addressable, the byte after it is not
            assertEquals(dataBytes, slot.call(CoreCalls.FILL, 0, dataBytes, 7));
            assertEquals(0, slot.call(CoreCalls.NOP));
        }
    }

    @Test
    void aSlotIsHeldByOneCallerAtATime() throws Exception {
        try (Pair p = Pair.open(WaitStrategy.busyPoll(), ServerOptions.DEFAULT)) {
            CallSlot slot = p.client().acquire();
            slot.close();
            assertThrows(IllegalStateException.class, () -> slot.call(CoreCalls.NOP));
            assertThrows(IllegalStateException.class, slot::close);
            assertThrows(IllegalArgumentException.class, () -> p.client().call(-1));
        }
    }

    @Test
    void allSlotsBusy_acquireWaitsForOneToBeReleased() throws Exception {
        RingGeometry small = new RingGeometry(2, 4096, 200_000_000L);
        Path file = TestSegments.fresh("small");
        try (RingClient client = RingClient.create(file, small, 1, WaitStrategy.busyPoll());
             RingServer server = RingServer.attach(file, CoreCallHandlers.table(), ServerOptions.DEFAULT);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            client.awaitServer(Duration.ofSeconds(5));
            CallSlot a = client.acquire();
            CallSlot b = client.acquire();
            Future<Long> third = threads.submit(() -> client.call(CoreCalls.NOP));
            Thread.sleep(100);
            assertFalse(third.isDone(), "a third caller must wait while both slots are held");
            a.close();
            assertEquals(0L, third.get());
            b.close();
        }
    }

    @Test
    void callBeforeAnyServer_failsFastWithAClearMessage() throws Exception {
        try (RingClient client = RingClient.create(TestSegments.fresh("noserver"), RingGeometry.DEFAULT, 3,
                WaitStrategy.busyPoll())) {
            DomainFailedException e = assertThrows(DomainFailedException.class, () -> client.call(CoreCalls.NOP));
            assertTrue(e.getMessage().contains("no server has attached"), e.getMessage());
            assertTrue(e.failure().isEmpty(), "no ring failed: " + e.failure());
            assertEquals(3, e.generation());
            assertEquals(Errno.EIO, e.errno());
            assertThrows(DomainFailedException.class, () -> client.awaitServer(Duration.ofMillis(50)));
        }
    }

    @Test
    void serverStops_queuedAndLaterCallsFailAndTheFileIsRemovedOnClose() throws Exception {
        Path file;
        try (Pair p = Pair.open(WaitStrategy.sleeping(), ServerOptions.DEFAULT)) {
            file = p.client().file();
            p.server().close();
            DomainFailedException e = assertThrows(DomainFailedException.class,
                    () -> p.client().call(CoreCalls.NOP));
            assertTrue(e.getMessage().contains("stopped"), e.getMessage());
            assertEquals(new RingFailure.Stopped(), e.failure().orElseThrow());
        }
        assertFalse(Files.exists(file));
    }

    @Test
    void idleServer_sleepsAndIsWokenByTheNextCall() throws Exception {
        try (Pair p = Pair.open(WaitStrategy.busyPoll(), ServerOptions.DEFAULT.withIdleSpin(Duration.ofMillis(1)))) {
            p.client().call(CoreCalls.NOP);
            for (int i = 0; i < 5; i++) {
                Thread.sleep(20); // the worker sleeps after 1 ms idle
                assertEquals(Linux.getpid(), p.client().call(CoreCalls.GETPID));
            }
            assertTrue(p.client().workerWakeups() >= 5, "wakeups: " + p.client().workerWakeups());
        }
    }

    @Test
    void busyServer_isNeverWoken() throws Exception {
        try (Pair p = Pair.open(WaitStrategy.busyPoll(), ServerOptions.DEFAULT.busyPolling())) {
            for (int i = 0; i < 10_000; i++) {
                p.client().call(CoreCalls.NOP);
            }
            assertEquals(0, p.client().workerWakeups());
        }
    }
}
