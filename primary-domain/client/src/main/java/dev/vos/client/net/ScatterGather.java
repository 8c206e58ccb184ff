package dev.vos.client.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The scattering reads and gathering writes of the stream channels here (sockets and the pipe), made of their
 * single-buffer calls: one read into the first buffer with room, which is a short read the channel contract allows;
 * and writes of the buffers in order, which stop at the first not written whole (a non-blocking channel's short
 * write). A datagram is not split across buffers either way, so the datagram channel reads with the first and
 * gathers its own writes into one datagram.
 */
final class ScatterGather {

    /** A channel's read of one buffer. */
    @FunctionalInterface
    interface Read {
        int read(ByteBuffer dst) throws IOException;
    }

    /** A channel's write of one buffer. */
    @FunctionalInterface
    interface Write {
        int write(ByteBuffer src) throws IOException;
    }

    private ScatterGather() {
    }

    /**
     * One read into the first of {@code dsts[offset, offset + length)} with room; with none, a read of no bytes, so
     * that a closed channel or an ended stream still says so.
     */
    static long readFirstWithRoom(final ByteBuffer[] dsts, final int offset, final int length, final Read read)
            throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) {
                return read.read(dsts[i]);
            }
        }
        return read.read(ByteBuffer.allocate(0));
    }

    /** Writes {@code srcs[offset, offset + length)} in order, up to the first not written whole; the bytes written. */
    static long writeInOrder(final ByteBuffer[] srcs, final int offset, final int length, final Write write)
            throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write.write(srcs[i]);
            if (srcs[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }
}
