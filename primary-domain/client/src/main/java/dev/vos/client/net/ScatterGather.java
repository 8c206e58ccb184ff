package dev.vos.client.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Scattering reads and gathering writes. A connection's go through the ring as one call each: the buffers' bytes
 * gathered into the call's payload chunk, or the chunk's scattered over the buffers in order ({@link #gather},
 * {@link #consumed}, {@link #scatter}), as the default provider's {@code readv} and {@code writev} do in one system
 * call. The pipe's, which never leave this JVM, are made of its single-buffer calls: one read into the first buffer
 * with room, a short read the channel contract allows, and writes of the buffers in order, which stop at the first
 * not written whole. A datagram is not split across buffers either way, so the datagram channel reads with the
 * first and gathers its own writes into one datagram.
 */
final class ScatterGather {

    /** A channel's read of one buffer. */
    @FunctionalInterface
    interface Read {
        int read(ByteBuffer dst) throws IOException;
    }

    /** A channel's own checks before a read (closed, not connected), so that they come before a buffer's. */
    @FunctionalInterface
    interface ReadCheck {
        void check() throws IOException;
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
     * that a closed channel or an ended stream still says so. A read-only buffer among them is refused before any
     * byte is taken, but after the channel's own {@code check}: the default's scattering read throws
     * {@code ClosedChannelException} for a closed channel whatever its buffers are.
     */
    static long readFirstWithRoom(final ByteBuffer[] dsts, final int offset, final int length, final ReadCheck check,
                                  final Read read) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        check.check();
        refuseReadOnly(dsts, offset, length);
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

    /** What the default's {@code IOUtil} throws for a read into a read-only buffer, before any byte is taken. */
    static void refuseReadOnly(final ByteBuffer[] dsts, final int offset, final int length) {
        for (int i = offset; i < offset + length; i++) {
            refuseReadOnly(dsts[i]);
        }
    }

    /** {@link #refuseReadOnly(ByteBuffer[], int, int)} of one buffer. */
    static void refuseReadOnly(final ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
    }

    /** The bytes remaining in {@code buffers[offset, offset + length)}. */
    static long remaining(final ByteBuffer[] buffers, final int offset, final int length) {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += buffers[i].remaining();
        }
        return total;
    }

    /**
     * Copies the bytes remaining in {@code srcs[offset, offset + length)}, in order, into {@code to} until it is
     * full; the buffers' positions do not move ({@link #consumed} moves them by what was sent). The count copied.
     */
    static int gather(final ByteBuffer[] srcs, final int offset, final int length, final MemorySegment to) {
        long at = 0;
        for (int i = offset; i < offset + length && at < to.byteSize(); i++) {
            final int n = (int) Math.min(srcs[i].remaining(), to.byteSize() - at);
            MemorySegment.copy(MemorySegment.ofBuffer(srcs[i]), 0, to, at, n);
            at += n;
        }
        return (int) at;
    }

    /** Moves the positions of {@code srcs[offset, offset + length)}, in order, past {@code n} bytes in all. */
    static void consumed(final ByteBuffer[] srcs, final int offset, final int length, final long n) {
        long left = n;
        for (int i = offset; i < offset + length && left > 0; i++) {
            final int step = (int) Math.min(srcs[i].remaining(), left);
            srcs[i].position(srcs[i].position() + step);
            left -= step;
        }
    }

    /** Copies the first {@code n} bytes of {@code from} into {@code dsts[offset, offset + length)}, in order. */
    static void scatter(final MemorySegment from, final int n, final ByteBuffer[] dsts, final int offset,
                        final int length) {
        long at = 0;
        for (int i = offset; i < offset + length && at < n; i++) {
            final int step = (int) Math.min(dsts[i].remaining(), n - at);
            MemorySegment.copy(from, at, MemorySegment.ofBuffer(dsts[i]), 0, step);
            dsts[i].position(dsts[i].position() + step);
            at += step;
        }
    }
}
