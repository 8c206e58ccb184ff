package dev.vos.client.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bytes of one {@link VosPipe}, in this JVM: a pipe's two ends are in one process by definition, so nothing of it
 * goes to the net domain. A bounded ring of bytes under one lock; a blocked end waits on its condition (a virtual
 * thread unmounts). Every change an end could be waiting for (bytes in, room made, an end closed) also tells the
 * selectors its ends are registered with ({@link VosSelector#localEvent()}), which is how a select that waits in the
 * domain for sockets learns that a pipe became ready.
 */
final class PipeBuffer {

    /** Bytes the pipe holds before a writer waits (a blocking one) or writes less (a non-blocking one). */
    static final int CAPACITY = 64 * 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final byte[] ring = new byte[CAPACITY];
    private final Set<VosSelector> watchers = ConcurrentHashMap.newKeySet();
    private int head;
    private int count;
    private boolean sinkClosed;
    private boolean sourceClosed;

    /** {@code selector} has an end of this pipe registered: tell it of every change. */
    void watch(final VosSelector selector) {
        watchers.add(selector);
    }

    /** {@code selector} has no end of this pipe registered any more. */
    void unwatch(final VosSelector selector) {
        watchers.remove(selector);
    }

    private void changedLocked() {
        changed.signalAll();
    }

    private void tellWatchers() {
        for (VosSelector selector : watchers) {
            selector.localEvent();
        }
    }

    /**
     * Moves bytes into {@code dst}: how many, 0 with none there and {@code block} false, -1 at the end (the sink
     * closed and every byte read). A blocking read waits for bytes, the end, or its own end's close. A read with no
     * room is 0 at once, blocking or not, as the default pipe's (its {@code IOUtil} makes no call for 0 bytes).
     */
    int read(final ByteBuffer dst, final boolean block) {
        if (!dst.hasRemaining()) {
            return 0;
        }
        final int n;
        lock.lock();
        try {
            while (count == 0 && block && !sinkClosed && !sourceClosed) {
                changed.awaitUninterruptibly(); // an interrupt closes the channel (begin/end), which signals
            }
            if (sourceClosed) {
                return 0; // closed under us: the channel's end() throws AsynchronousCloseException
            }
            if (count == 0) {
                return sinkClosed ? -1 : 0;
            }
            n = Math.min(count, dst.remaining());
            final int first = Math.min(n, CAPACITY - head);
            dst.put(ring, head, first);
            dst.put(ring, 0, n - first);
            head = (head + n) % CAPACITY;
            count -= n;
            changedLocked();
        } finally {
            lock.unlock();
        }
        tellWatchers();
        return n;
    }

    /**
     * Moves bytes from {@code src}: all of them if {@code block} (waiting for room), else as many as there is room
     * for (0 if none). The source closed is the default provider's "Broken pipe".
     */
    int write(final ByteBuffer src, final boolean block) throws IOException {
        int total = 0;
        lock.lock();
        try {
            while (src.hasRemaining()) {
                while (count == CAPACITY && block && !sourceClosed && !sinkClosed) {
                    changed.awaitUninterruptibly();
                }
                if (sinkClosed) {
                    break; // closed under us: the channel's end() throws AsynchronousCloseException
                }
                if (sourceClosed) {
                    throw new IOException("Broken pipe");
                }
                if (count == CAPACITY) {
                    break; // non-blocking, full
                }
                final int n = Math.min(CAPACITY - count, src.remaining());
                final int tail = (head + count) % CAPACITY;
                final int first = Math.min(n, CAPACITY - tail);
                src.get(ring, tail, first);
                src.get(ring, 0, n - first);
                count += n;
                total += n;
                changedLocked();
                if (!block) {
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        if (total > 0) {
            tellWatchers();
        }
        return total;
    }

    /** Whether a read would not wait: bytes, or the end. */
    boolean readable() {
        lock.lock();
        try {
            return count > 0 || sinkClosed;
        } finally {
            lock.unlock();
        }
    }

    /** Whether a write would not wait: room, or a source gone (the write then throws). */
    boolean writable() {
        lock.lock();
        try {
            return count < CAPACITY || sourceClosed;
        } finally {
            lock.unlock();
        }
    }

    void closeSink() {
        lock.lock();
        try {
            sinkClosed = true;
            changedLocked();
        } finally {
            lock.unlock();
        }
        tellWatchers();
    }

    void closeSource() {
        lock.lock();
        try {
            sourceClosed = true;
            count = 0;
            changedLocked();
        } finally {
            lock.unlock();
        }
        tellWatchers();
    }
}
