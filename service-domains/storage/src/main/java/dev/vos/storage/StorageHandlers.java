package dev.vos.storage;

import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.ServerCall;
import dev.vos.sys.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.vos.storage.StorageSyscalls.*;

/**
 * The storage calls' handlers, for one export root (see {@link StorageCalls} for the table). Every path is
 * resolved beneath the root's directory descriptor by openat2 with {@link StorageSyscalls#CONFINED}; the calls
 * whose kernel interface has no RESOLVE flags (unlinkat, mkdirat, renameat2) first open the parent that way and
 * then act on the last component only, which cannot lead anywhere else.
 */
final class StorageHandlers {

    /** The open flags a client may pass; the rest (O_PATH, O_TMPFILE, O_NOCTTY ...) are EINVAL. */
    static final int ALLOWED_OPEN_FLAGS = O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_DIRECTORY
            | O_NOFOLLOW | O_DSYNC | O_SYNC;
    /** Permission bits only: no set-uid, set-gid or sticky files made by the domain's user for a client. */
    static final int ALLOWED_MODE = 0777;
    static final int ALLOWED_RENAME_FLAGS = RENAME_NOREPLACE | RENAME_EXCHANGE;

    private final int rootFd;

    /** Handlers for the export root open as {@code rootFd} (O_PATH | O_DIRECTORY); they never close it. */
    StorageHandlers(int rootFd) {
        this.rootFd = rootFd;
    }

    /** Registers the calls and the per-session descriptor table. */
    void register(CallTable.Builder table) {
        table.add(StorageCalls.OPEN, "open", this::open)
                .add(StorageCalls.CLOSE, "close", this::close)
                .add(StorageCalls.PREAD, "pread", this::pread)
                .add(StorageCalls.PWRITE, "pwrite", this::pwrite)
                .add(StorageCalls.FSYNC, "fsync", call -> onDescriptor(call, StorageSyscalls::fsync))
                .add(StorageCalls.FDATASYNC, "fdatasync", call -> onDescriptor(call, StorageSyscalls::fdatasync))
                .add(StorageCalls.FTRUNCATE, "ftruncate",
                        call -> onDescriptor(call, fd -> StorageSyscalls.ftruncate(fd, call.arg(1))))
                .add(StorageCalls.FSTAT, "fstat", this::fstat)
                .add(StorageCalls.UNLINK, "unlink", this::unlink)
                .add(StorageCalls.MKDIR, "mkdir", this::mkdir)
                .add(StorageCalls.RENAME, "rename", this::rename)
                .sessionState(() -> new DescriptorTable(fd -> StorageSyscalls.close(fd)));
    }

    private static DescriptorTable descriptors(ServerCall call) {
        return (DescriptorTable) call.session();
    }

    /** A call on one kernel descriptor. */
    @FunctionalInterface
    private interface FdCall {
        long apply(int kernelFd);
    }

    /** Runs {@code body} on the kernel descriptor of the session's descriptor {@code arg(0)}, pinned meanwhile. */
    private static long onDescriptor(ServerCall call, FdCall body) {
        DescriptorTable table = descriptors(call);
        DescriptorTable.Entry entry = table.acquire(call.arg(0));
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
        long flags = call.arg(2);
        long mode = call.arg(3);
        if ((flags & ~(long) ALLOWED_OPEN_FLAGS) != 0 || (mode & ~(long) ALLOWED_MODE) != 0
                || (flags & O_ACCMODE) == O_ACCMODE) {
            return -Errno.EINVAL;
        }
        int[] errno = new int[1];
        ClientPath path = ClientPath.copy(call, call.arg(0), call.arg(1), errno);
        if (path == null) {
            return -errno[0];
        }
        long fd;
        try (Arena arena = Arena.ofConfined()) {
            // openat2 refuses a mode without O_CREAT (unlike open): pass it only when it means something.
            fd = openat2(rootFd, path.toNative(arena), flags | O_CLOEXEC, (flags & O_CREAT) != 0 ? mode : 0,
                    CONFINED);
        }
        return fd < 0 ? fd : descriptors(call).add((int) fd);
    }

    private long close(ServerCall call) {
        return descriptors(call).remove(call.arg(0));
    }

    // pread and pwrite are the hot path: written out instead of onDescriptor with a lambda, which allocates a
    // capturing lambda per call, and without a payload slice (the kernel gets the address and count directly).

    private long pread(ServerCall call) {
        long address = call.dataAddress(call.arg(1), call.arg(2));
        if (address == 0) {
            return -Errno.EFAULT;
        }
        DescriptorTable table = descriptors(call);
        DescriptorTable.Entry entry = table.acquire(call.arg(0));
        if (entry == null) {
            return -Errno.EBADF;
        }
        try {
            return StorageSyscalls.pread(entry.kernelFd(), address, call.arg(2), call.arg(3));
        } finally {
            table.release(entry);
        }
    }

    private long pwrite(ServerCall call) {
        long address = call.dataAddress(call.arg(1), call.arg(2));
        if (address == 0) {
            return -Errno.EFAULT;
        }
        DescriptorTable table = descriptors(call);
        DescriptorTable.Entry entry = table.acquire(call.arg(0));
        if (entry == null) {
            return -Errno.EBADF;
        }
        try {
            return StorageSyscalls.pwrite(entry.kernelFd(), address, call.arg(2), call.arg(3));
        } finally {
            table.release(entry);
        }
    }

    private long fstat(ServerCall call) {
        MemorySegment out = call.data(call.arg(1), call.arg(2));
        if (out == null || out.byteSize() < FileStat.BYTES) {
            return -Errno.EFAULT;
        }
        return onDescriptor(call, fd -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment statx = arena.allocate(STATX_SIZE, 8);
                long r = StorageSyscalls.fstat(fd, statx);
                if (r < 0) {
                    return r;
                }
                FileStat.fromStatx(statx).encode(out);
                return FileStat.BYTES;
            }
        });
    }

    private long unlink(ServerCall call) {
        long flags = call.arg(2);
        if ((flags & ~(long) AT_REMOVEDIR) != 0) {
            return -Errno.EINVAL;
        }
        return inParent(call, call.arg(0), call.arg(1), (dirFd, name) -> unlinkat(dirFd, name, (int) flags));
    }

    private long mkdir(ServerCall call) {
        long mode = call.arg(2);
        if ((mode & ~(long) ALLOWED_MODE) != 0) {
            return -Errno.EINVAL;
        }
        return inParent(call, call.arg(0), call.arg(1), (dirFd, name) -> mkdirat(dirFd, name, (int) mode));
    }

    private long rename(ServerCall call) {
        long flags = call.arg(4);
        if ((flags & ~(long) ALLOWED_RENAME_FLAGS) != 0) {
            return -Errno.EINVAL;
        }
        return inParent(call, call.arg(0), call.arg(1), (oldDir, oldName) ->
                inParent(call, call.arg(2), call.arg(3), (newDir, newName) ->
                        renameat2(oldDir, oldName, newDir, newName, (int) flags)));
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
