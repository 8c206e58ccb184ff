package dev.vos.storage;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * What {@link StorageCalls#FSTAT} tells a client about a file, and its wire form in the payload: {@link #BYTES}
 * little-endian bytes at the offsets below (a fixed layout of vos's own, so that a client never depends on
 * the kernel's struct statx).
 */
public record FileStat(int mode, int nlink, int uid, int gid, long ino, long size, long blocks,
                       long mtimeSeconds, int mtimeNanos) {

    public static final long MODE_OFFSET = 0;
    public static final long NLINK_OFFSET = 4;
    public static final long UID_OFFSET = 8;
    public static final long GID_OFFSET = 12;
    public static final long INO_OFFSET = 16;
    public static final long SIZE_OFFSET = 24;
    public static final long BLOCKS_OFFSET = 32;
    public static final long MTIME_SECONDS_OFFSET = 40;
    public static final long MTIME_NANOS_OFFSET = 48;
    /** The wire size (52 bytes used, padded to 8). */
    public static final long BYTES = 56;

    /** {@code S_IFMT} and the file types, <sys/stat.h>. */
    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;

    /** Reads the fields vos passes on from a kernel {@code struct statx}. */
    static FileStat fromStatx(MemorySegment statx) {
        return new FileStat(
                Short.toUnsignedInt(statx.get(JAVA_SHORT, StorageSyscalls.STATX_MODE_OFFSET)),
                statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_NLINK_OFFSET),
                statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_UID_OFFSET),
                statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_GID_OFFSET),
                statx.get(JAVA_LONG, StorageSyscalls.STATX_INO_OFFSET),
                statx.get(JAVA_LONG, StorageSyscalls.STATX_SIZE_OFFSET),
                statx.get(JAVA_LONG, StorageSyscalls.STATX_BLOCKS_OFFSET),
                statx.get(JAVA_LONG, StorageSyscalls.STATX_MTIME_OFFSET),
                statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_MTIME_OFFSET + 8));
    }

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
        out.set(JAVA_INT_UNALIGNED, MTIME_NANOS_OFFSET, mtimeNanos);
        out.set(JAVA_INT_UNALIGNED, MTIME_NANOS_OFFSET + 4, 0);
    }

    /** Reads the wire form (the client's side). */
    public static FileStat decode(MemorySegment in) {
        return new FileStat(in.get(JAVA_INT_UNALIGNED, MODE_OFFSET), in.get(JAVA_INT_UNALIGNED, NLINK_OFFSET),
                in.get(JAVA_INT_UNALIGNED, UID_OFFSET), in.get(JAVA_INT_UNALIGNED, GID_OFFSET),
                in.get(JAVA_LONG_UNALIGNED, INO_OFFSET), in.get(JAVA_LONG_UNALIGNED, SIZE_OFFSET),
                in.get(JAVA_LONG_UNALIGNED, BLOCKS_OFFSET), in.get(JAVA_LONG_UNALIGNED, MTIME_SECONDS_OFFSET),
                in.get(JAVA_INT_UNALIGNED, MTIME_NANOS_OFFSET));
    }

    /** Whether this is a directory. */
    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    /** Whether this is a regular file. */
    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }
}
