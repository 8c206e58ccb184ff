package dev.vos.client.fs;

import dev.vos.client.DescriptorLostException;
import dev.vos.client.DomainHandle;
import dev.vos.ring.DomainFailedException;
import dev.vos.storage.protocol.FileStat;
import dev.vos.storage.protocol.StorageFlags;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link FileChannel} on a descriptor of the storage domain's session. Reads and writes are positional
 * pread/pwrite calls of at most one payload chunk each; this channel keeps the position, as the kernel would for
 * a descriptor of one's own. Bytes move between the caller's buffer and the slot's shared chunk with one copy.
 *
 * <p>When the domain dies, calls in flight fail with its {@code DomainFailedException}, calls while it is down
 * with {@code DomainUnavailableException}, and once it is back with {@link DescriptorLostException}: never with a
 * result from another file. Locks are the domain's open-file-description locks on this channel's descriptor
 * ({@link VosFileLock}). A map is a copy of the range ({@link MappedCopies}).
 */
final class VosFileChannel extends FileChannel {

    private final VosFileSystem fs;
    private final VosPath path;
    private final DomainHandle descriptor;
    private final OpenFlags flags;
    private final Object positionLock = new Object();
    private long position;
    private volatile VosFileAttributes.FileKey fileKey;

    VosFileChannel(VosFileSystem fs, VosPath path, DomainHandle descriptor, OpenFlags flags) {
        this.fs = fs;
        this.path = path;
        this.descriptor = descriptor;
        this.flags = flags;
        fs.opened(this);
    }

    /** The options it was opened with (the asynchronous channel checks them before it starts a call). */
    OpenFlags flags() {
        return flags;
    }

    private StorageClient client() {
        return fs.client();
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /** The default's refusal ({@code IOUtil}) of a read into a read-only buffer, in its words. */
    private static void refuseReadOnly(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
    }

    private void ensureReadable() throws ClosedChannelException {
        ensureOpen();
        if (!flags.read()) {
            throw new NonReadableChannelException();
        }
    }

    private void ensureWritable() throws ClosedChannelException {
        ensureOpen();
        if (!flags.write()) {
            throw new NonWritableChannelException();
        }
    }

    /**
     * Reads until {@code dst} is full, the file ends, or a read comes back short. A read of several payload
     * chunks goes as batches of up to {@link StorageClient#BATCH_CHUNKS} chunks, each batch queued at once with
     * one wake-up, which the domain executes in one io_uring_enter (it replaced 4 virtual threads with a chunk
     * each).
     */
    private int readAt(ByteBuffer dst, long at) throws IOException {
        refuseReadOnly(dst);
        long chunk = fs.chunkBytes();
        int total = 0;
        ByteBuffer[] one = {dst};
        try {
            while (dst.hasRemaining()) {
                int want = dst.remaining();
                if (want >= 2 * chunk) {
                    StorageClient.Moved moved = client().preadBatched(descriptor, one, 0, 1, at + total, chunk);
                    total += (int) moved.bytes();
                    if (moved.shortOfAsked()) {
                        break; // the end of the file, or a short read
                    }
                    continue;
                }
                int n = client().pread(descriptor, dst, at + total);
                total += n;
                if (n < Math.min(want, chunk)) {
                    break;
                }
            }
        } catch (ErrnoException e) {
            throw e.forChannel();
        }
        return total == 0 && dst.hasRemaining() ? -1 : total;
    }

    /**
     * Writes all of {@code src} at {@code at}, or at the end with {@link StorageClient#AT_END}. A positioned write
     * of several payload chunks goes as batches, as {@link #readAt} reads (appends go one at a time, in order).
     */
    private int writeAt(ByteBuffer src, long at) throws IOException {
        long chunk = fs.chunkBytes();
        int total = 0;
        ByteBuffer[] one = {src};
        try {
            while (src.hasRemaining()) {
                if (at != StorageClient.AT_END && src.remaining() >= 2 * chunk) {
                    total += (int) client().pwriteBatched(descriptor, one, 0, 1, at + total, chunk).bytes();
                } else {
                    total += client().pwrite(descriptor, src, at == StorageClient.AT_END ? at : at + total);
                }
            }
        } catch (ErrnoException e) {
            throw e.forChannel();
        }
        return total;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureReadable();
        synchronized (positionLock) {
            int n = readAt(dst, position);
            if (n > 0) {
                position += n;
            }
            return n;
        }
    }

    @Override
    public int read(ByteBuffer dst, long at) throws IOException {
        if (at < 0) {
            throw new IllegalArgumentException("negative position: " + at);
        }
        ensureReadable();
        return readAt(dst, at);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        ensureReadable();
        for (int i = offset; i < offset + length; i++) {
            refuseReadOnly(dsts[i]);
        }
        synchronized (positionLock) {
            long total = 0;
            try {
                long chunk = fs.chunkBytes();
                while (remaining(dsts, offset, length) > 0) {
                    long left = remaining(dsts, offset, length);
                    if (left >= 2 * chunk) {
                        StorageClient.Moved moved = client().preadBatched(descriptor, dsts, offset, length, position,
                                chunk);
                        position += moved.bytes();
                        total += moved.bytes();
                        if (moved.shortOfAsked()) {
                            break;
                        }
                        continue;
                    }
                    long want = Math.min(left, chunk);
                    long n = client().preadv(descriptor, dsts, offset, length, position);
                    position += n;
                    total += n;
                    if (n < want) {
                        break; // the end of the file, or a short read
                    }
                }
            } catch (ErrnoException e) {
                throw e.forChannel();
            }
            return total == 0 && remaining(dsts, offset, length) > 0 ? -1 : total;
        }
    }

    private static long remaining(ByteBuffer[] buffers, int offset, int length) {
        return StorageClient.remaining(buffers, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureWritable();
        synchronized (positionLock) {
            if (flags.append()) {
                // The domain's append call (write(2) on the O_APPEND descriptor); the position follows the end.
                int n = writeAt(src, StorageClient.AT_END);
                position = size();
                return n;
            }
            int n = writeAt(src, position);
            position += n;
            return n;
        }
    }

    @Override
    public int write(ByteBuffer src, long at) throws IOException {
        if (at < 0) {
            throw new IllegalArgumentException("negative position: " + at);
        }
        ensureWritable();
        return writeAt(src, at);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        ensureWritable();
        synchronized (positionLock) {
            long total = 0;
            try {
                long chunk = fs.chunkBytes();
                while (remaining(srcs, offset, length) > 0) {
                    if (!flags.append() && remaining(srcs, offset, length) >= 2 * chunk) {
                        total += client().pwriteBatched(descriptor, srcs, offset, length, position + total, chunk)
                                .bytes();
                    } else {
                        total += client().pwritev(descriptor, srcs, offset, length,
                                flags.append() ? StorageClient.AT_END : position + total);
                    }
                }
            } catch (ErrnoException e) {
                throw e.forChannel();
            }
            position = flags.append() ? size() : position + total;
            return total;
        }
    }

    @Override
    public long position() throws IOException {
        ensureOpen();
        synchronized (positionLock) {
            return flags.append() ? size() : position;
        }
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position: " + newPosition);
        }
        ensureOpen();
        synchronized (positionLock) {
            position = newPosition;
        }
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        return stat().size();
    }

    FileStat stat() throws IOException {
        try {
            return client().fstat(descriptor);
        } catch (ErrnoException e) {
            throw e.forChannel();
        }
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("negative size: " + size);
        }
        ensureWritable();
        synchronized (positionLock) {
            if (size < size()) {
                try {
                    client().ftruncate(descriptor, size);
                } catch (ErrnoException e) {
                    throw e.forChannel();
                }
            }
            if (position > size) {
                position = size;
            }
        }
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        ensureOpen();
        try {
            client().fsync(descriptor, metaData);
        } catch (ErrnoException e) {
            throw e.forChannel();
        }
    }

    @Override
    public long transferTo(long at, long count, WritableByteChannel target) throws IOException {
        ensureReadable();
        if (at > size()) {
            return 0; // as the JDK's: nothing is transferred from a position past the end (a directory's too)
        }
        if (target instanceof VosFileChannel to && to.fs == fs) {
            to.ensureWritable();
            synchronized (to.positionLock) {
                long n = copyInDomain(this, at, to, to.position, count);
                if (n >= 0) {
                    to.position += n;
                    return n;
                }
            }
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(count, fs.chunkBytes()));
        long done = 0;
        while (done < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - done));
            int n = readAt(buffer, at + done);
            if (n <= 0) {
                break;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                target.write(buffer);
            }
            done += n;
        }
        return done;
    }

    @Override
    public long transferFrom(ReadableByteChannel source, long at, long count) throws IOException {
        ensureWritable();
        if (source instanceof VosFileChannel from && from.fs == fs) {
            from.ensureReadable();
            synchronized (from.positionLock) {
                long n = copyInDomain(from, from.position, this, at, count);
                if (n >= 0) {
                    from.position += n;
                    return n;
                }
            }
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(Math.max(count, 1), fs.chunkBytes()));
        long done = 0;
        while (done < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - done));
            int n = source.read(buffer);
            if (n <= 0) {
                break;
            }
            buffer.flip();
            done += writeAt(buffer, at + done);
        }
        return done;
    }

    /**
     * Copies up to {@code count} bytes of {@code from}'s file at {@code fromAt} to {@code to}'s at {@code toAt} inside
     * the domain (copyRange, copy_file_range(2)): between two channels of one vos file system the bytes never cross
     * the ring. Returns the bytes copied (fewer at the end of {@code from}'s file), or -1 when this copy cannot be
     * made so (a target opened for appending, files the kernel cannot copy between, ranges of one file that
     * overlap): then the caller moves the bytes itself, as the JDK's transfers fall back.
     */
    private static long copyInDomain(VosFileChannel from, long fromAt, VosFileChannel to, long toAt, long count)
            throws IOException {
        if (to.flags.append() || fromAt < 0 || toAt < 0 || count < 0) {
            return -1;
        }
        try {
            return from.client().copyInDomain(from.descriptor, fromAt, to.descriptor, toAt, count);
        } catch (ErrnoException e) {
            throw e.forChannel();
        }
    }

    /** A copy of the range, read when mapped ({@link MappedCopies}); READ_WRITE is refused. */
    @Override
    public MappedByteBuffer map(MapMode mode, long at, long size) throws IOException {
        return MappedCopies.buffer(this, flags.read(), mode, at, size);
    }

    /** As {@link #map(MapMode, long, long)}, into {@code arena}'s memory (what Lucene's MMapDirectory calls). */
    @Override
    public MemorySegment map(MapMode mode, long at, long size, Arena arena) throws IOException {
        return MappedCopies.segment(this, flags.read(), mode, at, size, arena);
    }

    @Override
    public FileLock lock(long at, long size, boolean shared) throws IOException {
        return awaitLock(newLock(at, size, shared, null));
    }

    /**
     * Waits until the domain grants {@code lock}, which {@link #newLock} entered in this JVM's table; takes it out
     * of the table again if the wait fails.
     */
    VosFileLock awaitLock(VosFileLock lock) throws IOException {
        long backoffNs = 1_000_000;
        try {
            // The domain never waits for a lock (that would hold its worker); this thread does, politely.
            while (!acquire(lock)) {
                if (Thread.interrupted()) {
                    close();
                    throw new FileLockInterruptionException();
                }
                if (!isOpen()) {
                    throw new AsynchronousCloseException();
                }
                LockSupport.parkNanos(backoffNs);
                backoffNs = Math.min(backoffNs * 2, 50_000_000);
            }
        } catch (IOException | RuntimeException e) {
            forget(lock);
            throw e;
        }
        return lock;
    }

    @Override
    public FileLock tryLock(long at, long size, boolean shared) throws IOException {
        return tryAcquire(newLock(at, size, shared, null));
    }

    /** Asks the domain once for {@code lock}, which {@link #newLock} entered in this JVM's table: it, or null. */
    VosFileLock tryAcquire(VosFileLock lock) throws IOException {
        try {
            if (acquire(lock)) {
                return lock;
            }
        } catch (IOException | RuntimeException e) {
            forget(lock);
            throw e;
        }
        forget(lock);
        return null;
    }

    /**
     * Checks as the JDK's FileChannelImpl does, and enters the lock in this JVM's table. The lock is this channel's,
     * or, when {@code owner} is not null, that asynchronous channel's (which reads and writes through this one).
     */
    VosFileLock newLock(long at, long size, boolean shared, VosAsynchronousFileChannel owner) throws IOException {
        if (at < 0 || size < 0) {
            throw new IllegalArgumentException("Negative position or size");
        }
        if (size == 0) {
            size = Long.MAX_VALUE - at; // the JDK's "all bytes from position on"
        }
        if (at + size < 0) {
            throw new IllegalArgumentException("Negative position + size");
        }
        ensureOpen();
        if (shared && !flags.read()) {
            throw new NonReadableChannelException();
        }
        if (!shared && !flags.write()) {
            throw new NonWritableChannelException();
        }
        VosFileLock lock = owner == null ? new VosFileLock(this, at, size, shared)
                : new VosFileLock(owner, this, at, size, shared);
        fs.locks().add(fileKey(), lock);
        return lock;
    }

    /** Takes {@code lock}, which {@link #newLock} entered, out of this JVM's table. */
    void forget(VosFileLock lock) {
        VosFileAttributes.FileKey key = fileKey; // read by newLock, which entered it
        if (key != null) {
            fs.locks().remove(key, lock);
        }
    }

    private boolean acquire(VosFileLock lock) throws IOException {
        boolean granted;
        try {
            granted = client().lock(descriptor, lock.isShared() ? StorageFlags.F_RDLCK : StorageFlags.F_WRLCK,
                    lock.position(), lengthOf(lock));
        } catch (ErrnoException e) {
            throw e.forChannel();
        }
        if (granted && !isOpen()) {
            // A close that ran before newLock set the file's identity found no table entry to remove, and its
            // descriptor's close takes the domain's lock: the caller forgets this one. The JDK's FileChannelImpl,
            // too, completes a lock only on a channel still open.
            throw new AsynchronousCloseException();
        }
        return granted;
    }

    /** Long.MAX_VALUE bytes is "to the end however far it grows": length 0 for the kernel, as the JDK passes. */
    private static long lengthOf(FileLock lock) {
        return lock.size() == Long.MAX_VALUE ? 0 : lock.size();
    }

    void unlock(VosFileLock lock) throws IOException {
        try {
            client().lock(descriptor, StorageFlags.F_UNLCK, lock.position(), lengthOf(lock));
        } catch (ErrnoException e) {
            throw e.forChannel();
        } finally {
            forget(lock);
        }
    }

    /** The file's identity for the lock table, read once. */
    private VosFileAttributes.FileKey fileKey() throws IOException {
        VosFileAttributes.FileKey key = fileKey;
        if (key == null) {
            FileStat s = stat();
            key = new VosFileAttributes.FileKey(s.dev(), s.ino());
            fileKey = key;
        }
        return key;
    }

    @Override
    protected void implCloseChannel() throws IOException {
        fs.closed(this);
        VosFileAttributes.FileKey key = fileKey;
        if (key != null) {
            // Closing the descriptor drops its locks in the domain; this JVM's table must forget them too.
            fs.locks().removeAll(key, this).forEach(VosFileLock::invalidate);
        }
        if (!fs.isOpen()) {
            return; // the file system's client closed its session, and every descriptor of it
        }
        ErrnoException failure = null;
        try {
            client().close(descriptor);
        } catch (ErrnoException e) {
            failure = e;
        } catch (DomainFailedException e) {
            // the domain died: its session, and this descriptor, went with it; nothing is left to close
        }
        if (flags.deleteOnClose()) {
            try {
                client().unlink(path.domainPath(), false);
            } catch (ErrnoException | IOException e) {
                // best effort, as the default provider's DELETE_ON_CLOSE
            }
        }
        if (failure != null) {
            throw failure.forChannel();
        }
    }
}
