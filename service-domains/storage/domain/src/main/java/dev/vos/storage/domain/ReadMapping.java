package dev.vos.storage.domain;

import dev.vos.sys.SharedMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.vos.storage.domain.StorageSyscalls.STATX_SIZE;
import static dev.vos.storage.domain.StorageSyscalls.STATX_SIZE_OFFSET;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One descriptor's read-only, shared mapping of its file ({@code PROT_READ, MAP_SHARED}): the page cache a pread
 * copies from, reached without a system call. A read is served from it only when its whole range lies below the
 * file's {@link KnownSize} (so its count is pread's: all of it) and inside the mapping; anything else, and a fault,
 * goes back to pread, which answers the end of the file, errors and all. Made by {@link ReadMappings} on a
 * descriptor's first read, unmapped when the descriptor's kernel descriptor is closed: after the last call that
 * pinned it, so no worker can be copying from it then. The shared arena is a second guard: an access after its close
 * throws rather than touching unmapped memory.
 */
final class ReadMapping implements ReadView {

    /** What {@link #copy} answers when it did not serve the read: the caller takes the pread path. */
    static final long NOT_SERVED = -1;

    private final Arena arena;
    private final MemorySegment pages;
    private final KnownSize size;
    private final FileSizes sizes;

    ReadMapping(Arena arena, MemorySegment pages, KnownSize size, FileSizes sizes) {
        this.arena = arena;
        this.pages = pages;
        this.size = size;
        this.sizes = sizes;
    }

    /** The file's known size, shared with every descriptor of the file. */
    KnownSize size() {
        return size;
    }

    /** Bytes of address space mapped (the session's cap counts them). */
    long length() {
        return pages.byteSize();
    }

    /**
     * Copies {@code count} bytes at {@code offset} of the file to {@code address} and answers {@code count}, as a
     * pread of a range inside the file does; or answers {@link #NOT_SERVED} (the range reaches past the known size or
     * the mapping, this is the read that re-checks the size, or the copy faulted because the file was cut by someone
     * outside vos), having written nothing the caller's pread will not overwrite.
     */
    long copy(int kernelFd, long address, int count, long offset) {
        long end = offset + count;
        if (end > size.bytes() || end > pages.byteSize() || end < 0) {
            return NOT_SERVED;
        }
        if (size.dueForCheck()) {
            measure(kernelFd);
            return NOT_SERVED; // this read is the kernel's: it answers the truth whatever the check found
        }
        try {
            MemorySegment.copy(pages, offset, MemorySegment.ofAddress(address).reinterpret(count), 0, count);
            SharedMemory.faultFence(); // a SIGBUS of the copy is thrown here, inside this try (see faultFence)
            return count;
        } catch (InternalError fault) {
            // A page of the range is wholly past the file's end: the file was cut outside vos. Learn its size.
            measure(kernelFd);
            return NOT_SERVED;
        }
    }

    /** Sets the known size to what statx finds now (unless a truncate through vos runs meanwhile). */
    void measure(int kernelFd) {
        long epoch = size.epoch();
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment statx = confined.allocate(STATX_SIZE, 8);
            if (StorageSyscalls.fstat(kernelFd, statx) == 0) {
                size.measured(statx.get(JAVA_LONG, STATX_SIZE_OFFSET), epoch);
            }
        }
    }

    /** Unmaps: once the descriptor is closed and nothing pins it. */
    void close() {
        arena.close();
        sizes.release(size);
    }
}
