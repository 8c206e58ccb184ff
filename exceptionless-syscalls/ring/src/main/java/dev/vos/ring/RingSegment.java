package dev.vos.ring;

import dev.vos.ring.layout.HeaderLayout;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;
import dev.vos.sys.SharedMemory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A ring segment mapped into this process, shared, read and write, and the typed accessors both sides use on it.
 * Every access names its memory order, so each store can be paired with the load that observes it.
 *
 * <p>A segment is one of two kinds:
 * <ul>
 *   <li><b>sealed</b> ({@link #createSealed}, {@link #openSealed}): a {@code memfd} that no path names, sized once
 *       and sealed against shrinking and growing ({@code F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL}). Only a process
 *       handed the descriptor can map it, and a server can rely on its size: a client cannot cut pages off under it.
 *       What a client hands a domain agent.</li>
 *   <li><b>a file</b> ({@link #create}, {@link #open}): a {@link SegmentFiles} path, created owner-only (0600), never
 *       over an existing name and never through a symbolic link. For a ring server run as a program of its own
 *       ({@code RingServerMain}: tests, the demo, benchmarks); its creator can still truncate it, which a server
 *       survives (the session fails, see {@code RingServer}).</li>
 * </ul>
 *
 * <p>The mapping belongs to a shared arena: closing it unmaps the segment once no thread is inside an access, and any
 * later access throws {@link IllegalStateException} instead of touching unmapped memory.
 */
public final class RingSegment implements AutoCloseable {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    /** Who may open a segment file: its owner, reading and writing. */
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path file;
    private final String name;
    /** The memfd of a sealed segment this process created (it hands it on), else -1. */
    private final int descriptor;
    private final Arena arena;
    private final MemorySegment memory;

    private RingSegment(Path file, String name, int descriptor, Arena arena, MemorySegment memory) {
        this.file = file;
        this.name = name;
        this.descriptor = descriptor;
        this.arena = arena;
        this.memory = memory;
    }

    /**
     * Creates {@code file} owner-only (0600), which must not exist (O_EXCL: a name planted there, a symbolic link
     * included, is an error, never followed), sizes it for {@code geometry} and maps it.
     */
    public static RingSegment create(Path file, RingGeometry geometry) throws IOException {
        try (FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), OWNER_ONLY)) {
            channel.write(ByteBuffer.allocate(1), geometry.segmentBytes() - 1);
            return map(file, channel, geometry.segmentBytes());
        }
    }

    /** Maps an existing segment file whole, not through a symbolic link; the caller validates its contents. */
    public static RingSegment open(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            return map(file, channel, channel.size());
        }
    }

    private static RingSegment map(Path file, FileChannel channel, long bytes) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return new RingSegment(file, file.toString(), -1, arena,
                    channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Creates a sealed segment for {@code geometry}: a memfd labelled {@code vos-LABEL}, sized, sealed so that its
     * size never changes, and mapped. The segment keeps the descriptor ({@link #descriptor()}) until it closes.
     */
    public static RingSegment createSealed(String label, RingGeometry geometry) throws IOException {
        String name = "memfd:" + SegmentFiles.PREFIX + label;
        int fd = SharedMemory.memfdCreate(SegmentFiles.PREFIX + label,
                SharedMemory.MFD_CLOEXEC | SharedMemory.MFD_ALLOW_SEALING);
        if (fd < 0) {
            throw new IOException("memfd_create(" + name + "): " + Errno.message(-fd));
        }
        try {
            check(name, "ftruncate", SharedMemory.ftruncate(fd, geometry.segmentBytes()));
            check(name, "F_ADD_SEALS", SharedMemory.addSeals(fd, SharedMemory.SEALED_SIZE));
            return mapShared(fd, name, geometry.segmentBytes(), fd);
        } catch (IOException | RuntimeException e) {
            Linux.close(fd);
            throw e;
        }
    }

    /**
     * Maps the sealed segment a client handed over as {@code fd}, after checking that it is one: a memfd on shmem
     * (a hugetlb one could fault for want of huge pages), sealed with {@code F_SEAL_SHRINK | F_SEAL_GROW |
     * F_SEAL_SEAL}, no larger than the largest geometry. Takes the descriptor: it is closed whatever happens (the
     * mapping does not need it). The caller validates the contents ({@link RingHeader#validate}).
     *
     * @throws SegmentRefusedException if the descriptor is not such a segment
     */
    public static RingSegment openSealed(int fd, String name) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            int seals = SharedMemory.seals(fd);
            if (seals < 0) {
                throw new SegmentRefusedException(name + ": not a sealed memfd (F_GET_SEALS: "
                        + Errno.name(-seals) + ")");
            }
            if ((seals & SharedMemory.SEALED_SIZE) != SharedMemory.SEALED_SIZE) {
                throw new SegmentRefusedException(String.format("%s: seals 0x%x, but a segment must be sealed with"
                        + " F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL (0x%x): its size could change under the server",
                        name, seals, SharedMemory.SEALED_SIZE));
            }
            long type = SharedMemory.fileSystemType(fd);
            if (type != SharedMemory.TMPFS_MAGIC) {
                throw new SegmentRefusedException(String.format("%s: on file system 0x%x, not shmem (0x%x)", name, type,
                        SharedMemory.TMPFS_MAGIC));
            }
            MemorySegment stat = scratch.allocate(SharedMemory.STAT_SIZE, 8);
            check(name, "fstat", SharedMemory.fstat(fd, stat));
            long size = SharedMemory.size(stat);
            boolean regular = (SharedMemory.mode(stat) & SharedMemory.S_IFMT) == SharedMemory.S_IFREG;
            if (!regular || size < HeaderLayout.HEADER_BYTES || size > RingGeometry.MAX_SEGMENT_BYTES) {
                throw new SegmentRefusedException(name + ": " + size + " bytes; a segment has "
                        + HeaderLayout.HEADER_BYTES + ".." + RingGeometry.MAX_SEGMENT_BYTES);
            }
            return mapShared(fd, name, size, -1);
        } finally {
            Linux.close(fd);
        }
    }

    private static RingSegment mapShared(int fd, String name, long bytes, int kept) throws IOException {
        long address = SharedMemory.mmapShared(fd, bytes);
        if (address < 0) {
            throw new IOException(name + ": mmap of " + bytes + " bytes: " + Errno.message((int) -address));
        }
        Arena arena = Arena.ofShared();
        return new RingSegment(null, name, kept, arena, SharedMemory.adopt(address, bytes, arena));
    }

    private static void check(String name, String call, int result) throws IOException {
        if (result < 0) {
            throw new IOException(name + ": " + call + ": " + Errno.message(-result));
        }
    }

    /** The file this segment maps, or {@code null} for a sealed segment, which no path names. */
    public Path file() {
        return file;
    }

    /** What to call the segment in messages: its path, or {@code memfd:vos-LABEL}. */
    public String name() {
        return name;
    }

    /** The memfd of a sealed segment this process created, to hand to a server; -1 for any other segment. */
    public int descriptor() {
        return descriptor;
    }

    /** The mapped bytes. */
    public MemorySegment memory() {
        return memory;
    }

    /** Mapped size in bytes. */
    public long byteSize() {
        return memory.byteSize();
    }

    /** The virtual address of {@code offset}, for system calls such as {@code futex} that take a pointer. */
    public long address(long offset) {
        return memory.address() + offset;
    }

    public long getLongPlain(long offset) {
        return (long) LONG.get(memory, offset);
    }

    public void setLongPlain(long offset, long value) {
        LONG.set(memory, offset, value);
    }

    public long getLongAcquire(long offset) {
        return (long) LONG.getAcquire(memory, offset);
    }

    public void setLongRelease(long offset, long value) {
        LONG.setRelease(memory, offset, value);
    }

    public long getLongVolatile(long offset) {
        return (long) LONG.getVolatile(memory, offset);
    }

    public void setLongVolatile(long offset, long value) {
        LONG.setVolatile(memory, offset, value);
    }

    public boolean compareAndSetLong(long offset, long expected, long value) {
        return LONG.compareAndSet(memory, offset, expected, value);
    }

    public long getAndAddLong(long offset, long delta) {
        return (long) LONG.getAndAdd(memory, offset, delta);
    }

    public int getIntPlain(long offset) {
        return (int) INT.get(memory, offset);
    }

    public void setIntPlain(long offset, int value) {
        INT.set(memory, offset, value);
    }

    public int getIntAcquire(long offset) {
        return (int) INT.getAcquire(memory, offset);
    }

    public void setIntRelease(long offset, int value) {
        INT.setRelease(memory, offset, value);
    }

    public int getIntVolatile(long offset) {
        return (int) INT.getVolatile(memory, offset);
    }

    public void setIntVolatile(long offset, int value) {
        INT.setVolatile(memory, offset, value);
    }

    public boolean compareAndSetInt(long offset, int expected, int value) {
        return INT.compareAndSet(memory, offset, expected, value);
    }

    public int getAndAddInt(long offset, int delta) {
        return (int) INT.getAndAdd(memory, offset, delta);
    }

    /** Unmaps the segment (and closes the descriptor of a sealed one); a file stays until its owner deletes it. */
    @Override
    public void close() {
        try {
            arena.close();
        } finally {
            if (descriptor >= 0) {
                Linux.close(descriptor);
            }
        }
    }

    /** A descriptor handed over as a segment that is not one a server may map. */
    public static final class SegmentRefusedException extends IOException {
        SegmentRefusedException(String problem) {
            super(problem);
        }
    }
}
