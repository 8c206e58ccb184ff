package dev.vos.ring.client;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingFailure;
import dev.vos.ring.RingSegment;
import dev.vos.ring.TestSegments;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.layout.SlotLayout;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A parked platform-thread caller sleeps on its slot's park word and is woken there by the worker that completes its
 * call, with no monitor in between (docs/ring-protocol.md, section 7); a virtual thread keeps the monitor's path; a
 * failure wakes the word; and park words a hostile client forges cost the server one wake of that client's own word
 * per call, and nothing for another session.
 *
 * <p>The rings here have a 60 s liveness timeout, so a sleep on a park word that no one wakes would last the
 * monitor's period, 6 s: every bound asserted below is far under it, and far over what a loaded machine adds.
 */
@Timeout(60)
class ParkWordTest {

    private static final RingGeometry GEOMETRY = RingGeometry.DEFAULT.withLivenessTimeout(Duration.ofSeconds(60));
    /** Well under the 6 s a missed wake would cost; well over a loaded machine's scheduling delay. */
    private static final long WOKEN_WITHIN_MS = 3_000;

    private record Pair(RingClient client, RingServer server) implements AutoCloseable {
        static Pair open(WaitStrategy wait, CallTable table) throws Exception {
            RingClient client = RingClient.create(TestSegments.fresh("parkword"), GEOMETRY, 1, wait);
            RingServer server = RingServer.attach(client.file(), table, ServerOptions.DEFAULT);
            client.awaitServer(Duration.ofSeconds(5));
            return new Pair(client, server);
        }

        @Override
        public void close() throws Exception {
            client.close();
            server.awaitTermination();
        }
    }

    @Test
    void parkedPlatformCaller_isWokenByTheWorker_andTheMonitorUnparksNobody() throws Exception {
        try (Pair p = Pair.open(WaitStrategy.sleeping(), CoreCallHandlers.table())) {
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                assertEquals(0, p.client().call(CoreCalls.SLEEP, 5_000_000L, 0, 0, 0, 0, 0));
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(ms < WOKEN_WITHIN_MS, "call " + i + " took " + ms + " ms: a timeout woke it, no worker");
                assertEquals(0, p.client().call(CoreCalls.NOP));
            }
            assertTrue(p.client().parkWordSleeps() >= 20, "sleeps on park words: " + p.client().parkWordSleeps());
            assertEquals(0, p.client().monitorUnparks(), "the monitor unparked a platform caller");
            assertEquals(0, ClientTestAccess.watchedCount(p.client()));
            RingSegment segment = ClientTestAccess.segment(p.client());
            for (int i = 0; i < GEOMETRY.slotCount(); i++) {
                assertEquals(SlotLayout.PARK_NONE, segment.getIntVolatile(GEOMETRY.parkWordOffset(i)),
                        "park word " + i + " left set after its caller left");
            }
        }
    }

    @Test
    void parkedVirtualThread_keepsTheMonitorsPath() throws Exception {
        try (Pair p = Pair.open(WaitStrategy.sleeping(), CoreCallHandlers.table())) {
            Thread caller = Thread.ofVirtual().start(() -> {
                try {
                    assertEquals(0, p.client().call(CoreCalls.SLEEP, 5_000_000L, 0, 0, 0, 0, 0));
                } catch (DomainFailedException e) {
                    throw new AssertionError(e);
                }
            });
            assertTrue(caller.join(Duration.ofSeconds(30)));
            assertTrue(p.client().monitorUnparks() >= 1, "a virtual thread must park for the monitor, never on a word");
            assertEquals(0, p.client().parkWordSleeps());
        }
    }

    @Test
    void aFailure_wakesACallerSleepingOnItsParkWord() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CallTable table = CoreCallHandlers.register(CallTable.builder())
                .addMayWait(CoreCalls.FIRST_DOMAIN_CALL, "wait_for_test", call -> {
                    try {
                        return release.await(30, TimeUnit.SECONDS) ? 7 : 8;
                    } catch (InterruptedException e) {
                        return 9;
                    }
                }).build();
        try (Pair p = Pair.open(WaitStrategy.sleeping(), table)) {
            CompletableFuture<Long> result = new CompletableFuture<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    result.complete(p.client().call(CoreCalls.FIRST_DOMAIN_CALL));
                } catch (DomainFailedException e) {
                    result.completeExceptionally(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (p.client().parkWordSleeps() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(1, p.client().parkWordSleeps(), "the caller never slept on its park word");
            long start = System.nanoTime();
            p.client().fail(RingFailure.Died.exited(137));
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> result.get(WOKEN_WITHIN_MS, TimeUnit.MILLISECONDS));
            assertInstanceOf(DomainFailedException.class, failed.getCause());
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < WOKEN_WITHIN_MS);
            release.countDown();
            caller.join();
        } finally {
            release.countDown();
        }
    }

    @Test
    void forgedParkWords_costOneWakeOfTheForgersOwnWord_andNothingForAnotherSession() throws Exception {
        try (Pair hostile = Pair.open(WaitStrategy.busyPoll(), CoreCallHandlers.table());
             Pair honest = Pair.open(WaitStrategy.sleeping(), CoreCallHandlers.table())) {
            RingSegment forged = ClientTestAccess.segment(hostile.client());
            for (int i = 0; i < GEOMETRY.slotCount(); i++) {
                forged.setIntVolatile(GEOMETRY.parkWordOffset(i), i % 2 == 0 ? SlotLayout.PARK_SLEEPING : -1);
            }
            int used;
            try (CallSlot slot = hostile.client().acquire()) {
                used = slot.index();
                assertEquals(0, slot.call(CoreCalls.NOP));
            }
            for (int i = 0; i < 50; i++) {
                assertEquals(0, honest.client().call(CoreCalls.SLEEP, 1_000_000L, 0, 0, 0, 0, 0));
            }
            // The server took back the one word of the slot it completed a call in, if it read PARK_SLEEPING, and
            // left every other word as the client wrote it (it never scans them, nor writes a word it did not
            // find sleeping).
            for (int i = 0; i < GEOMETRY.slotCount(); i++) {
                int expected = i == used && i % 2 == 0 ? SlotLayout.PARK_NONE
                        : i % 2 == 0 ? SlotLayout.PARK_SLEEPING : -1;
                assertEquals(expected, forged.getIntVolatile(GEOMETRY.parkWordOffset(i)), "forged park word " + i);
            }
            assertEquals(0, hostile.server().stats().protocolErrors());
            assertEquals(0, honest.client().monitorUnparks());
            assertTrue(honest.client().parkWordSleeps() > 0);
            RingSegment own = ClientTestAccess.segment(honest.client());
            for (int i = 0; i < GEOMETRY.slotCount(); i++) {
                assertEquals(SlotLayout.PARK_NONE, own.getIntVolatile(GEOMETRY.parkWordOffset(i)));
            }
        }
    }
}
