package dev.vos.ring;

import dev.vos.ring.layout.RingGeometry;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A ring segment mapped into this process: a file (under {@code /dev/shm}) mapped shared, read and write, and the
 * typed accessors both sides use on it. Every access names its memory order, so each store can be paired with the
 * load that observes it.
 *
 * <p>The mapping belongs to a shared arena: closing it unmaps the file once no thread is inside an access, and any
 * later access throws {@link IllegalStateException} instead of touching unmapped memory.
 */
public final class RingSegment implements AutoCloseable {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final Path file;
    private final Arena arena;
    private final MemorySegment memory;

    private RingSegment(Path file, Arena arena, MemorySegment memory) {
        this.file = file;
        this.arena = arena;
        this.memory = memory;
    }

    /** Creates {@code file} (which must not exist), sizes it for {@code geometry} and maps it. */
    public static RingSegment create(Path file, RingGeometry geometry) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            channel.truncate(0);
            channel.write(ByteBuffer.allocate(1), geometry.segmentBytes() - 1);
            return map(file, channel, geometry.segmentBytes());
        }
    }

    /** Maps an existing segment file whole; the caller validates its contents. */
    public static RingSegment open(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return map(file, channel, channel.size());
        }
    }

    private static RingSegment map(Path file, FileChannel channel, long bytes) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return new RingSegment(file, arena, channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The file this segment maps. */
    public Path file() {
        return file;
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

    /** Unmaps the segment; the file stays until its owner deletes it. */
    @Override
    public void close() {
        arena.close();
    }
}
