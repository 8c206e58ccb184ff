package dev.vos.ring.server;

import dev.vos.ring.TestSegments;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A table's {@link IdlePoll} runs on each worker's own thread while its queue is empty, and can complete calls
 * parked earlier: here nothing else ever completes them, so each answer proves the idle poll ran after the park.
 */
@Timeout(60)
class IdlePollTest {

    private static final int PARK = 1;

    @Test
    void aBusyPollingWorker_completesParkedCalls_fromItsIdlePoll_onItsOwnThread() throws Exception {
        Queue<DeferredCall> parked = new ConcurrentLinkedQueue<>();
        Set<String> pollThreads = ConcurrentHashMap.newKeySet();
        Set<String> handlerThreads = ConcurrentHashMap.newKeySet();
        AtomicInteger made = new AtomicInteger();
        CallTable table = CallTable.builder()
                .addMayWait(PARK, "park", call -> {
                    handlerThreads.add(Thread.currentThread().getName());
                    parked.add(call.defer());
                    return ServerCall.DEFERRED;
                })
                .idlePoll(() -> {
                    made.incrementAndGet();
                    return () -> {
                        pollThreads.add(Thread.currentThread().getName());
                        DeferredCall call;
                        while ((call = parked.poll()) != null) {
                            call.complete(42);
                        }
                    };
                })
                .build();
        RingClient client = RingClient.create(TestSegments.fresh("idle-poll"), RingGeometry.DEFAULT, 1,
                WaitStrategy.sleeping());
        RingServer server = null;
        try {
            server = RingServer.attach(client.file(), table, ServerOptions.DEFAULT.busyPolling());
            client.awaitServer(Duration.ofSeconds(10));
            for (int i = 0; i < 100; i++) {
                assertEquals(42, client.call(PARK), "call " + i);
            }
        } finally {
            client.close();
            if (server != null) {
                server.awaitTermination();
            }
        }
        assertEquals(1, made.get(), "one idle poll per worker");
        assertEquals(handlerThreads, pollThreads, "polled by the worker that parked the calls, and by no other");
    }

    @Test
    void aTableWithoutAnIdlePoll_hasNone_andASecondFactoryIsRefused() {
        assertNull(CallTable.builder().build().newIdlePoll());
        CallTable.Builder builder = CallTable.builder().idlePoll(() -> () -> { });
        assertThrows(IllegalStateException.class, () -> builder.idlePoll(() -> () -> { }));
    }
}
