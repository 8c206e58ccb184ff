package dev.vos.storage.protocol;

/**
 * The flag and mode values a client passes in storage calls: Linux's own (x86_64, the same on every 64-bit Linux
 * architecture vos runs on), so that the domain hands them to the kernel unchanged after checking them against
 * what each call allows (see {@link StorageCalls}).
 */
public final class StorageFlags {

    // <fcntl.h> / <asm-generic/fcntl.h>: open flags (octal there; the same values here)
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_ACCMODE = 03;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_DSYNC = 010000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_SYNC = 04010000;

    /** {@code AT_SYMLINK_NOFOLLOW}, {@code <fcntl.h>}: act on a final symlink itself. */
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    /** {@code AT_REMOVEDIR}, {@code <fcntl.h>}: unlink removes a directory. */
    public static final int AT_REMOVEDIR = 0x200;

    // <unistd.h>: access modes
    public static final int F_OK = 0;
    public static final int X_OK = 1;
    public static final int W_OK = 2;
    public static final int R_OK = 4;

    /** {@code FALLOC_FL_KEEP_SIZE}, {@code <linux/falloc.h>}: allocate without changing the file size. */
    public static final int FALLOC_FL_KEEP_SIZE = 1;

    /** {@code RENAME_NOREPLACE}, {@code <linux/fs.h>}. */
    public static final int RENAME_NOREPLACE = 1;
    /** {@code RENAME_EXCHANGE}, {@code <linux/fs.h>}. */
    public static final int RENAME_EXCHANGE = 2;

    // <fcntl.h>: byte-range lock types
    public static final short F_RDLCK = 0;
    public static final short F_WRLCK = 1;
    public static final short F_UNLCK = 2;

    private StorageFlags() {
    }
}
