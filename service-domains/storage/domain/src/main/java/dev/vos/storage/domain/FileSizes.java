package dev.vos.storage.domain;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The known sizes ({@link KnownSize}) of the files the domain has mapped, one per inode, domain-wide: every
 * descriptor of a file, in any session, shares it, so a truncate through one lowers what reads through all the
 * others may copy from their mappings. A record lives while a mapping uses it.
 *
 * <p>Making a record and truncating a file through vos are serialised on this object: a mapping's first statx of
 * the file runs under this lock ({@link ReadMappings}), and so does every truncate ({@link #truncate},
 * {@link #truncated}). Without that, a truncate that looked for a record just before another worker made one would
 * shrink the file under a size measured before it, and a mapped read would answer the cut range.
 */
final class FileSizes {

    /** A file: its device ({@code major << 32 | minor}) and inode number. */
    record Inode(long device, long number) {
    }

    private final Map<Inode, KnownSize> sizes = new HashMap<>();
    /** How many records there are; volatile so that a truncate can skip the look-up when none is mapped. */
    private volatile int count;

    /** The record of {@code inode}, made (knowing nothing: 0 bytes) if new; {@link #release} it with the mapping. */
    synchronized KnownSize acquire(Inode inode) {
        KnownSize size = sizes.computeIfAbsent(inode, KnownSize::new);
        size.users++;
        count = sizes.size();
        return size;
    }

    synchronized void release(KnownSize size) {
        if (--size.users == 0) {
            sizes.remove(size.inode);
            count = sizes.size();
        }
    }

    /** Whether no file is mapped. */
    boolean isEmpty() {
        return count == 0;
    }

    /**
     * Runs {@code truncation} (ftruncate of {@code kernelFd} to {@code length}), lowering the file's known size first
     * if a descriptor of it is mapped (see {@link KnownSize#cut}).
     */
    synchronized long truncate(int kernelFd, long length, KnownSize.Truncation truncation) {
        KnownSize size = count == 0 ? null : find(kernelFd);
        return size == null ? truncation.run() : size.cut(length, truncation);
    }

    /**
     * The file of {@code kernelFd} was just truncated to 0 by an open with O_TRUNC (the kernel did it inside
     * openat2, so the size could not be lowered before): lowered now, before the open is answered.
     */
    synchronized void truncated(int kernelFd) {
        KnownSize size = count == 0 ? null : find(kernelFd);
        if (size != null) {
            size.cut(0, () -> 0);
        }
    }

    /** The record of the file open as {@code kernelFd}, or null (none, or statx failed). */
    private KnownSize find(int kernelFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment statx = arena.allocate(StorageSyscalls.STATX_SIZE, 8);
            return StorageSyscalls.fstat(kernelFd, statx) < 0 ? null : sizes.get(inode(statx));
        }
    }

    /** The inode a {@code struct statx} describes. */
    static Inode inode(MemorySegment statx) {
        return new Inode((long) statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_DEV_MAJOR_OFFSET) << 32
                | Integer.toUnsignedLong(statx.get(JAVA_INT_UNALIGNED, StorageSyscalls.STATX_DEV_MAJOR_OFFSET + 4)),
                statx.get(JAVA_LONG, StorageSyscalls.STATX_INO_OFFSET));
    }
}
