package dev.vos.storage.protocol;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * What {@link StorageCalls#FSTAT} and {@link StorageCalls#STAT} tell a client about a file, and its wire form in
 * the payload: {@link #BYTES} little-endian bytes at the offsets below (a fixed layout of vos's own, so that a
 * client never depends on the kernel's struct statx). Times are seconds and nanoseconds since the epoch; a
 * {@code btimeSeconds} of {@link #NO_BTIME} means the file system does not record a birth time.
 */
public record FileStat(int mode, int nlink, int uid, int gid, long ino, long size, long blocks,
                       long mtimeSeconds, int mtimeNanos, long atimeSeconds, int atimeNanos,
                       long ctimeSeconds, int ctimeNanos, long btimeSeconds, int btimeNanos, long dev) {

    public static final long MODE_OFFSET = 0;
    public static final long NLINK_OFFSET = 4;
    public static final long UID_OFFSET = 8;
    public static final long GID_OFFSET = 12;
    public static final long INO_OFFSET = 16;
    public static final long SIZE_OFFSET = 24;
    public static final long BLOCKS_OFFSET = 32;
    public static final long MTIME_SECONDS_OFFSET = 40;
    public static final long MTIME_NANOS_OFFSET = 48;
    public static final long ATIME_SECONDS_OFFSET = 56;
    public static final long ATIME_NANOS_OFFSET = 64;
    public static final long CTIME_SECONDS_OFFSET = 72;
    public static final long CTIME_NANOS_OFFSET = 80;
    public static final long BTIME_SECONDS_OFFSET = 88;
    public static final long BTIME_NANOS_OFFSET = 96;
    /** The device: {@code major << 32 | minor}. */
    public static final long DEV_OFFSET = 104;
    /** The wire size. */
    public static final long BYTES = 112;

    /** {@code btimeSeconds} when the file system has no birth time. */
    public static final long NO_BTIME = Long.MIN_VALUE;

    /** {@code S_IFMT} and the file types, {@code <sys/stat.h>}. */
    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;

    /** Writes the wire form into {@code out} (at least {@link #BYTES} long). */
    public void encode(MemorySegment out) {
        out.set(JAVA_INT_UNALIGNED, MODE_OFFSET, mode);
        out.set(JAVA_INT_UNALIGNED, NLINK_OFFSET, nlink);
        out.set(JAVA_INT_UNALIGNED, UID_OFFSET, uid);
        out.set(JAVA_INT_UNALIGNED, GID_OFFSET, gid);
        out.set(JAVA_LONG_UNALIGNED, INO_OFFSET, ino);
        out.set(JAVA_LONG_UNALIGNED, SIZE_OFFSET, size);
        out.set(JAVA_LONG_UNALIGNED, BLOCKS_OFFSET, blocks);
        out.set(JAVA_LONG_UNALIGNED, MTIME_SECONDS_OFFSET, mtimeSeconds);
        out.set(JAVA_LONG_UNALIGNED, MTIME_NANOS_OFFSET, mtimeNanos);
        out.set(JAVA_LONG_UNALIGNED, ATIME_SECONDS_OFFSET, atimeSeconds);
        out.set(JAVA_LONG_UNALIGNED, ATIME_NANOS_OFFSET, atimeNanos);
        out.set(JAVA_LONG_UNALIGNED, CTIME_SECONDS_OFFSET, ctimeSeconds);
        out.set(JAVA_LONG_UNALIGNED, CTIME_NANOS_OFFSET, ctimeNanos);
        out.set(JAVA_LONG_UNALIGNED, BTIME_SECONDS_OFFSET, btimeSeconds);
        out.set(JAVA_LONG_UNALIGNED, BTIME_NANOS_OFFSET, btimeNanos);
        out.set(JAVA_LONG_UNALIGNED, DEV_OFFSET, dev);
    }

    /** Reads the wire form (the client's side). */
    public static FileStat decode(MemorySegment in) {
        return new FileStat(in.get(JAVA_INT_UNALIGNED, MODE_OFFSET), in.get(JAVA_INT_UNALIGNED, NLINK_OFFSET),
                in.get(JAVA_INT_UNALIGNED, UID_OFFSET), in.get(JAVA_INT_UNALIGNED, GID_OFFSET),
                in.get(JAVA_LONG_UNALIGNED, INO_OFFSET), in.get(JAVA_LONG_UNALIGNED, SIZE_OFFSET),
                in.get(JAVA_LONG_UNALIGNED, BLOCKS_OFFSET),
                in.get(JAVA_LONG_UNALIGNED, MTIME_SECONDS_OFFSET),
                (int) in.get(JAVA_LONG_UNALIGNED, MTIME_NANOS_OFFSET),
                in.get(JAVA_LONG_UNALIGNED, ATIME_SECONDS_OFFSET),
                (int) in.get(JAVA_LONG_UNALIGNED, ATIME_NANOS_OFFSET),
                in.get(JAVA_LONG_UNALIGNED, CTIME_SECONDS_OFFSET),
                (int) in.get(JAVA_LONG_UNALIGNED, CTIME_NANOS_OFFSET),
                in.get(JAVA_LONG_UNALIGNED, BTIME_SECONDS_OFFSET),
                (int) in.get(JAVA_LONG_UNALIGNED, BTIME_NANOS_OFFSET),
                in.get(JAVA_LONG_UNALIGNED, DEV_OFFSET));
    }

    /** The file type bits. */
    public int type() {
        return mode & S_IFMT;
    }

    /** Whether this is a directory. */
    public boolean isDirectory() {
        return type() == S_IFDIR;
    }

    /** Whether this is a regular file. */
    public boolean isRegularFile() {
        return type() == S_IFREG;
    }

    /** Whether this is a symbolic link (only a STAT with AT_SYMLINK_NOFOLLOW sees one). */
    public boolean isSymbolicLink() {
        return type() == S_IFLNK;
    }
}
