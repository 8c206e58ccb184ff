package dev.vos.storage;

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
 * </pre>
 * open accepts O_RDONLY/O_WRONLY/O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, O_DSYNC,
 * O_SYNC (others: EINVAL; O_CLOEXEC is always added) and a mode within 0777 (others: EINVAL); a session holding
 * {@code DescriptorTable.MAX_PER_SESSION} (1024) descriptors gets EMFILE. unlink, mkdir and
 * rename act on the last component of their path, which must not be "", "." or ".." (EINVAL).
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

    private StorageCalls() {
    }
}
