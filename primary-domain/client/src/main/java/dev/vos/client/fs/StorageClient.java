package dev.vos.client.fs;

import dev.vos.client.DescriptorLostException;
import dev.vos.client.DomainHandle;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.client.CallBatch;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.CallSource;
import dev.vos.storage.protocol.FileStat;
import dev.vos.storage.protocol.FileSystemStat;
import dev.vos.storage.protocol.StorageCalls;
import dev.vos.storage.protocol.StorageCalls.Access;
import dev.vos.storage.protocol.StorageCalls.Append;
import dev.vos.storage.protocol.StorageCalls.Chmod;
import dev.vos.storage.protocol.StorageCalls.Chown;
import dev.vos.storage.protocol.StorageCalls.Close;
import dev.vos.storage.protocol.StorageCalls.CopyRange;
import dev.vos.storage.protocol.StorageCalls.Fdatasync;
import dev.vos.storage.protocol.StorageCalls.Fstat;
import dev.vos.storage.protocol.StorageCalls.Fsync;
import dev.vos.storage.protocol.StorageCalls.Ftruncate;
import dev.vos.storage.protocol.StorageCalls.Getdents;
import dev.vos.storage.protocol.StorageCalls.Lock;
import dev.vos.storage.protocol.StorageCalls.Mkdir;
import dev.vos.storage.protocol.StorageCalls.Open;
import dev.vos.storage.protocol.StorageCalls.Pread;
import dev.vos.storage.protocol.StorageCalls.Pwrite;
import dev.vos.storage.protocol.StorageCalls.Readlink;
import dev.vos.storage.protocol.StorageCalls.Rename;
import dev.vos.storage.protocol.StorageCalls.Stat;
import dev.vos.storage.protocol.StorageCalls.Statfs;
import dev.vos.storage.protocol.StorageCalls.Symlink;
import dev.vos.storage.protocol.StorageCalls.Unlink;
import dev.vos.storage.protocol.StorageCalls.Utimens;
import dev.vos.sys.Errno;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static dev.vos.storage.protocol.StorageFlags.AT_REMOVEDIR;
import static dev.vos.storage.protocol.StorageFlags.AT_SYMLINK_NOFOLLOW;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The storage calls as Java methods: each takes a slot of the domain's ring, puts its paths and buffers in the
 * slot's payload chunk, issues the call through the protocol's encoder ({@link StorageCalls}' nested classes: the
 * argument order is written there, once) and decodes the answer. A {@code -errno} answer throws
 * {@link ErrnoException} (the provider translates it, knowing which path it concerns); a domain that fails or is
 * down throws {@link DomainFailedException}, an {@code IOException} whose message says what happened.
 *
 * <p>A descriptor is only meaningful to the session of the domain that opened it: a restarted domain, or the same
 * domain re-attached after this client's ring failed, serves a new session whose table may hold another file under
 * the same number. So a descriptor is a {@link DomainHandle}, bound to the ring it was issued on, and every call
 * takes its number from {@link DomainHandle#valueFor} on the slot it is about to use, which throws
 * {@link DescriptorLostException} instead of letting the number reach the new session.
 */
final class StorageClient {

    /**
     * The position of a write that appends: the domain's append call, at the end of a descriptor opened with
     * O_APPEND (never a pwrite at some offset, which on another file would overwrite it).
     */
    static final long AT_END = -1;

    private final String domain;
    private final CallSource calls;

    StorageClient(String domain, CallSource calls) {
        this.domain = domain;
        this.calls = calls;
    }

    String domain() {
        return domain;
    }

    /** Where this client's calls go: its session of the domain (for tests that ask the session's own figures). */
    CallSource calls() {
        return calls;
    }

    /** The largest payload one call moves: the slot's chunk. */
    long chunkBytes(CallSlot slot) {
        return slot.data().byteSize();
    }

    private static long check(long result) throws ErrnoException {
        if (result < 0) {
            throw new ErrnoException((int) -result);
        }
        return result;
    }

    /**
     * A byte count the domain answered for a read or write of at most {@code asked}: believed only within it, since
     * a larger one would copy bytes the call never asked for, or report them moved.
     */
    private static long checkCount(long n, long asked, String call) throws IOException {
        if (n > asked) {
            throw new IOException("storage domain answered " + call + " with " + n + " bytes for at most " + asked);
        }
        return n;
    }

    /** Copies {@code path}'s UTF-8 bytes into the payload at {@code at}; returns its length. */
    private static long putPath(CallSlot slot, long at, String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, slot.data(), JAVA_BYTE, at, bytes.length);
        return bytes.length;
    }

    DomainHandle open(String path, int flags, int mode) throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long length = putPath(slot, 0, path);
            long fd = check(Open.call(slot, slot.dataOffset(), length, flags, mode));
            return DomainHandle.issuedBy(slot, DomainHandle.Kind.FILE, domain, fd);
        }
    }

    /** Closes {@code d} in its session; a descriptor whose session has ended is gone already. */
    void close(DomainHandle d) throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            if (!d.isLiveOn(slot)) {
                return; // its session ended, and took the descriptor with it
            }
            check(Close.call(slot, d.valueFor(slot)));
        }
    }

    /**
     * Reads at most one payload chunk at {@code position} into {@code dst}; returns the bytes read (0 at the end
     * of the file) and advances {@code dst}'s position by them.
     */
    int pread(DomainHandle d, ByteBuffer dst, long position) throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long fd = d.valueFor(slot);
            long want = Math.min(dst.remaining(), chunkBytes(slot));
            int n = (int) checkCount(check(Pread.call(slot, fd, slot.dataOffset(), want, position)), want, "pread");
            // The one copy: from the shared payload into the caller's buffer (heap or direct).
            MemorySegment.copy(slot.data(), 0, MemorySegment.ofBuffer(dst), 0, n);
            dst.position(dst.position() + n);
            return n;
        }
    }

    /**
     * Scatter read: one pread of at most one payload chunk at {@code position}, spread over {@code dsts} in order
     * (what preadv would do, with the copy out of the shared chunk that any read makes anyway). Returns the bytes
     * read, 0 at the end of the file.
     */
    long preadv(DomainHandle d, ByteBuffer[] dsts, int offset, int length, long position)
            throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long fd = d.valueFor(slot);
            long want = 0;
            for (int i = offset; i < offset + length; i++) {
                want += dsts[i].remaining();
            }
            want = Math.min(want, chunkBytes(slot));
            long n = checkCount(check(Pread.call(slot, fd, slot.dataOffset(), want, position)), want, "pread");
            long at = 0;
            for (int i = offset; i < offset + length && at < n; i++) {
                ByteBuffer dst = dsts[i];
                int part = (int) Math.min(dst.remaining(), n - at);
                MemorySegment.copy(slot.data(), at, MemorySegment.ofBuffer(dst), 0, part);
                dst.position(dst.position() + part);
                at += part;
            }
            return n;
        }
    }

    /**
     * Gather write: {@code srcs} in order, up to one payload chunk, in one pwrite at {@code position} (or one append
     * at {@link #AT_END}); advances the buffers by the bytes written.
     */
    long pwritev(DomainHandle d, ByteBuffer[] srcs, int offset, int length, long position)
            throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long fd = d.valueFor(slot);
            long room = chunkBytes(slot);
            long at = 0;
            for (int i = offset; i < offset + length && at < room; i++) {
                int part = (int) Math.min(srcs[i].remaining(), room - at);
                MemorySegment.copy(MemorySegment.ofBuffer(srcs[i]), 0, slot.data(), at, part);
                at += part;
            }
            long n = checkCount(check(write(slot, fd, at, position)), at, "pwrite");
            long left = n;
            for (int i = offset; i < offset + length && left > 0; i++) {
                int part = (int) Math.min(srcs[i].remaining(), left);
                srcs[i].position(srcs[i].position() + part);
                left -= part;
            }
            return n;
        }
    }

    /**
     * Writes at most one payload chunk of {@code src} at {@code position} ({@link #AT_END}: appends); advances
     * {@code src} by the bytes written.
     */
    int pwrite(DomainHandle d, ByteBuffer src, long position) throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long fd = d.valueFor(slot);
            int want = (int) Math.min(src.remaining(), chunkBytes(slot));
            MemorySegment.copy(MemorySegment.ofBuffer(src), 0, slot.data(), 0, want);
            int n = (int) checkCount(check(write(slot, fd, want, position)), want, "pwrite");
            src.position(src.position() + n);
            return n;
        }
    }

    /** Payload chunks one batched read or write puts in flight at once (at most half the ring's slots). */
    static final int BATCH_CHUNKS = 16;

    /**
     * What a batched read or write did: {@code bytes} moved, and whether it came back {@code shortOfAsked} (the
     * end of the file, or an error after some chunks), which ends the caller's loop.
     */
    record Moved(long bytes, boolean shortOfAsked) {
    }

    /**
     * Scatter read of up to {@link #BATCH_CHUNKS} payload chunks ({@code chunk} bytes each) at {@code position}, as
     * one batch: every chunk's pread queued, one wake-up, the domain executes them together (one io_uring_enter),
     * then each is copied out in order into {@code dsts}. Counts only the bytes before the first short chunk, so
     * that a file that ends (or grows) meanwhile never leaves a gap in what is reported read; a chunk that fails
     * after others were read ends the read there (the next read reports the error).
     */
    Moved preadBatched(DomainHandle d, ByteBuffer[] dsts, int offset, int length, long position, long chunk)
            throws IOException, ErrnoException {
        long want = remaining(dsts, offset, length);
        try (CallBatch batch = calls.acquireBatch((int) Math.min(BATCH_CHUNKS, (want + chunk - 1) / chunk))) {
            long[] parts = new long[batch.size()];
            for (int i = 0; i < parts.length; i++) {
                CallSlot slot = batch.slot(i);
                parts[i] = Math.min(Math.min(chunk, chunkBytes(slot)), want - i * chunk);
                if (parts[i] <= 0) {
                    parts = Arrays.copyOf(parts, i);
                    break;
                }
                Pread.call(batch.queueing(i), d.valueFor(slot), slot.dataOffset(), parts[i], position + i * chunk);
            }
            batch.submit();
            long total = 0;
            int buffer = offset;
            for (int i = 0; i < parts.length; i++) {
                long n = checkCount(batch.await(i), parts[i], "pread");
                if (n < 0 && i == 0) {
                    throw new ErrnoException((int) -n);
                }
                if (n < 0) {
                    return new Moved(total, true);
                }
                buffer = copyOut(batch.slot(i).data(), n, dsts, buffer, offset + length);
                total += n;
                if (n < parts[i]) {
                    return new Moved(total, true);
                }
            }
            return new Moved(total, false);
        }
    }

    /**
     * Gather write of up to {@link #BATCH_CHUNKS} payload chunks at {@code position} as one batch (see
     * {@link #preadBatched}); advances the buffers by the bytes written before the first short chunk. A failure
     * after a chunk was written ends the write there (the bytes counted were written; chunks after the failed one
     * may have been written too, as a vectored write's may).
     */
    Moved pwriteBatched(DomainHandle d, ByteBuffer[] srcs, int offset, int length, long position, long chunk)
            throws IOException, ErrnoException {
        long have = remaining(srcs, offset, length);
        try (CallBatch batch = calls.acquireBatch((int) Math.min(BATCH_CHUNKS, (have + chunk - 1) / chunk))) {
            long[] parts = new long[batch.size()];
            int buffer = offset;
            long skip = 0;
            int used = 0;
            for (int i = 0; i < parts.length && buffer < offset + length; i++) {
                CallSlot slot = batch.slot(i);
                long room = Math.min(chunk, chunkBytes(slot));
                long at = 0;
                while (at < room && buffer < offset + length) {
                    ByteBuffer src = srcs[buffer];
                    int part = (int) Math.min(src.remaining() - skip, room - at);
                    MemorySegment.copy(MemorySegment.ofBuffer(src), skip, slot.data(), at, part);
                    at += part;
                    skip += part;
                    if (skip == src.remaining()) {
                        buffer++;
                        skip = 0;
                    }
                }
                parts[i] = at;
                used++;
                Pwrite.call(batch.queueing(i), d.valueFor(slot), slot.dataOffset(), at, position + i * chunk);
            }
            batch.submit();
            long total = 0;
            boolean cut = false;
            for (int i = 0; i < used && !cut; i++) {
                long n = checkCount(batch.await(i), parts[i], "pwrite");
                if (n < 0 && i == 0) {
                    throw new ErrnoException((int) -n);
                }
                cut = n < parts[i];
                total += Math.max(n, 0);
            }
            advance(srcs, offset, length, total);
            return new Moved(total, cut);
        }
    }

    /** Copies {@code n} bytes of {@code from} into {@code dsts[buffer..end)}, advancing them; the next buffer. */
    private static int copyOut(MemorySegment from, long n, ByteBuffer[] dsts, int buffer, int end) {
        long at = 0;
        int b = buffer;
        while (at < n && b < end) {
            ByteBuffer dst = dsts[b];
            int part = (int) Math.min(dst.remaining(), n - at);
            MemorySegment.copy(from, at, MemorySegment.ofBuffer(dst), 0, part);
            dst.position(dst.position() + part);
            at += part;
            if (!dst.hasRemaining()) {
                b++;
            }
        }
        return b;
    }

    private static void advance(ByteBuffer[] buffers, int offset, int length, long bytes) {
        long left = bytes;
        for (int i = offset; i < offset + length && left > 0; i++) {
            int part = (int) Math.min(buffers[i].remaining(), left);
            buffers[i].position(buffers[i].position() + part);
            left -= part;
        }
    }

    static long remaining(ByteBuffer[] buffers, int offset, int length) {
        long sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += buffers[i].remaining();
        }
        return sum;
    }

    /** pwrite of the slot's first {@code count} payload bytes at {@code position}, or append at {@link #AT_END}. */
    private static long write(CallSlot slot, long fd, long count, long position) throws DomainFailedException {
        return position == AT_END ? Append.call(slot, fd, slot.dataOffset(), count)
                : Pwrite.call(slot, fd, slot.dataOffset(), count, position);
    }

    /**
     * Copies at most {@link StorageCalls#COPY_RANGE_MAX} bytes from {@code in}'s file at {@code inAt} to {@code out}'s
     * at {@code outAt} inside the domain (copy_file_range(2)): no byte crosses the ring. Returns the bytes copied, 0
     * at the end of {@code in}'s file. Both descriptors must be of the session of this call's slot.
     */
    long copyRange(DomainHandle in, long inAt, DomainHandle out, long outAt, long count)
            throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long asked = Math.min(count, StorageCalls.COPY_RANGE_MAX);
            return checkCount(check(CopyRange.call(slot, in.valueFor(slot), inAt, out.valueFor(slot), outAt, asked)),
                    asked, "copyRange");
        }
    }

    /**
     * Copies up to {@code count} bytes of {@code in}'s file at {@code inAt} to {@code out}'s at {@code outAt} inside
     * the domain, by {@link #copyRange} calls until the count or the end of {@code in}'s file. Returns the bytes
     * copied, or -1 when the first call says only that the kernel cannot copy between these two files (EXDEV,
     * EOPNOTSUPP, ENOSYS, EINVAL: another file system, a file that is not regular, ranges of one file that overlap):
     * then the caller moves the bytes through the ring, as the JDK falls back from copy_file_range.
     */
    long copyInDomain(DomainHandle in, long inAt, DomainHandle out, long outAt, long count)
            throws IOException, ErrnoException {
        long done = 0;
        while (done < count) {
            long n;
            try {
                n = copyRange(in, inAt + done, out, outAt + done, count - done);
            } catch (ErrnoException e) {
                int errno = e.errno();
                if (done == 0 && (errno == Errno.EXDEV || errno == Errno.EOPNOTSUPP || errno == Errno.ENOSYS
                        || errno == Errno.EINVAL)) {
                    return -1;
                }
                throw e;
            }
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    void fsync(DomainHandle d, boolean metadata) throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long fd = d.valueFor(slot);
            check(metadata ? Fsync.call(slot, fd) : Fdatasync.call(slot, fd));
        }
    }

    void ftruncate(DomainHandle d, long length) throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long fd = d.valueFor(slot);
            check(Ftruncate.call(slot, fd, length));
        }
    }

    FileStat fstat(DomainHandle d) throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long fd = d.valueFor(slot);
            check(Fstat.call(slot, fd, slot.dataOffset(), FileStat.BYTES));
            return FileStat.decode(slot.data());
        }
    }

    /** Fills {@code out} with directory records (linux_dirent64); returns their length, 0 at the end. */
    int getdents(DomainHandle d, byte[] out) throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long fd = d.valueFor(slot);
            long want = Math.min(out.length, chunkBytes(slot));
            int n = (int) check(Getdents.call(slot, fd, slot.dataOffset(), want));
            MemorySegment.copy(slot.data(), JAVA_BYTE, 0, out, 0, n);
            return n;
        }
    }

    /**
     * Takes ({@code type} F_RDLCK or F_WRLCK) or drops (F_UNLCK) a byte-range lock without waiting; false when
     * another session or process holds a conflicting one.
     */
    boolean lock(DomainHandle d, short type, long start, long length) throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long fd = d.valueFor(slot);
            long r = Lock.call(slot, fd, type, start, length);
            if (r == -Errno.EAGAIN) {
                return false;
            }
            check(r);
            return true;
        }
    }

    FileStat stat(String path, boolean followLinks) throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long length = putPath(slot, 0, path);
            long out = align8(length);
            check(Stat.call(slot, slot.dataOffset(), length, followLinks ? 0 : AT_SYMLINK_NOFOLLOW,
                    slot.dataOffset() + out, FileStat.BYTES));
            return FileStat.decode(slot.data().asSlice(out));
        }
    }

    /** A call on a path: the path's payload offset and length in, the call's result out. */
    @FunctionalInterface
    private interface OnPath {
        long call(CallSlot slot, long pathOffset, long pathLength) throws IOException;
    }

    /** Puts {@code path} at the start of a slot's payload and issues {@code call} with it there. */
    private long pathCall(String path, OnPath call) throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long length = putPath(slot, 0, path);
            return check(call.call(slot, slot.dataOffset(), length));
        }
    }

    void unlink(String path, boolean directory) throws IOException, ErrnoException {
        pathCall(path, (slot, at, length) -> Unlink.call(slot, at, length, directory ? AT_REMOVEDIR : 0));
    }

    void mkdir(String path, int mode) throws IOException, ErrnoException {
        pathCall(path, (slot, at, length) -> Mkdir.call(slot, at, length, mode));
    }

    void rename(String from, String to, int flags) throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long fromLength = putPath(slot, 0, from);
            long toAt = align8(fromLength);
            long toLength = putPath(slot, toAt, to);
            check(Rename.call(slot, slot.dataOffset(), fromLength, slot.dataOffset() + toAt, toLength, flags));
        }
    }

    void symlink(String target, String link) throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long targetLength = putPath(slot, 0, target);
            long linkAt = align8(targetLength);
            long linkLength = putPath(slot, linkAt, link);
            check(Symlink.call(slot, slot.dataOffset(), targetLength, slot.dataOffset() + linkAt, linkLength));
        }
    }

    String readlink(String path) throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            long length = putPath(slot, 0, path);
            long out = align8(length);
            int n = (int) check(Readlink.call(slot, slot.dataOffset(), length, slot.dataOffset() + out,
                    StorageCalls.PATH_MAX));
            return new String(slot.data().asSlice(out, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    void utimens(String path, long atimeNs, long mtimeNs, boolean followLinks) throws IOException, ErrnoException {
        pathCall(path, (slot, at, length) -> Utimens.call(slot, at, length, atimeNs, mtimeNs,
                followLinks ? 0 : AT_SYMLINK_NOFOLLOW));
    }

    void chmod(String path, int mode) throws IOException, ErrnoException {
        pathCall(path, (slot, at, length) -> Chmod.call(slot, at, length, mode));
    }

    /** {@code uid} or {@code gid} -1: left as it is. */
    void chown(String path, int uid, int gid, boolean followLinks) throws IOException, ErrnoException {
        pathCall(path, (slot, at, length) -> Chown.call(slot, at, length, uid, gid,
                followLinks ? 0 : AT_SYMLINK_NOFOLLOW));
    }

    void access(String path, int mode) throws IOException, ErrnoException {
        pathCall(path, (slot, at, length) -> Access.call(slot, at, length, mode));
    }

    /** Total, free and available bytes, and the block size, of the export root's file system. */
    FileSystemStat statfs() throws IOException, ErrnoException {
        try (CallSlot slot = calls.acquire()) {
            check(Statfs.call(slot, slot.dataOffset(), FileSystemStat.BYTES));
            return FileSystemStat.decode(slot.data());
        }
    }

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }
}
