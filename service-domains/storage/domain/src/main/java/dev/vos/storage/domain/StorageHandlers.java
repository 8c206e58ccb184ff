package dev.vos.storage.domain;

import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.ServerCall;
import dev.vos.storage.protocol.FileStat;
import dev.vos.storage.protocol.FileSystemStat;
import dev.vos.storage.protocol.StorageCalls;
import dev.vos.storage.protocol.StorageCalls.Access;
import dev.vos.storage.protocol.StorageCalls.Append;
import dev.vos.storage.protocol.StorageCalls.Chmod;
import dev.vos.storage.protocol.StorageCalls.Chown;
import dev.vos.storage.protocol.StorageCalls.Close;
import dev.vos.storage.protocol.StorageCalls.CopyRange;
import dev.vos.storage.protocol.StorageCalls.Fallocate;
import dev.vos.storage.protocol.StorageCalls.Fdatasync;
import dev.vos.storage.protocol.StorageCalls.Fstat;
import dev.vos.storage.protocol.StorageCalls.Fsync;
import dev.vos.storage.protocol.StorageCalls.Ftruncate;
import dev.vos.storage.protocol.StorageCalls.Getdents;
import dev.vos.storage.protocol.StorageCalls.Lock;
import dev.vos.storage.protocol.StorageCalls.Mkdir;
import dev.vos.storage.protocol.StorageCalls.Open;
import dev.vos.storage.protocol.StorageCalls.Pread;
import dev.vos.storage.protocol.StorageCalls.Readlink;
import dev.vos.storage.protocol.StorageCalls.Rename;
import dev.vos.storage.protocol.StorageCalls.Stat;
import dev.vos.storage.protocol.StorageCalls.Statfs;
import dev.vos.storage.protocol.StorageCalls.Symlink;
import dev.vos.storage.protocol.StorageCalls.Unlink;
import dev.vos.storage.protocol.StorageCalls.Utimens;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.vos.storage.domain.StorageSyscalls.*;
import static dev.vos.storage.protocol.StorageFlags.*;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The storage calls' handlers, for one export root (see {@link StorageCalls} for the table; each handler reads
 * its arguments by the positions the protocol names, {@code call.arg(Pread.COUNT)}). Every path is
 * resolved beneath the root's directory descriptor by openat2 with {@link StorageSyscalls#CONFINED}; the calls
 * whose kernel interface has no RESOLVE flags (unlinkat, mkdirat, renameat2) first open the parent that way and
 * then act on the last component only, which cannot lead anywhere else. The calls that act on a file's metadata
 * (stat, utimens, chmod, chown, access) open the file itself that way, O_PATH, and then act on that descriptor
 * with AT_EMPTY_PATH: their *at forms have no RESOLVE flags either, and given the parent and a name they would
 * follow a final symlink wherever it points.
 */
final class StorageHandlers {

    /** The open flags a client may pass; the rest (O_PATH, O_TMPFILE, O_NOCTTY ...) are EINVAL. */
    static final int ALLOWED_OPEN_FLAGS = O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_DIRECTORY
            | O_NOFOLLOW | O_DSYNC | O_SYNC;
    /** Permission bits only: no set-uid, set-gid or sticky files made by the domain's user for a client. */
    static final int ALLOWED_MODE = 0777;
    static final int ALLOWED_RENAME_FLAGS = RENAME_NOREPLACE | RENAME_EXCHANGE;
    /** chmod may set the sticky bit (a shared directory), but not set-uid or set-gid (see {@link #ALLOWED_MODE}). */
    static final int ALLOWED_CHMOD_MODE = 01777;
    static final int ALLOWED_ACCESS_MODE = R_OK | W_OK | X_OK;
    /** The largest uid_t/gid_t; a chown id above it would be cut to 32 bits by the kernel, a different id. */
    private static final long MAX_ID = 0xFFFF_FFFFL;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /**
     * Added to every open: no open waits (a FIFO with no one at the other end, a device), and no terminal becomes
     * the domain's. A worker held in open(2) would be held for every client of its session.
     */
    static final int OPEN_NEVER_WAITS = O_NONBLOCK | O_NOCTTY;

    private final int rootFd;
    private final boolean allowSpecialFiles;
    /** The domain's own figures, shared with every worker's batch. */
    private final StorageFigures figures = new StorageFigures();
    /** Descriptors' read mappings and the known sizes of their files, domain-wide. */
    private final ReadMappings mappings;

    /**
     * Handlers for the export root open as {@code rootFd} (O_PATH | O_DIRECTORY); they never close it. Opens of
     * anything but a regular file or a directory are EACCES unless {@code allowSpecialFiles}. Reads of regular files
     * are copied from mappings of them where they can be if {@code mapReads} (see {@link ReadMapping}).
     */
    StorageHandlers(int rootFd, boolean allowSpecialFiles, boolean mapReads) {
        this.rootFd = rootFd;
        this.allowSpecialFiles = allowSpecialFiles;
        this.mappings = new ReadMappings(mapReads);
    }

    /** Registers the calls and the per-session descriptor table. */
    void register(CallTable.Builder table) {
        table.add(StorageCalls.OPEN, "open", this::open)
                .add(StorageCalls.CLOSE, "close", this::close)
                .addBatched(StorageCalls.PREAD, "pread", call -> transfer(call, StorageBatch.Op.READ))
                .addBatched(StorageCalls.PWRITE, "pwrite", call -> transfer(call, StorageBatch.Op.WRITE))
                .addBatched(StorageCalls.FSYNC, "fsync", call -> sync(call, call.arg(Fsync.FD),
                        StorageBatch.Op.FSYNC, figures))
                .addBatched(StorageCalls.FDATASYNC, "fdatasync", call -> sync(call, call.arg(Fdatasync.FD),
                        StorageBatch.Op.FDATASYNC, figures))
                .add(StorageCalls.FTRUNCATE, "ftruncate", this::ftruncate)
                .add(StorageCalls.FSTAT, "fstat", this::fstat)
                .add(StorageCalls.UNLINK, "unlink", this::unlink)
                .add(StorageCalls.MKDIR, "mkdir", this::mkdir)
                .add(StorageCalls.RENAME, "rename", this::rename)
                .add(StorageCalls.STAT, "stat", this::stat)
                .add(StorageCalls.GETDENTS, "getdents", this::getdents)
                .add(StorageCalls.SYMLINK, "symlink", this::symlink)
                .add(StorageCalls.READLINK, "readlink", this::readlink)
                .add(StorageCalls.UTIMENS, "utimens", this::utimens)
                .add(StorageCalls.CHMOD, "chmod", this::chmod)
                .add(StorageCalls.CHOWN, "chown", this::chown)
                .add(StorageCalls.FALLOCATE, "fallocate", this::fallocate)
                .add(StorageCalls.ACCESS, "access", this::access)
                .add(StorageCalls.STATFS, "statfs", this::statfs)
                .add(StorageCalls.LOCK, "lock", this::lock)
                .add(StorageCalls.APPEND, "append", StorageHandlers::append)
                .add(StorageCalls.COPY_RANGE, "copyRange", StorageHandlers::copyRange)
                // The domain's bytes read and written (its figures, for the operator) are these calls' results.
                .transfers(StorageCalls.PREAD, CallTable.Transfer.READ)
                .transfers(StorageCalls.PWRITE, CallTable.Transfer.WRITE)
                .transfers(StorageCalls.APPEND, CallTable.Transfer.WRITE)
                .sessionState(() -> new DescriptorTable(fd -> StorageSyscalls.close(fd)))
                .batcher(() -> new StorageBatch(figures));
        figures.register(table);
    }

    private static DescriptorTable descriptors(ServerCall call) {
        return (DescriptorTable) call.session();
    }

    /** A call on one kernel descriptor. */
    @FunctionalInterface
    private interface FdCall {
        long apply(int kernelFd);
    }

    /** Runs {@code body} on the kernel descriptor of the session's descriptor {@code fd}, pinned meanwhile. */
    private static long onDescriptor(ServerCall call, long fd, FdCall body) {
        DescriptorTable table = descriptors(call);
        DescriptorTable.Entry entry = table.acquire(fd);
        if (entry == null) {
            return -Errno.EBADF;
        }
        try {
            return body.apply(entry.kernelFd());
        } finally {
            table.release(entry);
        }
    }

    private long open(ServerCall call) {
        long flags = call.arg(Open.FLAGS);
        long mode = call.arg(Open.MODE);
        if ((flags & ~(long) ALLOWED_OPEN_FLAGS) != 0 || (mode & ~(long) ALLOWED_MODE) != 0
                || (flags & O_ACCMODE) == O_ACCMODE) {
            return -Errno.EINVAL;
        }
        int[] errno = new int[1];
        ClientPath path = ClientPath.copy(call, call.arg(Open.PATH_OFFSET), call.arg(Open.PATH_LENGTH), errno);
        if (path == null) {
            return -errno[0];
        }
        long fd;
        try (Arena arena = Arena.ofConfined()) {
            // openat2 refuses a mode without O_CREAT (unlike open): pass it only when it means something.
            fd = openat2(rootFd, path.toNative(arena), flags | O_CLOEXEC | OPEN_NEVER_WAITS,
                    (flags & O_CREAT) != 0 ? mode : 0, CONFINED);
            if (fd == -Errno.ENXIO && !allowSpecialFiles) {
                return -Errno.EACCES; // only a special file answers ENXIO: a FIFO with no reader, a socket
            }
            if (fd >= 0 && !allowSpecialFiles) {
                long refused = refuseSpecialFile((int) fd, arena);
                if (refused < 0) {
                    StorageSyscalls.close((int) fd);
                    return refused;
                }
            }
        }
        if (fd >= 0 && (flags & O_TRUNC) != 0) {
            mappings.sizes().truncated((int) fd); // the kernel cut the file inside openat2: mapped reads must know
        }
        return fd < 0 ? fd : descriptors(call).add((int) fd, (flags & O_APPEND) != 0,
                (flags & O_ACCMODE) != O_WRONLY);
    }

    /**
     * ftruncate, with the file's known size lowered first where a descriptor of it is mapped: a read after it must
     * answer the cut range as pread does (short, or 0), never from the mapping's zeroed tail of the last page.
     */
    private long ftruncate(ServerCall call) {
        long length = call.arg(Ftruncate.LENGTH);
        return onDescriptor(call, call.arg(Ftruncate.FD), fd -> mappings.sizes().truncate(fd, length,
                () -> StorageSyscalls.ftruncate(fd, length)));
    }

    /**
     * 0 if {@code fd} is a regular file or a directory, else -EACCES (or fstat's error). After the open, on the
     * descriptor, so a name swapped for a FIFO between a check and the open cannot slip through.
     */
    private static long refuseSpecialFile(int fd, Arena arena) {
        MemorySegment statx = arena.allocate(STATX_SIZE, 8);
        long r = statx(fd, emptyPath(arena), AT_EMPTY_PATH, statx);
        if (r < 0) {
            return r;
        }
        int type = Short.toUnsignedInt(statx.get(JAVA_SHORT, STATX_MODE_OFFSET)) & S_IFMT;
        return type == S_IFREG || type == S_IFDIR ? 0 : -Errno.EACCES;
    }

    private long close(ServerCall call) {
        return descriptors(call).remove(call.arg(Close.FD));
    }

    // pread and pwrite are the hot path: written out instead of onDescriptor with a lambda, which allocates a
    // capturing lambda per call, and without a payload slice (the kernel gets the address and count directly).

    /**
     * pread or pwrite ({@code op} READ or WRITE), read by {@link Pread}'s names: the protocol defines pwrite's
     * positions as pread's. The names are compile-time constants: nothing is looked up per call. A read wholly
     * inside a mapped file's known size is a copy from the mapping, no system call ({@link ReadMapping}). Otherwise
     * a call with others queued behind it goes into the worker's batch (one io_uring_enter for all of them); a call
     * alone is one system call, the cheapest way for a lone client.
     */
    private long transfer(ServerCall call, StorageBatch.Op op) {
        long count = call.arg(Pread.COUNT);
        long address = call.dataAddress(call.arg(Pread.BUFFER_OFFSET), count);
        if (address == 0) {
            return -Errno.EFAULT;
        }
        long offset = call.arg(Pread.OFFSET);
        if (offset < 0) {
            return -Errno.EINVAL; // as pread(2) answers; io_uring would take -1 as "the file position"
        }
        DescriptorTable table = descriptors(call);
        DescriptorTable.Entry entry = table.acquire(call.arg(Pread.FD));
        if (entry == null) {
            return -Errno.EBADF;
        }
        StorageBatch batch = (StorageBatch) call.batcher();
        ReadView view = op == StorageBatch.Op.READ && count > 0 && count <= Integer.MAX_VALUE
                ? mappings.view(table, entry) : ReadView.NoMapping.NEVER;
        // Only a read the worker would make alone (one pread) is copied: one that finds others queued behind it, or a
        // batch gathered already, joins the batch as before. A quiet sitting (2026-12-04 22:54) showed why: copied
        // one by one, 64 clients' 4 KiB reads fell from 0.86x native to 0.67x and 1 MiB reads (16 chunks queued
        // together) from 0.71x to 0.25x, while a lone client's reads rose to 1.05x. A batch also keeps the order of
        // "Batches and order": no read is copied past a write gathered before it. (A batch that is one large read
        // alone is copied from the mapping too, by the batch: StorageBatch.copyRun.)
        if (view instanceof ReadMapping mapping && (batch == null || !batch.wants(call))) {
            long n = mapping.copy(entry.kernelFd(), address, (int) count, offset);
            if (n != ReadMapping.NOT_SERVED) {
                figures.readMapped();
                countBesideSync(batch);
                table.release(entry);
                return n;
            }
        }
        if (batch != null && count <= Integer.MAX_VALUE && batch.wants(call)
                && batch.gather(call, table, entry, op, address, (int) count, offset)) {
            return ServerCall.DEFERRED; // the batch answers it and releases the entry
        }
        countBesideSync(batch);
        try {
            if (op == StorageBatch.Op.WRITE) {
                // A write through a mapped descriptor tells its known size how far the file now reaches.
                ReadView mine = entry.view();
                long epoch = mine instanceof ReadMapping m ? m.size().epoch() : 0;
                long n = Linux.syscallErrno(SYS_PWRITE64, entry.kernelFd(), address, count, offset, 0, 0);
                if (n > 0 && mine instanceof ReadMapping m) {
                    m.size().raise(offset + n, epoch);
                }
                return n;
            }
            return preadNow(entry, view, address, count, offset);
        } finally {
            table.release(entry);
        }
    }

    /** A read or write answered at once while the worker's batch has an fsync in flight is counted beside it. */
    private void countBesideSync(StorageBatch batch) {
        if (batch != null && batch.syncInFlight()) {
            figures.answeredBesideSync();
        }
    }

    /**
     * A pread as one system call. Bytes found tell what the file holds at least: the known size of a mapped file is
     * raised to their end (a file grown by a process outside vos is then served from the mapping), and a descriptor
     * whose file was empty may map it now.
     */
    private long preadNow(DescriptorTable.Entry entry, ReadView view, long address, long count, long offset) {
        long epoch = view instanceof ReadMapping m ? m.size().epoch() : 0;
        long n = Linux.syscallErrno(SYS_PREAD64, entry.kernelFd(), address, count, offset, 0, 0);
        figures.readTrapped();
        if (n > 0) {
            if (view instanceof ReadMapping m) {
                m.size().raise(offset + n, epoch);
            } else {
                ReadMappings.grew(entry);
            }
        }
        return n;
    }

    /**
     * fsync or fdatasync of the session's descriptor {@code fd}: always through the worker's batch where it has an
     * io_uring, alone or not, so that the worker does not wait in the fsync (see {@link StorageBatch}, "Forces in
     * flight"); forces of one descriptor are answered by one. Without io_uring, a system call, the worker waiting.
     */
    private static long sync(ServerCall call, long fd, StorageBatch.Op op, StorageFigures figures) {
        DescriptorTable table = descriptors(call);
        DescriptorTable.Entry entry = table.acquire(fd);
        if (entry == null) {
            return -Errno.EBADF;
        }
        StorageBatch batch = (StorageBatch) call.batcher();
        if (batch != null && batch.wantsForce() && batch.gather(call, table, entry, op, 0, 0, 0)) {
            return ServerCall.DEFERRED; // answered when its fsync completes; the worker goes on meanwhile
        }
        try {
            figures.syncIssued();
            return op == StorageBatch.Op.FSYNC ? StorageSyscalls.fsync(entry.kernelFd())
                    : StorageSyscalls.fdatasync(entry.kernelFd());
        } finally {
            figures.forcesAnswered(1);
            table.release(entry);
        }
    }

    /**
     * write(2) at the end of a descriptor opened with O_APPEND: the kernel positions each write at the end
     * atomically. Read by {@link Append}'s names; allocation-free as {@link #transfer}. EINVAL on a descriptor
     * opened without O_APPEND: a client that means to append never writes at an offset of another file.
     */
    private static long append(ServerCall call) {
        long count = call.arg(Append.COUNT);
        long address = call.dataAddress(call.arg(Append.BUFFER_OFFSET), count);
        if (address == 0) {
            return -Errno.EFAULT;
        }
        DescriptorTable table = descriptors(call);
        DescriptorTable.Entry entry = table.acquire(call.arg(Append.FD));
        if (entry == null) {
            return -Errno.EBADF;
        }
        try {
            return entry.append() ? StorageSyscalls.write(entry.kernelFd(), address, count) : -Errno.EINVAL;
        } finally {
            table.release(entry);
        }
    }

    /**
     * copy_file_range between two of the session's descriptors, at most {@link StorageCalls#COPY_RANGE_MAX} bytes.
     * The written file's known size is raised as a pwrite's is, so a mapping of it serves the copied bytes; a copy
     * never shortens a file, so nothing is lowered. Not batched: the worker flushes what it gathered first, so a
     * copy sees every write queued before it.
     */
    private static long copyRange(ServerCall call) {
        long offsetIn = call.arg(CopyRange.OFFSET_IN);
        long offsetOut = call.arg(CopyRange.OFFSET_OUT);
        long count = call.arg(CopyRange.COUNT);
        if (offsetIn < 0 || offsetOut < 0 || count < 0) {
            return -Errno.EINVAL;
        }
        DescriptorTable table = descriptors(call);
        DescriptorTable.Entry in = table.acquire(call.arg(CopyRange.FD_IN));
        if (in == null) {
            return -Errno.EBADF;
        }
        try {
            DescriptorTable.Entry out = table.acquire(call.arg(CopyRange.FD_OUT));
            if (out == null) {
                return -Errno.EBADF;
            }
            try {
                ReadView view = out.view();
                long epoch = view instanceof ReadMapping m ? m.size().epoch() : 0;
                long n = StorageSyscalls.copyFileRange(in.kernelFd(), offsetIn, out.kernelFd(), offsetOut,
                        Math.min(count, StorageCalls.COPY_RANGE_MAX));
                if (n > 0 && view instanceof ReadMapping m) {
                    m.size().raise(offsetOut + n, epoch);
                }
                return n;
            } finally {
                table.release(out);
            }
        } finally {
            table.release(in);
        }
    }

    private long fstat(ServerCall call) {
        MemorySegment out = call.data(call.arg(Fstat.OUT_OFFSET), call.arg(Fstat.OUT_LENGTH));
        if (out == null || out.byteSize() < FileStat.BYTES) {
            return -Errno.EFAULT;
        }
        return onDescriptor(call, call.arg(Fstat.FD), fd -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment statx = arena.allocate(STATX_SIZE, 8);
                long r = StorageSyscalls.fstat(fd, statx);
                if (r < 0) {
                    return r;
                }
                Statx.toFileStat(statx).encode(out);
                return FileStat.BYTES;
            }
        });
    }

    private long unlink(ServerCall call) {
        long flags = call.arg(Unlink.FLAGS);
        if ((flags & ~(long) AT_REMOVEDIR) != 0) {
            return -Errno.EINVAL;
        }
        return inParent(call, call.arg(Unlink.PATH_OFFSET), call.arg(Unlink.PATH_LENGTH),
                (dirFd, name) -> unlinkat(dirFd, name, (int) flags));
    }

    private long mkdir(ServerCall call) {
        long mode = call.arg(Mkdir.MODE);
        if ((mode & ~(long) ALLOWED_MODE) != 0) {
            return -Errno.EINVAL;
        }
        return inParent(call, call.arg(Mkdir.PATH_OFFSET), call.arg(Mkdir.PATH_LENGTH),
                (dirFd, name) -> mkdirat(dirFd, name, (int) mode));
    }

    private long rename(ServerCall call) {
        long flags = call.arg(Rename.FLAGS);
        if ((flags & ~(long) ALLOWED_RENAME_FLAGS) != 0) {
            return -Errno.EINVAL;
        }
        return inParent(call, call.arg(Rename.FROM_OFFSET), call.arg(Rename.FROM_LENGTH), (oldDir, oldName) ->
                inParent(call, call.arg(Rename.TO_OFFSET), call.arg(Rename.TO_LENGTH), (newDir, newName) ->
                        renameat2(oldDir, oldName, newDir, newName, (int) flags)));
    }

    private long stat(ServerCall call) {
        long flags = call.arg(Stat.FLAGS);
        if ((flags & ~(long) AT_SYMLINK_NOFOLLOW) != 0) {
            return -Errno.EINVAL;
        }
        MemorySegment out = call.data(call.arg(Stat.OUT_OFFSET), call.arg(Stat.OUT_LENGTH));
        if (out == null || out.byteSize() < FileStat.BYTES) {
            return -Errno.EFAULT;
        }
        return onPath(call, call.arg(Stat.PATH_OFFSET), call.arg(Stat.PATH_LENGTH), flags == 0, (fd, arena) -> {
            MemorySegment statx = arena.allocate(STATX_SIZE, 8);
            long r = statx(fd, emptyPath(arena), AT_EMPTY_PATH, statx);
            if (r < 0) {
                return r;
            }
            Statx.toFileStat(statx).encode(out);
            return FileStat.BYTES;
        });
    }

    private long getdents(ServerCall call) {
        // The kernel writes whole records only and never more than count (an unsigned int: a larger count is cut
        // to fewer bytes, never more), so the slice bounds every byte it writes.
        MemorySegment buf = call.data(call.arg(Getdents.BUFFER_OFFSET), call.arg(Getdents.COUNT));
        return buf == null ? -Errno.EFAULT : onDescriptor(call, call.arg(Getdents.FD), fd -> getdents64(fd, buf));
    }

    private long symlink(ServerCall call) {
        // The target is text stored in the link, not resolved now: it goes through the same copy as a path (so
        // "" is the kernel's ENOENT, a NUL EINVAL, 4096 bytes or more ENAMETOOLONG) but may point anywhere;
        // every later resolution through the link is confined.
        int[] errno = new int[1];
        ClientPath target = ClientPath.copy(call, call.arg(Symlink.TARGET_OFFSET), call.arg(Symlink.TARGET_LENGTH),
                errno);
        if (target == null) {
            return -errno[0];
        }
        return inParent(call, call.arg(Symlink.LINK_OFFSET), call.arg(Symlink.LINK_LENGTH), (dirFd, name) -> {
            try (Arena arena = Arena.ofConfined()) {
                return symlinkat(target.toNative(arena), dirFd, name);
            }
        });
    }

    private long readlink(ServerCall call) {
        MemorySegment buf = call.data(call.arg(Readlink.BUFFER_OFFSET), call.arg(Readlink.SIZE));
        if (buf == null) {
            return -Errno.EFAULT;
        }
        return inParent(call, call.arg(Readlink.PATH_OFFSET), call.arg(Readlink.PATH_LENGTH),
                (dirFd, name) -> readlinkat(dirFd, name, buf));
    }

    private long utimens(ServerCall call) {
        long atime = call.arg(Utimens.ATIME_NS);
        long mtime = call.arg(Utimens.MTIME_NS);
        long flags = call.arg(Utimens.FLAGS);
        if ((flags & ~(long) AT_SYMLINK_NOFOLLOW) != 0) {
            return -Errno.EINVAL;
        }
        // Not utimensat(parent, name, times, 0): that would follow a final symlink out of the root. The confined
        // open has followed it (or, with NOFOLLOW, opened the link itself), and utimensat with AT_EMPTY_PATH on an
        // O_PATH descriptor sets the times of exactly that file, without following anything again (Linux 5.8+).
        return onPath(call, call.arg(Utimens.PATH_OFFSET), call.arg(Utimens.PATH_LENGTH), flags == 0, (fd, arena) -> {
            MemorySegment times = arena.allocate(2 * TIMESPEC_SIZE, 8);
            timespec(times, 0, atime);
            timespec(times, TIMESPEC_SIZE, mtime);
            return utimensat(fd, emptyPath(arena), times, AT_EMPTY_PATH);
        });
    }

    /** Writes {@code nanos} since the epoch (or UTIME_UNCHANGED) as the struct timespec at {@code offset}. */
    private static void timespec(MemorySegment times, long offset, long nanos) {
        if (nanos == StorageCalls.UTIME_UNCHANGED) {
            times.set(JAVA_LONG, offset, 0);
            times.set(JAVA_LONG, offset + 8, UTIME_OMIT);
        } else {
            // floor, not truncation: a time before 1970 still has tv_nsec in [0, 1e9), as the kernel requires
            times.set(JAVA_LONG, offset, Math.floorDiv(nanos, NANOS_PER_SECOND));
            times.set(JAVA_LONG, offset + 8, Math.floorMod(nanos, NANOS_PER_SECOND));
        }
    }

    private long chmod(ServerCall call) {
        long mode = call.arg(Chmod.MODE);
        if ((mode & ~(long) ALLOWED_CHMOD_MODE) != 0) {
            return -Errno.EINVAL;
        }
        // fchmodat2 (Linux 6.6) is the first chmod taking AT_EMPTY_PATH, so the first that works on an O_PATH
        // descriptor; fchmod would need a descriptor opened for reading, which a write-only file refuses. An older
        // kernel (ENOSYS: the lab's 6.1 Xen guests) chmods the same inode through its /proc/self/fd magic link.
        return onPath(call, call.arg(Chmod.PATH_OFFSET), call.arg(Chmod.PATH_LENGTH), true, (fd, arena) -> {
            long r = fchmodat2(fd, emptyPath(arena), (int) mode, AT_EMPTY_PATH);
            return r == -Errno.ENOSYS ? fchmodThroughProc(fd, (int) mode) : r;
        });
    }

    private long chown(ServerCall call) {
        long uid = call.arg(Chown.UID);
        long gid = call.arg(Chown.GID);
        long flags = call.arg(Chown.FLAGS);
        if ((flags & ~(long) AT_SYMLINK_NOFOLLOW) != 0 || !isId(uid) || !isId(gid)) {
            return -Errno.EINVAL;
        }
        return onPath(call, call.arg(Chown.PATH_OFFSET), call.arg(Chown.PATH_LENGTH), flags == 0,
                (fd, arena) -> fchownat(fd, emptyPath(arena), (int) uid, (int) gid, AT_EMPTY_PATH));
    }

    /** Whether {@code id} is a uid_t/gid_t or -1 (unchanged). */
    private static boolean isId(long id) {
        return id == -1 || id >= 0 && id <= MAX_ID;
    }

    private long fallocate(ServerCall call) {
        long mode = call.arg(Fallocate.MODE);
        if (mode != 0 && mode != FALLOC_FL_KEEP_SIZE) {
            return -Errno.EINVAL;
        }
        return onDescriptor(call, call.arg(Fallocate.FD), fd -> StorageSyscalls.fallocate(fd, (int) mode,
                call.arg(Fallocate.OFFSET), call.arg(Fallocate.LENGTH)));
    }

    private long access(ServerCall call) {
        long mode = call.arg(Access.MODE);
        if ((mode & ~(long) ALLOWED_ACCESS_MODE) != 0) {
            return -Errno.EINVAL;
        }
        return onPath(call, call.arg(Access.PATH_OFFSET), call.arg(Access.PATH_LENGTH), true,
                (fd, arena) -> faccessat2(fd, emptyPath(arena), (int) mode, AT_EMPTY_PATH));
    }

    private long lock(ServerCall call) {
        long type = call.arg(Lock.TYPE);
        long start = call.arg(Lock.START);
        long length = call.arg(Lock.LENGTH);
        if (type != F_RDLCK && type != F_WRLCK && type != F_UNLCK || start < 0 || length < 0) {
            return -Errno.EINVAL;
        }
        // Never F_OFD_SETLKW: a waiting lock would hold the worker that every other client's calls need.
        return onDescriptor(call, call.arg(Lock.FD), fd -> ofdSetLock(fd, (short) type, start, length));
    }

    private long statfs(ServerCall call) {
        MemorySegment out = call.data(call.arg(Statfs.OUT_OFFSET), call.arg(Statfs.OUT_LENGTH));
        if (out == null || out.byteSize() < FileSystemStat.BYTES) {
            return -Errno.EFAULT;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment statfs = arena.allocate(STATFS_SIZE, 8);
            long r = fstatfs(rootFd, statfs);
            if (r < 0) {
                return r;
            }
            long fragment = statfs.get(JAVA_LONG, STATFS_FRSIZE_OFFSET);
            new FileSystemStat(bytes(statfs.get(JAVA_LONG, STATFS_BLOCKS_OFFSET), fragment),
                    bytes(statfs.get(JAVA_LONG, STATFS_BFREE_OFFSET), fragment),
                    bytes(statfs.get(JAVA_LONG, STATFS_BAVAIL_OFFSET), fragment),
                    statfs.get(JAVA_LONG, STATFS_BSIZE_OFFSET)).encode(out);
            return FileSystemStat.BYTES;
        }
    }

    /** {@code blocks * size}, held at Long.MAX_VALUE rather than wrapping negative (as NIO's FileStore does). */
    private static long bytes(long blocks, long size) {
        long high = Math.unsignedMultiplyHigh(blocks, size);
        long low = blocks * size;
        return high != 0 || low < 0 ? Long.MAX_VALUE : low;
    }

    /** A call on a descriptor of the file a client path names. */
    @FunctionalInterface
    private interface PathCall {
        long apply(int fd, Arena arena);
    }

    /**
     * Opens the file the path at payload {@code [offset, offset + length)} names, O_PATH and confined to the root
     * (a final symlink followed, confined too, if {@code follow}; else the link itself), and runs {@code body} on
     * it with an arena for its native memory; closes the descriptor after. O_PATH: no permission is needed on the
     * file itself, and a FIFO or a device is not opened, only named.
     */
    private long onPath(ServerCall call, long offset, long length, boolean follow, PathCall body) {
        int[] errno = new int[1];
        ClientPath path = ClientPath.copy(call, offset, length, errno);
        if (path == null) {
            return -errno[0];
        }
        try (Arena arena = Arena.ofConfined()) {
            long fd = openat2(rootFd, path.toNative(arena), O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW), 0,
                    CONFINED);
            if (fd < 0) {
                return fd;
            }
            try {
                return body.apply((int) fd, arena);
            } finally {
                StorageSyscalls.close((int) fd);
            }
        }
    }

    /** "" as a native string, the path of an AT_EMPTY_PATH call. */
    private static MemorySegment emptyPath(Arena arena) {
        return arena.allocate(1); // zeroed: just the NUL
    }

    /** A call on a name in a directory. */
    @FunctionalInterface
    private interface AtCall {
        long apply(int dirFd, MemorySegment name);
    }

    /**
     * Opens the parent of the path at payload {@code [offset, offset + length)} confined to the root, and runs
     * {@code body} on it and the path's last component; closes the parent after.
     */
    private long inParent(ServerCall call, long offset, long length, AtCall body) {
        int[] errno = new int[1];
        ClientPath path = ClientPath.copy(call, offset, length, errno);
        if (path == null) {
            return -errno[0];
        }
        ClientPath name = path.lastComponent();
        if (name == null) {
            return -Errno.EINVAL;
        }
        try (Arena arena = Arena.ofConfined()) {
            long dirFd = openat2(rootFd, path.parent().toNative(arena), O_PATH | O_DIRECTORY | O_CLOEXEC, 0, CONFINED);
            if (dirFd < 0) {
                return dirFd;
            }
            try {
                return body.apply((int) dirFd, name.toNative(arena));
            } finally {
                StorageSyscalls.close((int) dirFd);
            }
        }
    }
}
