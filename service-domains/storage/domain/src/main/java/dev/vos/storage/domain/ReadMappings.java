package dev.vos.storage.domain;

import dev.vos.storage.domain.ReadView.NoMapping;
import dev.vos.sys.SharedMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.vos.storage.domain.StorageSyscalls.STATX_MODE_OFFSET;
import static dev.vos.storage.domain.StorageSyscalls.STATX_SIZE;
import static dev.vos.storage.domain.StorageSyscalls.STATX_SIZE_OFFSET;
import static dev.vos.storage.domain.StorageSyscalls.S_IFMT;
import static dev.vos.storage.domain.StorageSyscalls.S_IFREG;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Decides and makes a descriptor's {@link ReadMapping}, on its first read: only a regular file, on a descriptor that
 * can read, not empty, within the session's cap ({@link DescriptorTable#reserveMapping}). The mapping is twice the
 * file's size (rounded to pages), so a file that grows keeps being served from it up to there; address space costs
 * nothing until a page is touched, and a page past the file's end is never touched (reads stop at the known size).
 */
final class ReadMappings {

    private static final long PAGE = 4096;
    /**
     * Tries of a descriptor whose file statx found empty although preads found bytes in it (a procfs-like file):
     * after these, its reads are preads for good, instead of a statx before every other one.
     */
    static final int MAX_EMPTY_TRIES = 4;

    private final boolean enabled;
    private final FileSizes sizes = new FileSizes();

    /** Mappings for descriptors' reads, or none at all when not {@code enabled} (every read is a pread). */
    ReadMappings(boolean enabled) {
        this.enabled = enabled;
    }

    /** The known sizes of the mapped files, which truncates through vos must lower. */
    FileSizes sizes() {
        return sizes;
    }

    /** How {@code entry}'s reads are served; its first read (or the first after the file grew) tries to map. */
    ReadView view(DescriptorTable table, DescriptorTable.Entry entry) {
        ReadView view = entry.view();
        if (view != NoMapping.UNTRIED) {
            return view;
        }
        synchronized (entry) { // two workers reading one descriptor for the first time map it once
            if (entry.view() == NoMapping.UNTRIED) {
                entry.view(map(table, entry));
            }
            return entry.view();
        }
    }

    /** A pread of {@code entry} found bytes: a descriptor whose file was empty may now map it. */
    static void grew(DescriptorTable.Entry entry) {
        if (entry.view() != NoMapping.EMPTY) {
            return;
        }
        synchronized (entry) { // under the lock map runs under: never over a mapping another worker just made
            if (entry.view() == NoMapping.EMPTY) {
                entry.view(NoMapping.UNTRIED);
            }
        }
    }

    private ReadView map(DescriptorTable table, DescriptorTable.Entry entry) {
        if (!enabled || !entry.readable()) {
            return NoMapping.NEVER;
        }
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment statx = confined.allocate(STATX_SIZE, 8);
            synchronized (sizes) { // no truncate through vos between this statx and the record's size
                if (StorageSyscalls.fstat(entry.kernelFd(), statx) < 0
                        || (Short.toUnsignedInt(statx.get(JAVA_SHORT, STATX_MODE_OFFSET)) & S_IFMT) != S_IFREG) {
                    return NoMapping.NEVER;
                }
                long size = statx.get(JAVA_LONG, STATX_SIZE_OFFSET);
                if (size == 0) {
                    return ++entry.emptyTries < MAX_EMPTY_TRIES ? NoMapping.EMPTY : NoMapping.NEVER;
                }
                if (size > DescriptorTable.MAX_MAPPED_BYTES / 2) {
                    return NoMapping.NEVER;
                }
                long length = (2 * size + PAGE - 1) & -PAGE;
                if (!table.reserveMapping(length)) {
                    return NoMapping.NEVER;
                }
                long address = SharedMemory.mmapReadOnly(entry.kernelFd(), length);
                if (address < 0) {
                    table.returnMapping(length);
                    return NoMapping.NEVER;
                }
                Arena arena = Arena.ofShared();
                MemorySegment pages = SharedMemory.adopt(address, length, arena);
                KnownSize known = sizes.acquire(FileSizes.inode(statx));
                known.measured(size, known.epoch());
                return new ReadMapping(arena, pages, known, sizes);
            }
        }
    }
}
