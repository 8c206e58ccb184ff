package dev.vos.storage.protocol;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.client.Caller;

/**
 * The storage domain's calls, numbered from {@link CoreCalls#FIRST_DOMAIN_CALL}. Every result is in the kernel's
 * convention: a value that is not negative, or {@code -errno}. A "path" is two arguments, the payload offset and
 * the length of its UTF-8 bytes (no NUL; at most {@link #PATH_MAX} - 1 bytes), resolved beneath the export root:
 * an escape is EXDEV, a /proc magic link ELOOP. A "descriptor" is a number of the calling session's own table: a
 * {@code long} whose high half is a random non-zero 31-bit nonce drawn for the session and whose low half is the
 * table's serial (from 3, not reused while the session lasts). A number of another session, or of an ended one, is
 * EBADF even where its serial is in use, so a stale number can never name another session's file. Buffers are payload
 * offset and length: the kernel reads and writes the shared data area directly.
 *
 * <p>Where each argument goes is stated once, here: every call has a nested class whose constants are its
 * argument positions ({@code Pread.FD = 0}, {@code Pread.BUFFER_OFFSET = 1}, ...), which the domain's handlers read
 * by ({@code call.arg(Pread.COUNT)}), and whose static {@code call} method is the one encoder that clients, tests
 * and benchmarks issue it with ({@code Pread.call(slot, fd, slot.dataOffset(), count, offset)}). Encoders take
 * primitives and allocate nothing: pread and pwrite are the hot path. An argument a call does not have is sent as
 * 0. The names in the table below are those constants in lower camel case ({@code BUFFER_OFFSET} is
 * {@code bufferOffset}), in position order; {@code StorageCallsTableTest} holds this table to them.
 *
 * <pre>
 * no  name       arguments                                                   result
 * 64  open       (pathOffset, pathLength, int flags, mode_t mode)             descriptor (a long: nonce, index)
 * 65  close      (long fd)                                                    0
 * 66  pread      (long fd, bufferOffset, size_t count, off_t offset)          bytes read into the payload
 * 67  pwrite     (long fd, bufferOffset, size_t count, off_t offset)          bytes written from the payload
 * 68  fsync      (long fd)                                                    0
 * 69  fdatasync  (long fd)                                                    0
 * 70  ftruncate  (long fd, off_t length)                                      0
 * 71  fstat      (long fd, outOffset, outLength >= FileStat.BYTES)            FileStat.BYTES, FileStat in the payload
 * 72  unlink     (pathOffset, pathLength, int flags: 0 or AT_REMOVEDIR)       0
 * 73  mkdir      (pathOffset, pathLength, mode_t mode)                        0
 * 74  rename     (fromOffset, fromLength, toOffset, toLength, int flags: RENAME_NOREPLACE|RENAME_EXCHANGE)  0
 * 75  stat       (pathOffset, pathLength, int flags: 0 or AT_SYMLINK_NOFOLLOW, outOffset, outLength >= FileStat.BYTES)
 *                                                                              FileStat.BYTES, FileStat in the payload
 * 76  getdents   (long fd, bufferOffset, size_t count)                        bytes of struct linux_dirent64
 *                                                                              records (as getdents64), 0 at the end
 * 77  symlink    (targetOffset, targetLength, linkOffset, linkLength)         0 (the target is stored as given)
 * 78  readlink   (pathOffset, pathLength, bufferOffset, size_t size)          bytes of the link's target
 * 79  utimens    (pathOffset, pathLength, long atimeNs, long mtimeNs, int flags: 0 or AT_SYMLINK_NOFOLLOW)  0
 *                times are nanoseconds since the epoch; UTIME_UNCHANGED (Long.MIN_VALUE) leaves one as it is
 * 80  chmod      (pathOffset, pathLength, mode_t mode within 07777 minus set-uid/set-gid: 01777)       0
 * 81  chown      (pathOffset, pathLength, uid_t uid, gid_t gid, int flags: 0 or AT_SYMLINK_NOFOLLOW)  0 (-1: unchanged)
 * 82  fallocate  (long fd, int mode: 0 or FALLOC_FL_KEEP_SIZE, off_t offset, off_t length)            0
 * 83  access     (pathOffset, pathLength, int mode: F_OK or R_OK|W_OK|X_OK)                             0
 * 84  statfs     (outOffset, outLength >= FileSystemStat.BYTES)   FileSystemStat.BYTES, FileSystemStat in the payload
 * 85  lock       (long fd, int type: F_RDLCK 0|F_WRLCK 1|F_UNLCK 2, off_t start, off_t length: 0 = to the end)
 *                0, or EAGAIN when another session or process holds a conflicting lock; never waits (an
 *                open-file-description lock: it belongs to the descriptor and goes when it is closed)
 * 86  append     (long fd, bufferOffset, size_t count)                        bytes written from the payload at the
 *                end of the file (write(2) on an O_APPEND descriptor); EINVAL on a descriptor opened without it
 * 87  copyRange  (long fdIn, off_t offsetIn, long fdOut, off_t offsetOut, size_t count)
 *                bytes copied from fdIn's file to fdOut's inside the domain (copy_file_range(2)), at most
 *                {@link #COPY_RANGE_MAX}; 0 at the end of fdIn's file
 * </pre>
 * stat, utimens, chmod, chown and access act on the file their path names, "." being the root itself; a final
 * symlink is followed (confined like any path) unless AT_SYMLINK_NOFOLLOW, then they act on the link itself (chmod
 * always follows: Linux cannot change a link's mode). As everywhere, "" is ENOENT. getdents records are decoded by
 * {@link DirentLayout}; a count too small for the next record is the kernel's EINVAL. symlink's target is checked
 * as a path is ("" ENOENT as the kernel answers, a NUL EINVAL, 4096 bytes or more ENAMETOOLONG) but not resolved;
 * readlink truncates to {@code size} without a NUL, as the kernel does (size 0: EINVAL). access answers for the
 * domain's own user (its real uid, as access(2) does), not for the client's. chown's ids are -1 or within 32 bits
 * (others: EINVAL, where the kernel would cut them to another id).
 * open accepts O_RDONLY/O_WRONLY/O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, O_DSYNC,
 * O_SYNC (others: EINVAL; O_CLOEXEC is always added) and a mode within 0777 (others: EINVAL); a session holding
 * {@link #MAX_DESCRIPTORS_PER_SESSION} (1024) descriptors gets EMFILE. unlink, mkdir, rename, symlink (its link
 * path) and readlink act on the last component of their path, which must not be "", "." or ".." (EINVAL).
 *
 * <p>Special files: every open adds O_NONBLOCK and O_NOCTTY, so that no open waits (a FIFO with no one at the
 * other end, a device) and no terminal becomes the domain's. What was opened must then be a regular file or a
 * directory, else it is closed again and the open is EACCES: the domain refuses it as a permission would, and the
 * JDK reports {@code AccessDeniedException} with the path (ENXIO, what Linux gives for a socket or a writer-less
 * FIFO, would read as "no such device" and depend on the other end). The agent option
 * {@code allowSpecialFiles=true} (spec {@code storage.allowSpecialFiles}) serves them; such a descriptor keeps
 * O_NONBLOCK, so a read or write that would wait is EAGAIN, never a worker held. On a regular file or directory
 * Linux ignores O_NONBLOCK for reads and writes; an open that would wait for a lease break is EWOULDBLOCK.
 *
 * <p>Appends: pwrite on an O_APPEND descriptor writes at the end whatever its offset (Linux's pwrite); append is
 * the call that asks for it, and it is EINVAL on a descriptor the session's table did not record as opened with
 * O_APPEND (as write(2)'s EINVAL for a descriptor "unsuitable for writing"; an unknown number stays EBADF). So an
 * append can never land at an offset of a file that was not opened for appending.
 *
 * <p>copyRange moves bytes between two files of the domain without their crossing the ring: copy_file_range(2) at
 * the two offsets given (the descriptors' own positions are neither used nor moved), flags 0. Both descriptors must
 * be the calling session's (EBADF otherwise, as for any call), fdIn opened for reading and fdOut for writing and not
 * with O_APPEND (the kernel's EBADF), offsets and count not negative (EINVAL); ranges of one file that overlap are
 * the kernel's EINVAL. A count above {@link #COPY_RANGE_MAX} copies that much, a short count as copy_file_range's
 * may be (so one call never holds a worker that other calls need for long): the client calls again. Where the
 * kernel cannot copy between the two files (EXDEV, EOPNOTSUPP, ENOSYS, or EINVAL for a file that is not regular)
 * the client copies through the ring with pread and pwrite instead, as the JDK falls back from copy_file_range.
 * Flag and mode values are {@link StorageFlags}'.
 */
public final class StorageCalls {

    public static final int OPEN = CoreCalls.FIRST_DOMAIN_CALL;
    public static final int CLOSE = OPEN + 1;
    public static final int PREAD = OPEN + 2;
    public static final int PWRITE = OPEN + 3;
    public static final int FSYNC = OPEN + 4;
    public static final int FDATASYNC = OPEN + 5;
    public static final int FTRUNCATE = OPEN + 6;
    public static final int FSTAT = OPEN + 7;
    public static final int UNLINK = OPEN + 8;
    public static final int MKDIR = OPEN + 9;
    public static final int RENAME = OPEN + 10;
    public static final int STAT = OPEN + 11;
    public static final int GETDENTS = OPEN + 12;
    public static final int SYMLINK = OPEN + 13;
    public static final int READLINK = OPEN + 14;
    public static final int UTIMENS = OPEN + 15;
    public static final int CHMOD = OPEN + 16;
    public static final int CHOWN = OPEN + 17;
    public static final int FALLOCATE = OPEN + 18;
    public static final int ACCESS = OPEN + 19;
    public static final int STATFS = OPEN + 20;
    public static final int LOCK = OPEN + 21;
    public static final int APPEND = OPEN + 22;
    public static final int COPY_RANGE = OPEN + 23;
    /** The highest storage call number: the calls are {@link #OPEN} to this, with no gap. */
    public static final int LAST = COPY_RANGE;

    /**
     * The most bytes one {@link #COPY_RANGE} copies: 1 MiB, a page-cached copy of a few hundred microseconds, so
     * that a large copy holds the worker no longer than a large write's wave does.
     */
    public static final long COPY_RANGE_MAX = 1L << 20;

    /** The most descriptors one session (one client's ring) holds open at once; one more open is EMFILE. */
    public static final int MAX_DESCRIPTORS_PER_SESSION = 1024;

    /**
     * {@code PATH_MAX}, {@code <linux/limits.h>}: a path, its terminating NUL included, fits in this many bytes; so a
     * path argument (sent without its NUL) is at most {@code PATH_MAX - 1} bytes, and a longer one ENAMETOOLONG.
     */
    public static final int PATH_MAX = 4096;

    /** A time argument of {@link #UTIMENS} that leaves that time as it is. */
    public static final long UTIME_UNCHANGED = Long.MIN_VALUE;

    private StorageCalls() {
    }

    /** {@link #OPEN}: opens the file at a path; its descriptor. */
    public static final class Open {
        /** Payload offset of the path's bytes. */
        public static final int PATH_OFFSET = 0;
        /** Length of the path's bytes. */
        public static final int PATH_LENGTH = 1;
        /** {@code O_*} flags ({@link StorageFlags}). */
        public static final int FLAGS = 2;
        /** The new file's permission bits, with O_CREAT. */
        public static final int MODE = 3;

        private Open() {
        }

        /** Issues {@link #OPEN} on {@code on}. */
        public static long call(Caller on, long pathOffset, long pathLength, long flags, long mode)
                throws DomainFailedException {
            return on.call(OPEN, pathOffset, pathLength, flags, mode, 0, 0);
        }
    }

    /** {@link #CLOSE}: closes a descriptor. */
    public static final class Close {
        /** The descriptor. */
        public static final int FD = 0;

        private Close() {
        }

        /** Issues {@link #CLOSE} on {@code on}. */
        public static long call(Caller on, long fd) throws DomainFailedException {
            return on.call(CLOSE, fd, 0, 0, 0, 0, 0);
        }
    }

    /** {@link #PREAD}: reads from a descriptor at an offset into the payload. */
    public static final class Pread {
        /** The descriptor. */
        public static final int FD = 0;
        /** Payload offset the bytes go to. */
        public static final int BUFFER_OFFSET = 1;
        /** The most bytes to read. */
        public static final int COUNT = 2;
        /** Where in the file. */
        public static final int OFFSET = 3;

        private Pread() {
        }

        /** Issues {@link #PREAD} on {@code on}. */
        public static long call(Caller on, long fd, long bufferOffset, long count, long offset)
                throws DomainFailedException {
            return on.call(PREAD, fd, bufferOffset, count, offset, 0, 0);
        }
    }

    /**
     * {@link #PWRITE}: writes from the payload to a descriptor at an offset. Its positions are pread's, so that
     * one handler serves both (the domain reads them by {@link Pread}'s names).
     */
    public static final class Pwrite {
        /** The descriptor. */
        public static final int FD = Pread.FD;
        /** Payload offset the bytes come from. */
        public static final int BUFFER_OFFSET = Pread.BUFFER_OFFSET;
        /** How many bytes to write. */
        public static final int COUNT = Pread.COUNT;
        /** Where in the file. */
        public static final int OFFSET = Pread.OFFSET;

        private Pwrite() {
        }

        /** Issues {@link #PWRITE} on {@code on}. */
        public static long call(Caller on, long fd, long bufferOffset, long count, long offset)
                throws DomainFailedException {
            return on.call(PWRITE, fd, bufferOffset, count, offset, 0, 0);
        }
    }

    /** {@link #FSYNC}: flushes a descriptor's data and metadata. */
    public static final class Fsync {
        /** The descriptor. */
        public static final int FD = 0;

        private Fsync() {
        }

        /** Issues {@link #FSYNC} on {@code on}. */
        public static long call(Caller on, long fd) throws DomainFailedException {
            return on.call(FSYNC, fd, 0, 0, 0, 0, 0);
        }
    }

    /** {@link #FDATASYNC}: flushes a descriptor's data (and the metadata needed to read it). */
    public static final class Fdatasync {
        /** The descriptor. */
        public static final int FD = 0;

        private Fdatasync() {
        }

        /** Issues {@link #FDATASYNC} on {@code on}. */
        public static long call(Caller on, long fd) throws DomainFailedException {
            return on.call(FDATASYNC, fd, 0, 0, 0, 0, 0);
        }
    }

    /** {@link #FTRUNCATE}: sets a descriptor's file length. */
    public static final class Ftruncate {
        /** The descriptor. */
        public static final int FD = 0;
        /** The new length. */
        public static final int LENGTH = 1;

        private Ftruncate() {
        }

        /** Issues {@link #FTRUNCATE} on {@code on}. */
        public static long call(Caller on, long fd, long length) throws DomainFailedException {
            return on.call(FTRUNCATE, fd, length, 0, 0, 0, 0);
        }
    }

    /** {@link #FSTAT}: a descriptor's {@link FileStat}, into the payload. */
    public static final class Fstat {
        /** The descriptor. */
        public static final int FD = 0;
        /** Payload offset of the answer. */
        public static final int OUT_OFFSET = 1;
        /** Room for the answer: at least {@link FileStat#BYTES}. */
        public static final int OUT_LENGTH = 2;

        private Fstat() {
        }

        /** Issues {@link #FSTAT} on {@code on}. */
        public static long call(Caller on, long fd, long outOffset, long outLength) throws DomainFailedException {
            return on.call(FSTAT, fd, outOffset, outLength, 0, 0, 0);
        }
    }

    /** {@link #UNLINK}: removes a name (a directory with AT_REMOVEDIR). */
    public static final class Unlink {
        /** Payload offset of the path's bytes. */
        public static final int PATH_OFFSET = 0;
        /** Length of the path's bytes. */
        public static final int PATH_LENGTH = 1;
        /** 0 or {@link StorageFlags#AT_REMOVEDIR}. */
        public static final int FLAGS = 2;

        private Unlink() {
        }

        /** Issues {@link #UNLINK} on {@code on}. */
        public static long call(Caller on, long pathOffset, long pathLength, long flags) throws DomainFailedException {
            return on.call(UNLINK, pathOffset, pathLength, flags, 0, 0, 0);
        }
    }

    /** {@link #MKDIR}: makes a directory. */
    public static final class Mkdir {
        /** Payload offset of the path's bytes. */
        public static final int PATH_OFFSET = 0;
        /** Length of the path's bytes. */
        public static final int PATH_LENGTH = 1;
        /** Its permission bits. */
        public static final int MODE = 2;

        private Mkdir() {
        }

        /** Issues {@link #MKDIR} on {@code on}. */
        public static long call(Caller on, long pathOffset, long pathLength, long mode) throws DomainFailedException {
            return on.call(MKDIR, pathOffset, pathLength, mode, 0, 0, 0);
        }
    }

    /** {@link #RENAME}: moves a name to another. */
    public static final class Rename {
        /** Payload offset of the old path's bytes. */
        public static final int FROM_OFFSET = 0;
        /** Length of the old path's bytes. */
        public static final int FROM_LENGTH = 1;
        /** Payload offset of the new path's bytes. */
        public static final int TO_OFFSET = 2;
        /** Length of the new path's bytes. */
        public static final int TO_LENGTH = 3;
        /** 0, {@link StorageFlags#RENAME_NOREPLACE} or {@link StorageFlags#RENAME_EXCHANGE}. */
        public static final int FLAGS = 4;

        private Rename() {
        }

        /** Issues {@link #RENAME} on {@code on}. */
        public static long call(Caller on, long fromOffset, long fromLength, long toOffset, long toLength, long flags)
                throws DomainFailedException {
            return on.call(RENAME, fromOffset, fromLength, toOffset, toLength, flags, 0);
        }
    }

    /** {@link #STAT}: a path's {@link FileStat}, into the payload. */
    public static final class Stat {
        /** Payload offset of the path's bytes. */
        public static final int PATH_OFFSET = 0;
        /** Length of the path's bytes. */
        public static final int PATH_LENGTH = 1;
        /** 0 or {@link StorageFlags#AT_SYMLINK_NOFOLLOW}. */
        public static final int FLAGS = 2;
        /** Payload offset of the answer. */
        public static final int OUT_OFFSET = 3;
        /** Room for the answer: at least {@link FileStat#BYTES}. */
        public static final int OUT_LENGTH = 4;

        private Stat() {
        }

        /** Issues {@link #STAT} on {@code on}. */
        public static long call(Caller on, long pathOffset, long pathLength, long flags, long outOffset,
                                long outLength) throws DomainFailedException {
            return on.call(STAT, pathOffset, pathLength, flags, outOffset, outLength, 0);
        }
    }

    /** {@link #GETDENTS}: the next directory records of a descriptor, into the payload. */
    public static final class Getdents {
        /** The directory's descriptor. */
        public static final int FD = 0;
        /** Payload offset the records go to. */
        public static final int BUFFER_OFFSET = 1;
        /** The most bytes of records. */
        public static final int COUNT = 2;

        private Getdents() {
        }

        /** Issues {@link #GETDENTS} on {@code on}. */
        public static long call(Caller on, long fd, long bufferOffset, long count) throws DomainFailedException {
            return on.call(GETDENTS, fd, bufferOffset, count, 0, 0, 0);
        }
    }

    /** {@link #SYMLINK}: makes a symbolic link holding a target. */
    public static final class Symlink {
        /** Payload offset of the target's bytes (stored, not resolved). */
        public static final int TARGET_OFFSET = 0;
        /** Length of the target's bytes. */
        public static final int TARGET_LENGTH = 1;
        /** Payload offset of the new link's path. */
        public static final int LINK_OFFSET = 2;
        /** Length of the new link's path. */
        public static final int LINK_LENGTH = 3;

        private Symlink() {
        }

        /** Issues {@link #SYMLINK} on {@code on}. */
        public static long call(Caller on, long targetOffset, long targetLength, long linkOffset, long linkLength)
                throws DomainFailedException {
            return on.call(SYMLINK, targetOffset, targetLength, linkOffset, linkLength, 0, 0);
        }
    }

    /** {@link #READLINK}: a symbolic link's target, into the payload. */
    public static final class Readlink {
        /** Payload offset of the link's path. */
        public static final int PATH_OFFSET = 0;
        /** Length of the link's path. */
        public static final int PATH_LENGTH = 1;
        /** Payload offset the target goes to. */
        public static final int BUFFER_OFFSET = 2;
        /** The most bytes of the target (more are cut, as the kernel does). */
        public static final int SIZE = 3;

        private Readlink() {
        }

        /** Issues {@link #READLINK} on {@code on}. */
        public static long call(Caller on, long pathOffset, long pathLength, long bufferOffset, long size)
                throws DomainFailedException {
            return on.call(READLINK, pathOffset, pathLength, bufferOffset, size, 0, 0);
        }
    }

    /** {@link #UTIMENS}: sets a file's access and modification times. */
    public static final class Utimens {
        /** Payload offset of the path's bytes. */
        public static final int PATH_OFFSET = 0;
        /** Length of the path's bytes. */
        public static final int PATH_LENGTH = 1;
        /** Access time, ns since the epoch, or {@link #UTIME_UNCHANGED}. */
        public static final int ATIME_NS = 2;
        /** Modification time, ns since the epoch, or {@link #UTIME_UNCHANGED}. */
        public static final int MTIME_NS = 3;
        /** 0 or {@link StorageFlags#AT_SYMLINK_NOFOLLOW}. */
        public static final int FLAGS = 4;

        private Utimens() {
        }

        /** Issues {@link #UTIMENS} on {@code on}. */
        public static long call(Caller on, long pathOffset, long pathLength, long atimeNs, long mtimeNs, long flags)
                throws DomainFailedException {
            return on.call(UTIMENS, pathOffset, pathLength, atimeNs, mtimeNs, flags, 0);
        }
    }

    /** {@link #CHMOD}: sets a file's permission bits. */
    public static final class Chmod {
        /** Payload offset of the path's bytes. */
        public static final int PATH_OFFSET = 0;
        /** Length of the path's bytes. */
        public static final int PATH_LENGTH = 1;
        /** The new mode, within 01777. */
        public static final int MODE = 2;

        private Chmod() {
        }

        /** Issues {@link #CHMOD} on {@code on}. */
        public static long call(Caller on, long pathOffset, long pathLength, long mode) throws DomainFailedException {
            return on.call(CHMOD, pathOffset, pathLength, mode, 0, 0, 0);
        }
    }

    /** {@link #CHOWN}: sets a file's owner and group. */
    public static final class Chown {
        /** Payload offset of the path's bytes. */
        public static final int PATH_OFFSET = 0;
        /** Length of the path's bytes. */
        public static final int PATH_LENGTH = 1;
        /** The new owner, or -1 to leave it. */
        public static final int UID = 2;
        /** The new group, or -1 to leave it. */
        public static final int GID = 3;
        /** 0 or {@link StorageFlags#AT_SYMLINK_NOFOLLOW}. */
        public static final int FLAGS = 4;

        private Chown() {
        }

        /** Issues {@link #CHOWN} on {@code on}. */
        public static long call(Caller on, long pathOffset, long pathLength, long uid, long gid, long flags)
                throws DomainFailedException {
            return on.call(CHOWN, pathOffset, pathLength, uid, gid, flags, 0);
        }
    }

    /** {@link #FALLOCATE}: allocates a range of a descriptor's file. */
    public static final class Fallocate {
        /** The descriptor. */
        public static final int FD = 0;
        /** 0 or {@link StorageFlags#FALLOC_FL_KEEP_SIZE}. */
        public static final int MODE = 1;
        /** Start of the range. */
        public static final int OFFSET = 2;
        /** Length of the range. */
        public static final int LENGTH = 3;

        private Fallocate() {
        }

        /** Issues {@link #FALLOCATE} on {@code on}. */
        public static long call(Caller on, long fd, long mode, long offset, long length) throws DomainFailedException {
            return on.call(FALLOCATE, fd, mode, offset, length, 0, 0);
        }
    }

    /** {@link #ACCESS}: whether the domain's user may use a file so. */
    public static final class Access {
        /** Payload offset of the path's bytes. */
        public static final int PATH_OFFSET = 0;
        /** Length of the path's bytes. */
        public static final int PATH_LENGTH = 1;
        /** {@link StorageFlags#F_OK}, or R_OK|W_OK|X_OK. */
        public static final int MODE = 2;

        private Access() {
        }

        /** Issues {@link #ACCESS} on {@code on}. */
        public static long call(Caller on, long pathOffset, long pathLength, long mode) throws DomainFailedException {
            return on.call(ACCESS, pathOffset, pathLength, mode, 0, 0, 0);
        }
    }

    /** {@link #STATFS}: the export root's {@link FileSystemStat}, into the payload. */
    public static final class Statfs {
        /** Payload offset of the answer. */
        public static final int OUT_OFFSET = 0;
        /** Room for the answer: at least {@link FileSystemStat#BYTES}. */
        public static final int OUT_LENGTH = 1;

        private Statfs() {
        }

        /** Issues {@link #STATFS} on {@code on}. */
        public static long call(Caller on, long outOffset, long outLength) throws DomainFailedException {
            return on.call(STATFS, outOffset, outLength, 0, 0, 0, 0);
        }
    }

    /** {@link #LOCK}: takes or drops a byte-range lock of a descriptor, without waiting. */
    public static final class Lock {
        /** The descriptor. */
        public static final int FD = 0;
        /** {@link StorageFlags#F_RDLCK}, {@link StorageFlags#F_WRLCK} or {@link StorageFlags#F_UNLCK}. */
        public static final int TYPE = 1;
        /** Start of the range. */
        public static final int START = 2;
        /** Length of the range; 0: to the end of the file, however long it grows. */
        public static final int LENGTH = 3;

        private Lock() {
        }

        /** Issues {@link #LOCK} on {@code on}. */
        public static long call(Caller on, long fd, long type, long start, long length) throws DomainFailedException {
            return on.call(LOCK, fd, type, start, length, 0, 0);
        }
    }

    /**
     * {@link #APPEND}: writes from the payload at the end of a descriptor's file: write(2) on a descriptor opened
     * with O_APPEND, which the kernel positions at the end atomically. EINVAL on a descriptor opened without it.
     */
    public static final class Append {
        /** The descriptor (opened with O_APPEND). */
        public static final int FD = 0;
        /** Payload offset the bytes come from. */
        public static final int BUFFER_OFFSET = 1;
        /** How many bytes to write. */
        public static final int COUNT = 2;

        private Append() {
        }

        /** Issues {@link #APPEND} on {@code on}. */
        public static long call(Caller on, long fd, long bufferOffset, long count) throws DomainFailedException {
            return on.call(APPEND, fd, bufferOffset, count, 0, 0, 0);
        }
    }

    /**
     * {@link #COPY_RANGE}: copies bytes from one descriptor's file to another's inside the domain
     * (copy_file_range(2) at the offsets given), at most {@link #COPY_RANGE_MAX} per call.
     */
    public static final class CopyRange {
        /** The descriptor read from (opened for reading). */
        public static final int FD_IN = 0;
        /** Where in its file the copy starts. */
        public static final int OFFSET_IN = 1;
        /** The descriptor written to (opened for writing, without O_APPEND). */
        public static final int FD_OUT = 2;
        /** Where in its file the bytes go. */
        public static final int OFFSET_OUT = 3;
        /** How many bytes to copy; more than {@link #COPY_RANGE_MAX} copies that many. */
        public static final int COUNT = 4;

        private CopyRange() {
        }

        /** Issues {@link #COPY_RANGE} on {@code on}. */
        public static long call(Caller on, long fdIn, long offsetIn, long fdOut, long offsetOut, long count)
                throws DomainFailedException {
            return on.call(COPY_RANGE, fdIn, offsetIn, fdOut, offsetOut, count, 0);
        }
    }
}
