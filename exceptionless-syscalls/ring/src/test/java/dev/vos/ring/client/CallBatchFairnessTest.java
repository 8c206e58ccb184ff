package dev.vos.ring.client;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.TestSegments;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Slots are handed out in the order they were asked for, so that threads taking batches do not starve a caller that
 * wants one slot. Found in a benchmark: 64 virtual threads reading 1 MiB batches on one carrier kept the main
 * thread from its one STATS call for minutes, because a thread that released its batch took the slots back before
 * the waiter it had woken could run. On two cores the woken waiter usually wins that race anyway, so this test
 * holds the order itself: a batch asked for after the waiter queued must wait behind it.
 */
@Timeout(60)
class CallBatchFairnessTest {

    @Test
    void aThreadThatReleasesABatch_andAsksAgain_queuesBehindTheCallerWaitingForOneSlot() throws Exception {
        RingGeometry geometry = new RingGeometry(8, 4096, 1_000_000_000L);
        try (RingClient client = RingClient.create(TestSegments.fresh("fair"), geometry, 1, WaitStrategy.busyPoll())) {
            RingServer server = RingServer.attach(client.file(), CoreCallHandlers.table(), ServerOptions.DEFAULT);
            client.awaitServer(Duration.ofSeconds(5));
            CallBatch held = client.acquireBatch(4);
            CallBatch first = client.acquireBatch(4); // all 8 slots taken
            CompletableFuture<Long> single = new CompletableFuture<>();
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    single.complete(client.call(CoreCalls.NOP));
                } catch (Exception e) {
                    single.completeExceptionally(e);
                }
            });
            Thread.sleep(200); // the waiter is parked in acquire, queued for one slot
            CompletableFuture<CallBatch> again = new CompletableFuture<>();
            Thread batcher = Thread.ofPlatform().start(() -> {
                first.close();
                try {
                    again.complete(client.acquireBatch(4)); // at once: it must not take the slots the waiter waits for
                } catch (Exception e) {
                    again.completeExceptionally(e);
                }
            });
            assertEquals(0, single.get(5, TimeUnit.SECONDS), "the waiter got its slot");
            again.get(5, TimeUnit.SECONDS).close();
            held.close();
            waiter.join();
            batcher.join();
            client.close();
            server.awaitTermination();
        }
    }
}
