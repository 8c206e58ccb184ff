package dev.vos.storage.protocol;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * What {@link StorageCalls#STATFS} tells a client about the file system holding the export root, and its wire
 * form in the payload: {@link #BYTES} little-endian bytes at the offsets below, four longs. The byte counts are
 * the kernel's block counts times its fragment size, held at {@code Long.MAX_VALUE} rather than wrapping
 * negative (as NIO's FileStore does).
 *
 * @param totalBytes     the file system's size
 * @param freeBytes      bytes not in use
 * @param availableBytes bytes an unprivileged user may still fill
 * @param blockSize      the preferred I/O block size
 */
public record FileSystemStat(long totalBytes, long freeBytes, long availableBytes, long blockSize) {

    public static final long TOTAL_BYTES_OFFSET = 0;
    public static final long FREE_BYTES_OFFSET = 8;
    public static final long AVAILABLE_BYTES_OFFSET = 16;
    public static final long BLOCK_SIZE_OFFSET = 24;
    /** The wire size. */
    public static final long BYTES = 32;

    /** Writes the wire form into {@code out} (at least {@link #BYTES} long). */
    public void encode(MemorySegment out) {
        out.set(JAVA_LONG_UNALIGNED, TOTAL_BYTES_OFFSET, totalBytes);
        out.set(JAVA_LONG_UNALIGNED, FREE_BYTES_OFFSET, freeBytes);
        out.set(JAVA_LONG_UNALIGNED, AVAILABLE_BYTES_OFFSET, availableBytes);
        out.set(JAVA_LONG_UNALIGNED, BLOCK_SIZE_OFFSET, blockSize);
    }

    /** Reads the wire form (the client's side). */
    public static FileSystemStat decode(MemorySegment in) {
        return new FileSystemStat(in.get(JAVA_LONG_UNALIGNED, TOTAL_BYTES_OFFSET),
                in.get(JAVA_LONG_UNALIGNED, FREE_BYTES_OFFSET), in.get(JAVA_LONG_UNALIGNED, AVAILABLE_BYTES_OFFSET),
                in.get(JAVA_LONG_UNALIGNED, BLOCK_SIZE_OFFSET));
    }
}
