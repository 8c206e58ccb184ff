package dev.vos.storage.domain;

import dev.vos.sys.Linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The Linux system calls the storage domain executes, bound through {@link Linux#syscallErrno}: one Java method per
 * call, its C prototype in the Javadoc, the result in the kernel's convention (a value that is not negative, or
 * {@code -errno}). Paths are NUL-terminated native strings the caller has already copied and checked.
 *
 * <p>x86_64 only: numbers from {@code arch/x86/entry/syscalls/syscall_64.tbl}.
 */
public final class StorageSyscalls {

    /** {@code __NR_write}. */
    public static final long SYS_WRITE = 1;
    /** {@code __NR_close}. */
    public static final long SYS_CLOSE = 3;
    /** {@code __NR_pread64}. */
    public static final long SYS_PREAD64 = 17;
    /** {@code __NR_pwrite64}. */
    public static final long SYS_PWRITE64 = 18;
    /** {@code __NR_preadv}: {@code (fd, iov, iovcnt, pos_l, pos_h)}; on x86_64 pos_l carries the whole offset. */
    public static final long SYS_PREADV = 295;
    /** {@code __NR_pwritev}: as {@link #SYS_PREADV}. */
    public static final long SYS_PWRITEV = 296;
    /** {@code __NR_fsync}. */
    public static final long SYS_FSYNC = 74;
    /** {@code __NR_fdatasync}. */
    public static final long SYS_FDATASYNC = 75;
    /** {@code __NR_ftruncate}. */
    public static final long SYS_FTRUNCATE = 77;
    /** {@code __NR_fstatfs}. */
    public static final long SYS_FSTATFS = 138;
    /** {@code __NR_getdents64}. */
    public static final long SYS_GETDENTS64 = 217;
    /** {@code __NR_mkdirat}. */
    public static final long SYS_MKDIRAT = 258;
    /** {@code __NR_fchownat}. */
    public static final long SYS_FCHOWNAT = 260;
    /** {@code __NR_unlinkat}. */
    public static final long SYS_UNLINKAT = 263;
    /** {@code __NR_symlinkat}. */
    public static final long SYS_SYMLINKAT = 266;
    /** {@code __NR_readlinkat}. */
    public static final long SYS_READLINKAT = 267;
    /** {@code __NR_utimensat}. */
    public static final long SYS_UTIMENSAT = 280;
    /** {@code __NR_fallocate}. */
    public static final long SYS_FALLOCATE = 285;
    /** {@code __NR_copy_file_range}: {@code (fd_in, loff_t *off_in, fd_out, loff_t *off_out, len, flags)}. */
    public static final long SYS_COPY_FILE_RANGE = 326;
    /** {@code __NR_fcntl}. */
    public static final long SYS_FCNTL = 72;
    /**
     * {@code F_OFD_SETLK}: a byte-range lock owned by the open file description, not the process. The domain is
     * one process serving many clients; a process-owned (F_SETLK) lock would let every client pass every other's
     * lock. An OFD lock belongs to the one descriptor of the one session that took it, conflicts with other
     * sessions' and with other processes' locks (OFD or classic) on the file, and goes when that descriptor is
     * closed, including when the domain dies.
     */
    public static final int F_OFD_SETLK = 37;
    // the lock types (F_RDLCK, F_WRLCK, F_UNLCK) are the protocol's: StorageFlags
    // struct flock (x86_64): short l_type; short l_whence; off_t l_start; off_t l_len; pid_t l_pid (0 for OFD)
    public static final long FLOCK_TYPE_OFFSET = 0;
    public static final long FLOCK_WHENCE_OFFSET = 2;
    public static final long FLOCK_START_OFFSET = 8;
    public static final long FLOCK_LEN_OFFSET = 16;
    public static final long FLOCK_SIZE = 32;
    /** {@code __NR_renameat2}. */
    public static final long SYS_RENAMEAT2 = 316;
    /** {@code __NR_statx}. */
    public static final long SYS_STATX = 332;
    /** {@code __NR_openat2}. */
    public static final long SYS_OPENAT2 = 437;
    /** {@code __NR_faccessat2} (Linux 5.8): faccessat with flags, AT_EMPTY_PATH among them. */
    public static final long SYS_FACCESSAT2 = 439;
    /** {@code __NR_fchmodat}: chmod by path, no flags ({@link #fchmodThroughProc}, before Linux 6.6). */
    public static final long SYS_FCHMODAT = 268;
    /** {@code __NR_fchmodat2} (Linux 6.6): fchmodat with flags; the first chmod that takes AT_EMPTY_PATH. */
    public static final long SYS_FCHMODAT2 = 452;

    // <fcntl.h>: the open flags only the domain itself uses (a client's are in StorageFlags)
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;
    /** Never wait in open (a FIFO with no one at the other end, a device) nor, on a special file, in I/O. */
    public static final int O_NONBLOCK = 04000;
    /** A terminal opened never becomes the domain's controlling terminal. */
    public static final int O_NOCTTY = 0400;

    // <sys/stat.h>: file types in st_mode
    public static final int S_IFMT = 0170000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;

    /** {@code AT_FDCWD}, {@code <fcntl.h>}: a path relative to the working directory (only to open the export root). */
    public static final int AT_FDCWD = -100;
    /**
     * {@code AT_EMPTY_PATH}, {@code <fcntl.h>}: an *at call on the descriptor itself (path ""), O_PATH ones included.
     */
    public static final int AT_EMPTY_PATH = 0x1000;


    // <linux/stat.h>: struct timespec { long tv_sec; long tv_nsec; }, two of them for utimensat
    public static final long TIMESPEC_SIZE = 16;
    /** {@code UTIME_OMIT}: a tv_nsec that leaves that time unchanged. */
    public static final long UTIME_OMIT = (1L << 30) - 2;

    // <asm-generic/statfs.h> on x86_64: struct statfs, every field a long
    public static final long STATFS_SIZE = 120;
    public static final long STATFS_BSIZE_OFFSET = 8;
    public static final long STATFS_BLOCKS_OFFSET = 16;
    public static final long STATFS_BFREE_OFFSET = 24;
    public static final long STATFS_BAVAIL_OFFSET = 32;
    public static final long STATFS_FRSIZE_OFFSET = 72;


    // <linux/openat2.h>: struct open_how { __u64 flags; __u64 mode; __u64 resolve; }
    public static final long OPEN_HOW_FLAGS_OFFSET = 0;
    public static final long OPEN_HOW_MODE_OFFSET = 8;
    public static final long OPEN_HOW_RESOLVE_OFFSET = 16;
    public static final long OPEN_HOW_SIZE = 24;
    /** {@code RESOLVE_NO_MAGICLINKS}: no /proc/self/fd/N style links, anywhere in the path. */
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    /** {@code RESOLVE_BENEATH}: every component, symlinks and ".." included, stays beneath the dirfd, or EXDEV. */
    public static final long RESOLVE_BENEATH = 0x08;
    /** {@code RESOLVE_IN_ROOT}: the dirfd is the root ("/" and ".." clamp to it); not used, see {@link #CONFINED}. */
    public static final long RESOLVE_IN_ROOT = 0x10;

    /**
     * How every client path is resolved. RESOLVE_BENEATH rather than RESOLVE_IN_ROOT: an escape attempt ("../x",
     * "/etc/passwd", an absolute symlink) is refused with EXDEV instead of being silently reinterpreted inside the
     * root, so a client learns its path was wrong rather than getting a different file with the same name; symlinks
     * whose target stays inside the root still work. RESOLVE_NO_MAGICLINKS as well: a /proc magic link is a
     * capability to whatever file it names, and the kernel follows it without a path walk.
     */
    public static final long CONFINED = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;

    // <linux/stat.h>: struct statx, the fields vos reads
    public static final long STATX_SIZE = 256;
    public static final int STATX_BASIC_STATS = 0x7ff;
    public static final int STATX_BTIME = 0x800;
    /** {@code stx_mask}: which fields the file system filled in. */
    public static final long STATX_MASK_OFFSET = 0;
    public static final long STATX_NLINK_OFFSET = 16;
    public static final long STATX_UID_OFFSET = 20;
    public static final long STATX_GID_OFFSET = 24;
    public static final long STATX_MODE_OFFSET = 28;
    public static final long STATX_INO_OFFSET = 32;
    public static final long STATX_SIZE_OFFSET = 40;
    public static final long STATX_BLOCKS_OFFSET = 48;
    /** {@code stx_mtime}: {@code struct statx_timestamp { __s64 tv_sec; __u32 tv_nsec; __s32 reserved; }}. */
    public static final long STATX_MTIME_OFFSET = 112;
    public static final long STATX_ATIME_OFFSET = 64;
    public static final long STATX_BTIME_OFFSET = 80;
    public static final long STATX_CTIME_OFFSET = 96;
    /** {@code stx_dev_major}, then {@code stx_dev_minor} at +4. */
    public static final long STATX_DEV_MAJOR_OFFSET = 136;

    private StorageSyscalls() {
    }

    /**
     * {@code long openat2(int dirfd, const char *path, struct open_how *how, size_t size)}: a new kernel
     * descriptor, or {@code -errno} (EXDEV when {@code resolve} forbids where the path leads, ELOOP for a refused
     * link).
     */
    public static long openat2(int dirfd, MemorySegment path, long flags, long mode, long resolve) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment how = arena.allocate(OPEN_HOW_SIZE, 8);
            how.set(JAVA_LONG, OPEN_HOW_FLAGS_OFFSET, flags);
            how.set(JAVA_LONG, OPEN_HOW_MODE_OFFSET, mode);
            how.set(JAVA_LONG, OPEN_HOW_RESOLVE_OFFSET, resolve);
            return Linux.syscallErrno(SYS_OPENAT2, dirfd, path.address(), how.address(), OPEN_HOW_SIZE, 0, 0);
        }
    }

    /** {@code ssize_t write(int fd, const void *buf, size_t count)}, the buffer a checked native range. */
    public static long write(int fd, long address, long count) {
        return Linux.syscallErrno(SYS_WRITE, fd, address, count, 0, 0, 0);
    }

    /** {@code int close(int fd)}. */
    public static long close(int fd) {
        return Linux.syscallErrno(SYS_CLOSE, fd, 0, 0, 0, 0, 0);
    }

    /** {@code ssize_t pread64(int fd, void *buf, size_t count, off_t offset)}. */
    public static long pread(int fd, MemorySegment buf, long offset) {
        return pread(fd, buf.address(), buf.byteSize(), offset);
    }

    /** {@code ssize_t pread64(int fd, void *buf, size_t count, off_t offset)}, the buffer a checked native range. */
    public static long pread(int fd, long address, long count, long offset) {
        return Linux.syscallErrno(SYS_PREAD64, fd, address, count, offset, 0, 0);
    }

    /** {@code ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset)}. */
    public static long pwrite(int fd, MemorySegment buf, long offset) {
        return pwrite(fd, buf.address(), buf.byteSize(), offset);
    }

    /** {@code ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset)}, the buffer a checked range. */
    public static long pwrite(int fd, long address, long count, long offset) {
        return Linux.syscallErrno(SYS_PWRITE64, fd, address, count, offset, 0, 0);
    }

    /** {@code int fsync(int fd)}. */
    public static long fsync(int fd) {
        return Linux.syscallErrno(SYS_FSYNC, fd, 0, 0, 0, 0, 0);
    }

    /** {@code int fdatasync(int fd)}. */
    public static long fdatasync(int fd) {
        return Linux.syscallErrno(SYS_FDATASYNC, fd, 0, 0, 0, 0, 0);
    }

    /** {@code int ftruncate(int fd, off_t length)}. */
    public static long ftruncate(int fd, long length) {
        return Linux.syscallErrno(SYS_FTRUNCATE, fd, length, 0, 0, 0, 0);
    }

    /**
     * {@code int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf)} with
     * {@code path = ""} and AT_EMPTY_PATH: fstat of {@code fd} into {@code buf} ({@link #STATX_SIZE} bytes).
     */
    public static long fstat(int fd, MemorySegment buf) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment empty = arena.allocate(1);
            return Linux.syscallErrno(SYS_STATX, fd, empty.address(), AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME,
                    buf.address(), 0);
        }
    }

    /**
     * {@code int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf)}: the figures
     * of {@code path} beneath {@code dirfd}; with {@code path = ""} and AT_EMPTY_PATH, of {@code dirfd} itself.
     */
    public static long statx(int dirfd, MemorySegment path, int flags, MemorySegment buf) {
        return Linux.syscallErrno(SYS_STATX, dirfd, path.address(), flags, STATX_BASIC_STATS | STATX_BTIME,
                buf.address(), 0);
    }

    /** {@code ssize_t getdents64(int fd, void *dirp, unsigned int count)}: linux_dirent64 records, 0 at the end. */
    public static long getdents64(int fd, MemorySegment buf) {
        return Linux.syscallErrno(SYS_GETDENTS64, fd, buf.address(), buf.byteSize(), 0, 0, 0);
    }

    /** {@code int symlinkat(const char *target, int newdirfd, const char *linkname)}. */
    public static long symlinkat(MemorySegment target, int dirfd, MemorySegment name) {
        return Linux.syscallErrno(SYS_SYMLINKAT, target.address(), dirfd, name.address(), 0, 0, 0);
    }

    /** {@code ssize_t readlinkat(int dirfd, const char *name, char *buf, size_t size)}: no NUL appended. */
    public static long readlinkat(int dirfd, MemorySegment name, MemorySegment buf) {
        return Linux.syscallErrno(SYS_READLINKAT, dirfd, name.address(), buf.address(), buf.byteSize(), 0, 0);
    }

    /** {@code int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)}. */
    public static long utimensat(int dirfd, MemorySegment path, MemorySegment times, int flags) {
        return Linux.syscallErrno(SYS_UTIMENSAT, dirfd, path.address(), times.address(), flags, 0, 0);
    }

    /** {@code int fchmodat2(int dirfd, const char *path, mode_t mode, int flags)}. */
    public static long fchmodat2(int dirfd, MemorySegment path, int mode, int flags) {
        return Linux.syscallErrno(SYS_FCHMODAT2, dirfd, path.address(), mode, flags, 0, 0);
    }

    /**
     * chmod of the file an O_PATH descriptor holds (a file or a directory, never a symbolic link) on a kernel without
     * fchmodat2 (before Linux 6.6, such as the Xen lab's 6.1 guests): {@code fchmodat(AT_FDCWD,
     * "/proc/self/fd/FD", mode, 0)}, whose magic link names the very inode the descriptor holds, not a path that
     * could be swapped meanwhile (glibc's fchmodat falls back the same way). Needs /proc mounted.
     */
    public static long fchmodThroughProc(int fd, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom("/proc/self/fd/" + fd);
            return Linux.syscallErrno(SYS_FCHMODAT, AT_FDCWD, path.address(), mode, 0, 0, 0);
        }
    }

    /** {@code int fchownat(int dirfd, const char *path, uid_t owner, gid_t group, int flags)}; -1: unchanged. */
    public static long fchownat(int dirfd, MemorySegment path, int uid, int gid, int flags) {
        return Linux.syscallErrno(SYS_FCHOWNAT, dirfd, path.address(), uid, gid, flags, 0);
    }

    /** {@code int fallocate(int fd, int mode, off_t offset, off_t len)}. */
    public static long fallocate(int fd, int mode, long offset, long length) {
        return Linux.syscallErrno(SYS_FALLOCATE, fd, mode, offset, length, 0, 0);
    }

    /**
     * {@code copy_file_range(fdIn, &offsetIn, fdOut, &offsetOut, count, 0)}: bytes copied, 0 at the end of the
     * input, or {@code -errno}. The offsets are passed by pointer, so the descriptors' own positions stay as they are.
     */
    public static long copyFileRange(int fdIn, long offsetIn, int fdOut, long offsetOut, long count) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment offsets = arena.allocate(JAVA_LONG, 2);
            offsets.setAtIndex(JAVA_LONG, 0, offsetIn);
            offsets.setAtIndex(JAVA_LONG, 1, offsetOut);
            return Linux.syscallErrno(SYS_COPY_FILE_RANGE, fdIn, offsets.address(), fdOut,
                    offsets.address() + JAVA_LONG.byteSize(), count, 0);
        }
    }

    /**
     * {@code fcntl(fd, F_OFD_SETLK, &flock)} with SEEK_SET: takes or drops a lock of {@code type} on
     * {@code [start, start + length)} ({@code length} 0: to the end, however far the file grows) without waiting;
     * EAGAIN when another holder's lock conflicts.
     */
    public static long ofdSetLock(int fd, short type, long start, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment flock = arena.allocate(FLOCK_SIZE, 8);
            flock.set(ValueLayout.JAVA_SHORT, FLOCK_TYPE_OFFSET, type);
            flock.set(ValueLayout.JAVA_SHORT, FLOCK_WHENCE_OFFSET, (short) 0);
            flock.set(ValueLayout.JAVA_LONG, FLOCK_START_OFFSET, start);
            flock.set(ValueLayout.JAVA_LONG, FLOCK_LEN_OFFSET, length);
            return Linux.syscallErrno(SYS_FCNTL, fd, F_OFD_SETLK, flock.address(), 0, 0, 0);
        }
    }

    /** {@code int faccessat2(int dirfd, const char *path, int mode, int flags)}. */
    public static long faccessat2(int dirfd, MemorySegment path, int mode, int flags) {
        return Linux.syscallErrno(SYS_FACCESSAT2, dirfd, path.address(), mode, flags, 0, 0);
    }

    /** {@code int fstatfs(int fd, struct statfs *buf)} ({@link #STATFS_SIZE} bytes); O_PATH descriptors work. */
    public static long fstatfs(int fd, MemorySegment buf) {
        return Linux.syscallErrno(SYS_FSTATFS, fd, buf.address(), 0, 0, 0, 0);
    }

    /** {@code int unlinkat(int dirfd, const char *name, int flags)}. */
    public static long unlinkat(int dirfd, MemorySegment name, int flags) {
        return Linux.syscallErrno(SYS_UNLINKAT, dirfd, name.address(), flags, 0, 0, 0);
    }

    /** {@code int mkdirat(int dirfd, const char *name, mode_t mode)}. */
    public static long mkdirat(int dirfd, MemorySegment name, int mode) {
        return Linux.syscallErrno(SYS_MKDIRAT, dirfd, name.address(), mode, 0, 0, 0);
    }

    /**
     * {@code int renameat2(int olddirfd, const char *oldname, int newdirfd, const char *newname,
     * unsigned int flags)}.
     */
    public static long renameat2(int oldDirfd, MemorySegment oldName, int newDirfd, MemorySegment newName, int flags) {
        return Linux.syscallErrno(SYS_RENAMEAT2, oldDirfd, oldName.address(), newDirfd, newName.address(), flags, 0);
    }
}
