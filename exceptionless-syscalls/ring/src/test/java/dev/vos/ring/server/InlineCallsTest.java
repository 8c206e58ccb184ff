package dev.vos.ring.server;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.RingSegment;
import dev.vos.ring.TestSegments;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.layout.SlotLayout;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/** A handler run inline sees the arguments of its slot and the table's session state, as under a worker. */
class InlineCallsTest {

    private static final int SECOND_ARG = 64;
    private static final int HAS_SESSION = 65;

    @Test
    void run_readsTheSlotsArguments_answersUnknownCallsAsAWorker_andClosesTheSession() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        AutoCloseable state = () -> closed.set(true);
        CallTable table = CoreCallHandlers.register(CallTable.builder())
                .add(SECOND_ARG, "second-arg", call -> call.arg(1))
                .add(HAS_SESSION, "has-session", call -> call.session() == state ? 1 : 0)
                .sessionState(() -> state)
                .build();
        RingGeometry geometry = RingGeometry.DEFAULT;
        Path file = TestSegments.fresh("inline");
        try (RingSegment segment = TestSegments.create(file, geometry)) {
            segment.setLongPlain(geometry.slotOffset(3) + SlotLayout.argOffset(1), 4242);
            try (InlineCalls calls = new InlineCalls(segment, geometry, table)) {
                assertEquals(4242, calls.run(3, SECOND_ARG));
                assertEquals(0, calls.run(2, SECOND_ARG), "slot 2's arguments, not slot 3's");
                assertEquals(1, calls.run(0, HAS_SESSION));
                assertEquals(ProcessHandle.current().pid(), calls.run(0, CoreCalls.GETPID));
                assertEquals(-Errno.ENOSYS, calls.run(0, 999));
                assertFalse(closed.get());
            }
            assertTrue(closed.get(), "the session state is closed with the calls");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
