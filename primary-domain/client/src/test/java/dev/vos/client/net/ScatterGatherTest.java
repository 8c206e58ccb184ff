package dev.vos.client.net;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The gathering and scattering of a connection's one call: bytes in order across buffers (empty ones among them),
 * cut at the payload chunk's size, and the buffers moved by exactly what the domain took or gave.
 */
class ScatterGatherTest {

    private static ByteBuffer text(final String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(final MemorySegment segment, final int n) {
        return new String(segment.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE),
                StandardCharsets.UTF_8);
    }

    @Test
    void gather_copiesInOrderUpToTheChunk_andMovesNothing_untilConsumedSaysHowMuchWasSent() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment chunk = arena.allocate(8);
            final ByteBuffer skipped = text("zz");
            final ByteBuffer[] srcs = {skipped, text("abc"), ByteBuffer.allocate(0), text("defgh"), text("ij")};
            assertEquals(8, ScatterGather.gather(srcs, 1, 4, chunk), "cut at the chunk's 8 bytes");
            assertEquals("abcdefgh", text(chunk, 8));
            assertEquals(3, srcs[1].remaining(), "positions move only once the send's count is known");
            ScatterGather.consumed(srcs, 1, 4, 5); // the domain sent 5 of the 8
            assertEquals(0, srcs[1].remaining());
            assertEquals(3, srcs[3].remaining(), "2 of defgh sent");
            assertEquals(2, srcs[4].remaining());
            assertEquals(2, skipped.remaining(), "outside the range: untouched");
            assertEquals(5, ScatterGather.remaining(srcs, 1, 4));
            assertEquals(5, ScatterGather.gather(srcs, 1, 4, chunk));
            assertEquals("fghij", text(chunk, 5));
        }
    }

    @Test
    void scatter_fillsTheBuffersInOrder_withExactlyTheBytesReceived() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment chunk = arena.allocate(16);
            chunk.copyFrom(MemorySegment.ofArray("0123456789".getBytes(StandardCharsets.UTF_8)));
            final ByteBuffer[] dsts = {ByteBuffer.allocate(3), ByteBuffer.allocate(0), ByteBuffer.allocate(4),
                ByteBuffer.allocate(10)};
            ScatterGather.scatter(chunk, 9, dsts, 0, 4);
            assertEquals("012", new String(dsts[0].array(), StandardCharsets.UTF_8));
            assertEquals(3, dsts[0].position());
            assertEquals("3456", new String(dsts[2].array(), StandardCharsets.UTF_8));
            assertEquals(2, dsts[3].position(), "the last buffer takes the rest, 2 of its 10");
            assertEquals("78", new String(dsts[3].array(), 0, 2, StandardCharsets.UTF_8));
        }
    }
}
