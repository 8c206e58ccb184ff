package dev.vos.ring.server;

import dev.vos.ring.TestSegments;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A deferred call marked WAITING (it waits for a peer) is answered as any deferred call: the client, which stops
 * spinning for it and sleeps, still gets its result; a mark that comes after the answer changes nothing, neither
 * that call's slot nor the next call's in the same slot.
 */
@Timeout(60)
class WaitingMarkTest {

    private static final int WAIT = 1;

    @Test
    void aCallMarkedWaiting_isAnswered_andALateMarkChangesNothing() throws Exception {
        BlockingQueue<DeferredCall> parked = new LinkedBlockingQueue<>();
        CallTable table = CallTable.builder()
                .addMayWait(WAIT, "wait", call -> {
                    parked.add(call.defer());
                    return ServerCall.DEFERRED;
                })
                .build();
        // One call at a time: the client hands out the slot it had (or another); either way a late mark must fail.
        RingGeometry geometry = RingGeometry.DEFAULT;
        RingClient client = RingClient.create(TestSegments.fresh("waiting-mark"), geometry, 1,
                WaitStrategy.spinThenPark(Duration.ofNanos(20_000)));
        RingServer server = null;
        try {
            server = RingServer.attach(client.file(), table, ServerOptions.DEFAULT);
            client.awaitServer(Duration.ofSeconds(10));
            DeferredCall previous = null;
            for (int i = 0; i < 50; i++) {
                CompletableFuture<Long> answer = CompletableFuture.supplyAsync(() -> {
                    try {
                        return client.call(WAIT);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, Thread::startVirtualThread);
                DeferredCall call = parked.poll(20, TimeUnit.SECONDS);
                assertNotNull(call, "call " + i + " reached the handler");
                if (previous != null) {
                    assertFalse(previous.markWaiting(), "the last call's late mark finds its slot moved on");
                }
                assertTrue(call.markWaiting(), "an accepted call can be marked");
                Thread.sleep(i % 10 == 0 ? 5 : 0); // now and then long enough for the client's monitor to sleep
                assertTrue(call.complete(1000 + i));
                assertEquals(1000 + i, answer.get(20, TimeUnit.SECONDS));
                assertFalse(call.markWaiting(), "a mark after the answer fails: the slot stays COMPLETE");
                previous = call;
            }
        } finally {
            client.close();
            if (server != null) {
                server.awaitTermination();
            }
        }
    }
}
