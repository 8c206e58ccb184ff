package dev.vos.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The ring's view of its shared segment: typed accessors over the bytes a transport shares (a {@code
 * dev.vos.ring.transport.Segment}), each naming its memory order, so each store can be paired with the load that
 * observes it. The view knows nothing of how the bytes are shared: closing it releases them through the segment it
 * was made over. A final class with one mapping: the ring's hot path stays one monomorphic access per field, whatever
 * the transport.
 *
 * <p>The mapping belongs to the transport's arena: once the segment closes, any access throws {@link
 * IllegalStateException} instead of touching unmapped memory.
 */
public final class RingSegment implements AutoCloseable {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final String name;
    private final MemorySegment memory;
    /** Releases the shared bytes: the transport's segment. */
    private final AutoCloseable release;

    private RingSegment(String name, MemorySegment memory, AutoCloseable release) {
        this.name = name;
        this.memory = memory;
        this.release = release;
    }

    /**
     * A view of {@code memory}, named {@code name} in messages; {@link #close()} closes {@code release} (the
     * transport's segment, which unmaps the bytes).
     */
    public static RingSegment view(String name, MemorySegment memory, AutoCloseable release) {
        return new RingSegment(name, memory, release);
    }

    /** What to call the segment in messages: its path, or {@code memfd:vos-LABEL}. */
    public String name() {
        return name;
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

    /** Releases the shared bytes (the transport's segment: unmaps them, and whatever else it holds). */
    @Override
    public void close() {
        try {
            release.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(name + ": closing the segment failed", e);
        }
    }
}
