package dev.vos.ring.server;

import dev.vos.ring.TestSegments;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Session state: each served ring gets its own object from the table's factory, its handlers see that one, and it
 * is closed when the ring stops being served.
 */
@Timeout(60)
class SessionStateTest {

    /** A per-session counter: what a descriptor table is, reduced to its essence. */
    static final class Counter implements AutoCloseable {
        final int id;
        final AtomicInteger next = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();

        Counter(int id) {
            this.id = id;
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    private static final int NEXT = 64;
    private static final int ID = 65;

    @Test
    void eachRingHasItsOwnState_closedWhenTheServerStops() throws Exception {
        AtomicInteger ids = new AtomicInteger();
        List<Counter> made = new ArrayList<>();
        CallTable table = CoreCallHandlers.register(CallTable.builder())
                .add(NEXT, "next",
                        call -> call.session() instanceof Counter c ? c.next.incrementAndGet() : -Errno.EINVAL)
                .add(ID, "id", call -> ((Counter) call.session()).id)
                .sessionState(() -> {
                    Counter c = new Counter(ids.incrementAndGet());
                    synchronized (made) {
                        made.add(c);
                    }
                    return c;
                })
                .build();
        try (RingClient a = RingClient.create(TestSegments.fresh("session-a"), RingGeometry.DEFAULT, 1,
                WaitStrategy.sleeping());
             RingClient b = RingClient.create(TestSegments.fresh("session-b"), RingGeometry.DEFAULT, 1,
                     WaitStrategy.sleeping())) {
            RingServer serverA = RingServer.attach(a.file(), table, ServerOptions.DEFAULT.withWorkers(2));
            RingServer serverB = RingServer.attach(b.file(), table, ServerOptions.DEFAULT);
            a.awaitServer(Duration.ofSeconds(5));
            b.awaitServer(Duration.ofSeconds(5));

            assertEquals(1, a.call(NEXT));
            assertEquals(2, a.call(NEXT));
            assertEquals(1, b.call(NEXT), "b's counter is not a's");
            assertNotEquals(a.call(ID), b.call(ID));
            assertEquals(2, made.size(), "one state per ring, not per worker");

            int idA = (int) a.call(ID);
            Counter stateA = made.stream().filter(c -> c.id == idA).findFirst().orElseThrow();
            Counter stateB = made.stream().filter(c -> c != stateA).findFirst().orElseThrow();
            serverA.close();
            assertTrue(stateA.closed.get(), "a's state is closed when a's server stops");
            assertFalse(stateB.closed.get(), "b's state lives on");
            assertEquals(2, b.call(NEXT));
            serverB.close();
            assertTrue(stateB.closed.get());
        }
    }

    @Test
    void aTableWithoutFactory_givesNoState() throws Exception {
        CallTable table = CoreCallHandlers.register(CallTable.builder())
                .add(NEXT, "next", call -> call.session() == null ? 0 : -Errno.EINVAL)
                .build();
        assertNull(table.newSessionState());
        try (RingClient a = RingClient.create(TestSegments.fresh("session-none"), RingGeometry.DEFAULT, 1,
                WaitStrategy.sleeping());
             RingServer server = RingServer.attach(a.file(), table, ServerOptions.DEFAULT)) {
            a.awaitServer(Duration.ofSeconds(5));
            assertEquals(0, a.call(NEXT));
        }
    }

    @Test
    void aSecondFactory_isRefused() {
        CallTable.Builder builder = CallTable.builder().sessionState(() -> () -> { });
        assertThrows(IllegalStateException.class, () -> builder.sessionState(() -> () -> { }));
    }
}
