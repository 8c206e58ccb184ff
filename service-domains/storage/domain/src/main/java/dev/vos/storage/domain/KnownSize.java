package dev.vos.storage.domain;

/**
 * What the domain knows of one file's (inode's) size: a number of bytes the file holds at least, as far as calls
 * through vos can tell. A read wholly below it may be copied out of a mapping of the file: the mapping has no notion
 * of the file's end, so the count a pread would answer (short at the end, 0 past it) comes from this number.
 *
 * <p>The one rule: it must never be above the file's real size, or a mapped read of the last page's tail would
 * answer zeros where pread answers a short count. Raising it late is harmless (the read takes the pread path), so
 * everything that raises it (a pread or pwrite that reached {@code end}, a statx) does so only if no truncate through
 * vos ran since the caller looked ({@link #epoch()} before its system call, compared under the lock); and a truncate
 * through vos ({@link #cut}) lowers it before the kernel shrinks the file and holds the lock meanwhile, so truncates
 * of one file are serialised and no raise lands while one runs. The epoch is odd while a cut runs. What it cannot
 * know of is a truncate by a process outside vos: see docs/storage.md, "Reads from a mapping of the file".
 */
final class KnownSize {

    /** Mapped reads of this file between two statx checks of its size (the outside truncate's bound). */
    static final int CHECK_EVERY = 256;

    final FileSizes.Inode inode;
    /** Bytes the file holds at least. Volatile: read by every worker's mapped read, without the lock. */
    private volatile long bytes;
    /** Incremented at the start and at the end of each {@link #cut}: odd while one runs. Written under the lock. */
    private volatile long epoch;
    /** Mapped reads since the last check; racy on purpose (a missed increment only delays a check). */
    private int readsSinceCheck;
    /** Descriptors whose mappings use this record; guarded by the {@link FileSizes} that holds it. */
    int users;

    KnownSize(FileSizes.Inode inode) {
        this.inode = inode;
    }

    long bytes() {
        return bytes;
    }

    /** Read before a system call whose outcome may raise the size, and handed back to {@link #raise}. */
    long epoch() {
        return epoch;
    }

    /** Whether this mapped read is the one that re-checks the size with statx (one in {@link #CHECK_EVERY}). */
    boolean dueForCheck() {
        if (++readsSinceCheck < CHECK_EVERY) {
            return false;
        }
        readsSinceCheck = 0;
        return true;
    }

    /**
     * The file held {@code end} bytes at least when a call that began at {@code epochBefore} returned (a pread or
     * pwrite reached it): raised to it, unless a cut ran or runs since (then it is left, which is safe).
     */
    synchronized void raise(long end, long epochBefore) {
        if (epoch == epochBefore && (epochBefore & 1) == 0 && end > bytes) {
            bytes = end;
        }
    }

    /** statx found {@code actual} bytes, asked at {@code epochBefore}: taken as it is (up or down) unless a cut ran. */
    synchronized void measured(long actual, long epochBefore) {
        if (epoch == epochBefore && (epochBefore & 1) == 0) {
            bytes = actual;
        }
    }

    /** A truncate (or an open with O_TRUNC) of this file to {@code length}, as a system call. */
    @FunctionalInterface
    interface Truncation {
        /** The call's answer: not negative when it succeeded, else -errno. */
        long run();
    }

    /**
     * Runs {@code truncation} of this file to {@code length} with the size lowered to {@code length} first (no
     * mapped read may answer past it from then on) and the lock held (no raise may land meanwhile, and two cuts do
     * not interleave). On success the file holds {@code length} bytes at least, as far as vos knows.
     */
    synchronized long cut(long length, Truncation truncation) {
        epoch++; // odd: a raise that began before is refused. Volatile store: seen before the lowered size is.
        if (length < bytes) {
            bytes = length;
        }
        try {
            long r = truncation.run();
            if (r >= 0) {
                bytes = length;
            }
            return r;
        } finally {
            epoch++;
        }
    }
}
