package dev.vos.storage.protocol;

import dev.vos.ring.CoreCalls;

/**
 * The storage domain's calls, numbered from {@link CoreCalls#FIRST_DOMAIN_CALL}. Every result is in the kernel's
 * convention: a value that is not negative, or {@code -errno}. A "path" is two arguments, the payload offset and
 * the length of its UTF-8 bytes (no NUL; at most 4095 bytes), resolved beneath the export root: an escape is
 * EXDEV, a /proc magic link ELOOP. A "descriptor" is a number of the calling session's own table (EBADF in any
 * other session). Buffers are payload offset and length: the kernel reads and writes the shared data area
 * directly.
 *
 * <pre>
 * no  name       arguments                                                   result
 * 64  open       (pathOff, pathLen, int flags, mode_t mode)                   descriptor
 * 65  close      (int fd)                                                     0
 * 66  pread      (int fd, bufOff, size_t count, off_t offset)                 bytes read into the payload
 * 67  pwrite     (int fd, bufOff, size_t count, off_t offset)                 bytes written from the payload
 * 68  fsync      (int fd)                                                     0
 * 69  fdatasync  (int fd)                                                     0
 * 70  ftruncate  (int fd, off_t length)                                       0
 * 71  fstat      (int fd, outOff, outLen >= FileStat.BYTES)                   FileStat.BYTES, FileStat in the payload
 * 72  unlink     (pathOff, pathLen, int flags: 0 or AT_REMOVEDIR)             0
 * 73  mkdir      (pathOff, pathLen, mode_t mode)                              0
 * 74  rename     (oldOff, oldLen, newOff, newLen, int flags: RENAME_NOREPLACE|RENAME_EXCHANGE)  0
 * 75  stat       (pathOff, pathLen, int flags: 0 or AT_SYMLINK_NOFOLLOW, outOff, outLen >= FileStat.BYTES)
 *                                                                              FileStat.BYTES, FileStat in the payload
 * 76  getdents   (int fd, bufOff, size_t count)                               bytes of struct linux_dirent64
 *                                                                              records (as getdents64), 0 at the end
 * 77  symlink    (targetOff, targetLen, linkOff, linkLen)                      0 (the target is stored as given)
 * 78  readlink   (pathOff, pathLen, bufOff, size_t size)                      bytes of the link's target
 * 79  utimens    (pathOff, pathLen, long atimeNs, long mtimeNs, int flags: 0 or AT_SYMLINK_NOFOLLOW)  0
 *                times are nanoseconds since the epoch; UTIME_UNCHANGED (Long.MIN_VALUE) leaves one as it is
 * 80  chmod      (pathOff, pathLen, mode_t mode within 07777 minus set-uid/set-gid: 01777)             0
 * 81  chown      (pathOff, pathLen, uid_t uid, gid_t gid, int flags: 0 or AT_SYMLINK_NOFOLLOW)   0 (-1: unchanged)
 * 82  fallocate  (int fd, int mode: 0 or FALLOC_FL_KEEP_SIZE, off_t offset, off_t length)             0
 * 83  access     (pathOff, pathLen, int mode: F_OK or R_OK|W_OK|X_OK)                                   0
 * 84  statfs     (outOff, outLen >= 32)                   32: total, free, available bytes, block size (4 longs)
 * 85  lock       (int fd, int type: F_RDLCK 0|F_WRLCK 1|F_UNLCK 2, off_t start, off_t length: 0 = to the end)
 *                0, or EAGAIN when another session or process holds a conflicting lock; never waits (an
 *                open-file-description lock: it belongs to the descriptor and goes when it is closed)
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
 * {@link #MAX_DESCRIPTORS_PER_SESSION} (1024) descriptors gets EMFILE. unlink, mkdir, rename, symlink (its
 * link path) and readlink act on the last component of their path, which must not be "", "." or ".." (EINVAL).
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

    /** The most descriptors one session (one client's ring) holds open at once; one more open is EMFILE. */
    public static final int MAX_DESCRIPTORS_PER_SESSION = 1024;

    /** A time argument of {@link #UTIMENS} that leaves that time as it is. */
    public static final long UTIME_UNCHANGED = Long.MIN_VALUE;
    /** The wire size of {@link #STATFS}'s answer. */
    public static final long STATFS_BYTES = 32;
    /** Where {@link #STATFS} puts each long of its answer (little-endian, like every payload number). */
    public static final long STATFS_TOTAL_OFFSET = 0;
    public static final long STATFS_FREE_OFFSET = 8;
    public static final long STATFS_AVAILABLE_OFFSET = 16;
    public static final long STATFS_BLOCK_SIZE_OFFSET = 24;

    private StorageCalls() {
    }
}
