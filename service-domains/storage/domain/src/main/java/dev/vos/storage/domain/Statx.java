package dev.vos.storage.domain;

import dev.vos.storage.protocol.FileStat;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** The kernel's {@code struct statx} as the domain reads it (offsets in {@link StorageSyscalls}). */
final class Statx {

    private Statx() {
    }

    /** Reads the fields vos passes on from a kernel {@code struct statx}. */
    static FileStat toFileStat(MemorySegment statx) {
        boolean hasBtime = (statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_MASK_OFFSET)
                & StorageSyscalls.STATX_BTIME) != 0;
        return new FileStat(
                Short.toUnsignedInt(statx.get(JAVA_SHORT, StorageSyscalls.STATX_MODE_OFFSET)),
                statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_NLINK_OFFSET),
                statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_UID_OFFSET),
                statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_GID_OFFSET),
                statx.get(JAVA_LONG, StorageSyscalls.STATX_INO_OFFSET),
                statx.get(JAVA_LONG, StorageSyscalls.STATX_SIZE_OFFSET),
                statx.get(JAVA_LONG, StorageSyscalls.STATX_BLOCKS_OFFSET),
                statx.get(JAVA_LONG, StorageSyscalls.STATX_MTIME_OFFSET),
                statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_MTIME_OFFSET + 8),
                statx.get(JAVA_LONG, StorageSyscalls.STATX_ATIME_OFFSET),
                statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_ATIME_OFFSET + 8),
                statx.get(JAVA_LONG, StorageSyscalls.STATX_CTIME_OFFSET),
                statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_CTIME_OFFSET + 8),
                hasBtime ? statx.get(JAVA_LONG, StorageSyscalls.STATX_BTIME_OFFSET) : FileStat.NO_BTIME,
                hasBtime ? statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_BTIME_OFFSET + 8) : 0,
                (long) statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_DEV_MAJOR_OFFSET) << 32
                        | Integer.toUnsignedLong(
                                statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_DEV_MAJOR_OFFSET + 4)));
    }
}
