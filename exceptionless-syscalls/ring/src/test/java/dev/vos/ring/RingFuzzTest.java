package dev.vos.ring;

import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.layout.SlotLayout;
import dev.vos.ring.server.RingServerProcess;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.vos.ring.layout.HeaderLayout.AWAKE_WORKERS_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.QUEUE_HEAD_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.WORKER_FUTEX_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Throws more than a million random slot contents at a live server in a child process, through a second, raw
 * mapping of the segment (a hostile client ignores the client library), then shows the server still serves a
 * well-behaved client correctly. The server runs one worker, which serves the queue in order; each batch ends
 * with a well-formed sentinel call, and the sentinel's completion means the worker has passed the whole batch.
 */
@Timeout(300)
class RingFuzzTest {

    private static final int RANDOM_SLOTS = 1_000_000;
    private static final long SEED = Long.getLong("vos.fuzz.seed", 0x5EED_F00DL);

    @Test
    void aMillionRandomSlots_thenTornWrites_thenAWellBehavedClientIsServedCorrectly() throws Exception {
        Path file = TestSegments.fresh("fuzz");
        RingGeometry geometry = RingGeometry.DEFAULT;
        try (RingClient client = RingClient.create(file, geometry, 1, WaitStrategy.busyPoll());
             RingServerProcess server = RingServerProcess.start(file, Duration.ofSeconds(30), "--workers", "1");
             RingSegment raw = TestSegments.open(file)) {
            client.awaitServer(Duration.ofSeconds(10));
            assertEquals(server.pid(), client.call(CoreCalls.GETPID));

            Fuzzer fuzzer = new Fuzzer(raw, geometry, new SplittableRandom(SEED));
            int sent = 0;
            while (sent < RANDOM_SLOTS) {
                sent += fuzzer.batch();
                assertTrue(server.process().isAlive(), "server died after " + sent + " random slots");
            }
            tornWrites(raw, geometry, fuzzer, server);
            assertTrue(server.process().isAlive(), "server died during torn writes");

            Thread.sleep(geometry.livenessTimeoutNs() / 1_000_000 / 5); // one heartbeat publishes the counters
            assertTrue(client.serverProtocolErrors() > 0, "the server must have refused malformed entries");
            wellBehavedClientIsServed(client, server);
            assertFalse(client.hasFailed(), "fuzzing must not make the client's ring fail: " + client.failureReason());
        }
    }

    /** Random bytes written into slots while the server is reading them: torn slots must not hurt it either. */
    private static void tornWrites(RingSegment raw, RingGeometry geometry, Fuzzer fuzzer, RingServerProcess server)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        // The scribbler rests a few microseconds every 64 writes: on 2 cores a third thread that never yields
        // starves the server's worker, and the phase then measures the scheduler instead of the server.
        Thread scribbler = Thread.ofPlatform().start(() -> {
            SplittableRandom random = new SplittableRandom(SEED + 1);
            for (long n = 0; !stop.get(); n++) {
                int slot = random.nextInt(Fuzzer.SENTINEL); // never the sentinel's slot
                raw.setLongPlain(geometry.slotOffset(slot) + 8L * random.nextInt(8), random.nextLong());
                if ((n & 63) == 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
            }
        });
        try {
            for (int i = 0; i < 500; i++) {
                fuzzer.batch();
            }
        } finally {
            stop.set(true);
            scribbler.join();
        }
        assertTrue(server.process().isAlive());
    }

    private static void wellBehavedClientIsServed(RingClient client, RingServerProcess server) throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                int id = t;
                results.add(threads.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        assertEquals(server.pid(), client.call(CoreCalls.GETPID));
                        try (CallSlot slot = client.acquire()) {
                            int value = (id + i) & 0xFF;
                            assertEquals(512, slot.call(CoreCalls.FILL, slot.dataOffset(), 512, value));
                            assertEquals((byte) value, slot.data().get(ValueLayout.JAVA_BYTE, 511));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> r : results) {
                r.get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Writes batches of random slots straight into the segment and queues them. */
    private static final class Fuzzer {
        /** The last slot is the sentinel's; random entries never name it. */
        static final int SENTINEL = RingGeometry.DEFAULT.slotCount() - 1;

        private final RingSegment raw;
        private final RingGeometry geometry;
        private final SubmitQueue queue;
        private final SplittableRandom random;
        private int sentinelSequence;

        Fuzzer(RingSegment raw, RingGeometry geometry, SplittableRandom random) {
            this.raw = raw;
            this.geometry = geometry;
            this.queue = new SubmitQueue(raw, geometry);
            this.random = random;
        }

        /** Sends one batch of random slots and waits for the sentinel behind them; returns how many were random. */
        int batch() {
            for (int slot = 0; slot < SENTINEL; slot++) {
                randomSlot(geometry.slotOffset(slot));
            }
            for (int slot = 0; slot < SENTINEL; slot++) {
                int roll = random.nextInt(100);
                if (roll < 3) {
                    queue.offer(random.nextInt(SENTINEL + 1, 1 << 16)); // an index past the last slot
                } else if (roll < 6) {
                    queue.offer(random.nextInt(SENTINEL)); // a duplicate entry for some slot
                } else {
                    queue.offer(slot);
                }
            }
            long sentinel = geometry.slotOffset(SENTINEL);
            int seq = ++sentinelSequence;
            raw.setLongRelease(sentinel, SlotLayout.control(SlotLayout.SUBMITTED, CoreCalls.NOP, seq));
            queue.offer(SENTINEL);
            wakeSleepingWorker();
            long expected = SlotLayout.control(SlotLayout.COMPLETE, CoreCalls.NOP, seq);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (raw.getLongAcquire(sentinel) != expected) {
                if (System.nanoTime() > deadline) {
                    fail("the sentinel of a fuzz batch did not complete within 10 s (queue head "
                            + raw.getLongVolatile(QUEUE_HEAD_OFFSET) + ")");
                }
                Thread.onSpinWait();
            }
            assertEquals(0, raw.getLongPlain(sentinel + SlotLayout.RESULT_OFFSET));
            return SENTINEL;
        }

        /**
         * As a client's submit: a worker that went to sleep (AWAKE_WORKERS 0) is woken through its futex. Without
         * it, a worker that slept while this machine was busy would wait out its sleep for every batch, and the
         * test would time the worker's nap instead of the server (it took over 10 minutes under load).
         */
        private void wakeSleepingWorker() {
            if (raw.getIntVolatile(AWAKE_WORKERS_OFFSET) == 0) {
                raw.getAndAddInt(WORKER_FUTEX_OFFSET, 1);
                Linux.futexWake(raw.address(WORKER_FUTEX_OFFSET), 1);
            }
        }

        /**
         * Random contents; most submitted (so handlers see random arguments), some in random states. Call numbers
         * are biased to the real calls, with payload ranges sometimes valid, so that handlers run, not only the
         * checks in front of them.
         */
        private void randomSlot(long offset) {
            for (int word = 1; word < 8; word++) {
                raw.setLongPlain(offset + 8L * word, random.nextLong());
            }
            int call = random.nextInt(4) == 0 ? random.nextInt(1 << 24) : random.nextInt(8);
            if (call == CoreCalls.SLEEP) {
                raw.setLongPlain(offset + SlotLayout.argOffset(0), random.nextLong(1_000)); // keep the worker moving
            } else if (random.nextBoolean()) {
                long length = random.nextLong(geometry.dataBytesPerSlot());
                raw.setLongPlain(offset + SlotLayout.argOffset(0), random.nextLong(geometry.dataBytes() - length + 1));
                raw.setLongPlain(offset + SlotLayout.argOffset(1), length);
                raw.setLongPlain(offset + SlotLayout.argOffset(2), random.nextInt(300));
            }
            long control = random.nextInt(5) == 0 ? random.nextLong()
                    : SlotLayout.control(SlotLayout.SUBMITTED, call, random.nextInt());
            raw.setLongRelease(offset, control);
        }
    }
}
