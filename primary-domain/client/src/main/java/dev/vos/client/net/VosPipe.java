package dev.vos.client.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The provider's {@link Pipe}: both ends in this JVM (a pipe joins threads of one process), its bytes in a
 * {@link PipeBuffer}, nothing in the net domain. Its ends can be registered with a {@link VosSelector} beside the
 * domain's sockets, which is why it exists: the JDK's own pipe cannot be reached once this provider is installed,
 * and a selector of one provider takes no channel of another.
 */
final class VosPipe extends Pipe {

    private final Source source;
    private final Sink sink;

    VosPipe(final SelectorProvider provider) {
        final PipeBuffer buffer = new PipeBuffer();
        this.source = new Source(provider, buffer);
        this.sink = new Sink(provider, buffer);
    }

    @Override
    public SourceChannel source() {
        return source;
    }

    @Override
    public SinkChannel sink() {
        return sink;
    }

    /** The readable end. */
    static final class Source extends Pipe.SourceChannel implements LocalSelectable {
        private final PipeBuffer buffer;
        private final ReentrantLock readLock = new ReentrantLock();

        Source(final SelectorProvider provider, final PipeBuffer buffer) {
            super(provider);
            this.buffer = buffer;
        }

        @Override
        public PipeBuffer buffer() {
            return buffer;
        }

        @Override
        public int readyOps(final int interestOps) {
            return (interestOps & SelectionKey.OP_READ) != 0 && buffer.readable() ? SelectionKey.OP_READ : 0;
        }

        @Override
        public int read(final ByteBuffer dst) throws IOException {
            Objects.requireNonNull(dst, "dst");
            readLock.lock();
            try {
                ensureOpen();
                ScatterGather.refuseReadOnly(dst); // before a blocking read waits for bytes it cannot take
                int n = 0;
                boolean completed = false;
                try {
                    begin();
                    n = buffer.read(dst, isBlocking());
                    completed = isOpen();
                } finally {
                    end(completed); // AsynchronousCloseException, ClosedByInterruptException
                }
                return n;
            } finally {
                readLock.unlock();
            }
        }

        private void ensureOpen() throws ClosedChannelException {
            if (!isOpen()) {
                throw new ClosedChannelException();
            }
        }

        /** Reads into the first buffer with room. */
        @Override
        public long read(final ByteBuffer[] dsts, final int offset, final int length) throws IOException {
            return ScatterGather.readFirstWithRoom(dsts, offset, length, this::ensureOpen, this::read);
        }

        @Override
        public long read(final ByteBuffer[] dsts) throws IOException {
            return read(dsts, 0, dsts.length);
        }

        @Override
        protected void implCloseSelectableChannel() {
            buffer.closeSource();
        }

        @Override
        protected void implConfigureBlocking(final boolean block) {
            // each read looks at isBlocking()
        }
    }

    /** The writable end. */
    static final class Sink extends Pipe.SinkChannel implements LocalSelectable {
        private final PipeBuffer buffer;
        private final ReentrantLock writeLock = new ReentrantLock();

        Sink(final SelectorProvider provider, final PipeBuffer buffer) {
            super(provider);
            this.buffer = buffer;
        }

        @Override
        public PipeBuffer buffer() {
            return buffer;
        }

        @Override
        public int readyOps(final int interestOps) {
            return (interestOps & SelectionKey.OP_WRITE) != 0 && buffer.writable() ? SelectionKey.OP_WRITE : 0;
        }

        @Override
        public int write(final ByteBuffer src) throws IOException {
            Objects.requireNonNull(src, "src");
            writeLock.lock();
            try {
                if (!isOpen()) {
                    throw new ClosedChannelException();
                }
                int n = 0;
                boolean completed = false;
                try {
                    begin();
                    n = buffer.write(src, isBlocking());
                    completed = isOpen();
                } finally {
                    end(completed);
                }
                return n;
            } finally {
                writeLock.unlock();
            }
        }

        /** Writes the buffers in order; in non-blocking mode, stops at the first that is not written whole. */
        @Override
        public long write(final ByteBuffer[] srcs, final int offset, final int length) throws IOException {
            return ScatterGather.writeInOrder(srcs, offset, length, this::write);
        }

        @Override
        public long write(final ByteBuffer[] srcs) throws IOException {
            return write(srcs, 0, srcs.length);
        }

        @Override
        protected void implCloseSelectableChannel() {
            buffer.closeSink();
        }

        @Override
        protected void implConfigureBlocking(final boolean block) {
            // each write looks at isBlocking()
        }
    }
}
