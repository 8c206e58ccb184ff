package dev.vos.client.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * An {@link AsynchronousFileChannel} on a descriptor of the storage domain's session: each read, write or lock runs
 * the matching call of a {@link VosFileChannel} on a thread of the channel's executor, and completes its future or
 * handler there. The JDK serves the class the same way on Linux ({@code SimpleAsynchronousFileChannelImpl}: blocking
 * calls on a thread pool), and this channel keeps its checks, its order and its exceptions:
 * <ul>
 *   <li>a bad position, a read-only buffer, or a channel not opened for the operation is thrown at once;</li>
 *   <li>an operation on a closed channel completes at once with {@link ClosedChannelException}, and one whose
 *       channel is closed while it waits or runs fails with {@link AsynchronousCloseException};</li>
 *   <li>a read or write of no bytes completes with 0 and calls nothing.</li>
 * </ul>
 *
 * <p>Without an executor of its own, a channel starts a virtual thread per operation (the JDK starts platform threads
 * of a shared pool). A virtual thread that waits for the domain's answer parks and frees its carrier, so many
 * operations in flight cost a ring slot each and hold no platform thread. A read or write of several payload chunks
 * goes as the ring's batches, as {@link VosFileChannel}'s does.
 *
 * <p>When the domain dies, operations in flight fail with its {@code DomainFailedException} within the ring's
 * bound, as a {@link VosFileChannel}'s calls do: the future or handler gets the failure, and no thread is left
 * waiting.
 */
final class VosAsynchronousFileChannel extends AsynchronousFileChannel {

    /** The executor of channels opened without one, made on first use: a virtual thread per operation. */
    private static final class DefaultExecutor {
        static final ExecutorService INSTANCE = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("vos-async-file-", 0).factory());
    }

    /** An operation of the underlying channel, run on the executor. */
    private interface Call<V> {
        V run() throws IOException;
    }

    private final VosFileChannel channel;
    private final ExecutorService executor;

    /** A channel over {@code channel}, which it owns and closes; {@code executor} null for the default. */
    VosAsynchronousFileChannel(VosFileChannel channel, ExecutorService executor) {
        this.channel = channel;
        this.executor = executor == null ? DefaultExecutor.INSTANCE : executor;
    }

    // ---- reading and writing ----

    @Override
    public Future<Integer> read(ByteBuffer dst, long position) {
        checkRead(dst, position);
        Integer none = nothingToMove(dst);
        return none != null ? completed(none) : submit(() -> channel.read(dst, position));
    }

    @Override
    public <A> void read(ByteBuffer dst, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        checkRead(dst, position);
        Integer none = nothingToMove(dst);
        submit(none != null ? () -> none : () -> channel.read(dst, position), attachment, handler);
    }

    @Override
    public Future<Integer> write(ByteBuffer src, long position) {
        checkWrite(position);
        Integer none = nothingToMove(src);
        return none != null ? completed(none) : submit(() -> channel.write(src, position));
    }

    @Override
    public <A> void write(ByteBuffer src, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        checkWrite(position);
        Integer none = nothingToMove(src);
        submit(none != null ? () -> none : () -> channel.write(src, position), attachment, handler);
    }

    /** The JDK's checks, thrown at once and in its order: position, mode, buffer. */
    private void checkRead(ByteBuffer dst, long position) {
        if (position < 0) {
            throw new IllegalArgumentException("Negative position");
        }
        if (!channel.flags().read()) {
            throw new NonReadableChannelException();
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
    }

    private void checkWrite(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("Negative position");
        }
        if (!channel.flags().write()) {
            throw new NonWritableChannelException();
        }
    }

    /** 0 for an open channel and an empty buffer, which the JDK completes without a call; null otherwise. */
    private Integer nothingToMove(ByteBuffer buffer) {
        return isOpen() && !buffer.hasRemaining() ? 0 : null;
    }

    // ---- locks ----

    @Override
    public Future<FileLock> lock(long position, long size, boolean shared) {
        VosFileLock lock;
        try {
            lock = newLock(position, size, shared);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        try {
            return submit(() -> channel.awaitLock(lock));
        } catch (RuntimeException refused) { // the executor's RejectedExecutionException
            channel.forget(lock);
            throw refused;
        }
    }

    @Override
    public <A> void lock(long position, long size, boolean shared, A attachment,
            CompletionHandler<FileLock, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        VosFileLock lock;
        try {
            lock = newLock(position, size, shared);
        } catch (IOException e) {
            submit(() -> {
                throw e;
            }, attachment, handler);
            return;
        }
        try {
            submit(() -> channel.awaitLock(lock), attachment, handler);
        } catch (RuntimeException refused) { // the executor's RejectedExecutionException
            channel.forget(lock);
            throw refused;
        }
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return channel.tryAcquire(newLock(position, size, shared));
    }

    /**
     * The JDK's checks in its order (mode, then the {@code FileLock}'s own), then the lock entered in this JVM's
     * table: {@link java.nio.channels.OverlappingFileLockException} is thrown at once, as the JDK throws it.
     */
    private VosFileLock newLock(long position, long size, boolean shared) throws IOException {
        if (shared && !channel.flags().read()) {
            throw new NonReadableChannelException();
        }
        if (!shared && !channel.flags().write()) {
            throw new NonWritableChannelException();
        }
        if (position < 0) {
            throw new IllegalArgumentException("Negative position");
        }
        if (size < 0) {
            throw new IllegalArgumentException("Negative size");
        }
        long length = size != 0 ? size : Long.MAX_VALUE - position;
        if (position + length < 0) {
            throw new IllegalArgumentException("Negative position + size");
        }
        return channel.newLock(position, length, shared, this);
    }

    // ---- the rest runs in the caller's thread ----

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public AsynchronousFileChannel truncate(long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("Negative size");
        }
        if (!channel.flags().write()) {
            throw new NonWritableChannelException();
        }
        channel.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        channel.force(metaData);
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    /** Closes the descriptor and drops its locks; operations still waiting or running fail as the class says. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    // ---- running a call on the executor ----

    private static Future<Integer> completed(int value) {
        return CompletableFuture.completedFuture(value);
    }

    /** A future that the executor completes. */
    private <V> Future<V> submit(Call<V> call) {
        if (!isOpen()) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        Pending<V> task = new Pending<>(call);
        executor.execute(task);
        return task;
    }

    /**
     * The future of a call on the executor. {@code cancel(true)} closes the channel, as the JDK's does: the call
     * cannot be taken back from the domain, so the channel it ran on is ended instead, and its other calls fail
     * with {@link AsynchronousCloseException}.
     */
    private final class Pending<V> extends FutureTask<V> {

        Pending(Call<V> call) {
            super(() -> perform(call));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(false);
            if (cancelled && mayInterruptIfRunning) {
                try {
                    close();
                } catch (IOException ignored) {
                    // as the JDK's PendingFuture: the cancellation stands whatever the close says
                }
            }
            return cancelled;
        }
    }

    /** Runs {@code call} on the executor and hands its outcome to {@code handler}, on the same thread. */
    private <V, A> void submit(Call<V> call, A attachment, CompletionHandler<V, ? super A> handler) {
        boolean closed = !isOpen();
        executor.execute(() -> {
            V result;
            try {
                if (closed) {
                    throw new ClosedChannelException();
                }
                result = perform(call);
            } catch (Throwable failure) {
                handler.failed(failure, attachment);
                return;
            }
            handler.completed(result, attachment);
        });
    }

    /** The JDK's rule: a call that fails once the channel is closed failed because it was closed. */
    private <V> V perform(Call<V> call) throws IOException {
        try {
            if (!isOpen()) {
                throw new ClosedChannelException();
            }
            return call.run();
        } catch (IOException e) {
            if (!isOpen()) {
                throw new AsynchronousCloseException();
            }
            throw e;
        }
    }
}
