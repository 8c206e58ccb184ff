package dev.vos.perf.ring;

import dev.vos.perf.sys.RecordDescriptor;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

import static dev.vos.perf.sys.MmapPageDescriptor.DATA_HEAD_OFFSET;
import static dev.vos.perf.sys.MmapPageDescriptor.DATA_TAIL_OFFSET;
import static dev.vos.perf.sys.RecordDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The reader's side of one sampling ring (see {@link dev.vos.perf.sys.MmapPageDescriptor}): single consumer, the
 * kernel the single producer.
 *
 * <p>The protocol: load {@code data_head} with ACQUIRE (pairs with the kernel's {@code smp_store_release} of it, so
 * every record below head is fully written when read); decode the records between our tail and that head; then
 * store {@code data_tail} with RELEASE (pairs with the kernel's read of it, so our reads of those bytes complete
 * before the kernel may overwrite them). {@code data_tail} is only ever written here, so reading our own last value
 * back needs no ordering.
 *
 * <p>Works on any two segments, not only a kernel mapping, so the decoder and the wrap-around are testable with a
 * ring a test writes itself.
 */
public final class SampleRing {

    private static final VarHandle LONG = JAVA_LONG.varHandle();

    private final MemorySegment meta;
    private final MemorySegment data;
    private final long mask;
    /** Holds a record that wraps around the end of the data area, copied into one piece. */
    private final MemorySegment scratch;
    /** True when samples carry a callchain ({@code PERF_SAMPLE_CALLCHAIN}). */
    private final boolean callchain;
    private long samples;
    private long lost;
    private long otherRecords;

    /**
     * @param meta    the metadata page (at least {@code DATA_SIZE_OFFSET + 8} bytes)
     * @param data    the data area; its size must be a power of two
     * @param scratch at least 65536 bytes (the largest record a u16 size allows)
     */
    public SampleRing(MemorySegment meta, MemorySegment data, MemorySegment scratch) {
        this(meta, data, scratch, true);
    }

    /**
     * @param meta      the metadata page (at least {@code DATA_SIZE_OFFSET + 8} bytes)
     * @param data      the data area; its size must be a power of two
     * @param scratch   at least 65536 bytes (the largest record a u16 size allows)
     * @param callchain whether samples carry a callchain
     */
    public SampleRing(MemorySegment meta, MemorySegment data, MemorySegment scratch, boolean callchain) {
        long size = data.byteSize();
        if (size < 8 || Long.bitCount(size) != 1) {
            throw new IllegalArgumentException("data size must be a power of two, got " + size);
        }
        if (scratch.byteSize() < 65_536) {
            throw new IllegalArgumentException("scratch=" + scratch.byteSize() + " is below the largest record, 65536");
        }
        this.meta = meta;
        this.data = data;
        this.mask = size - 1;
        this.scratch = scratch;
        this.callchain = callchain;
    }

    /**
     * Decodes every record the kernel has published, hands samples and losses to {@code handler}, and releases the
     * space. The tail is published in a finally block: a handler that throws does not wedge the ring.
     *
     * @return records consumed
     */
    public int drain(RecordHandler handler) {
        long head = (long) LONG.getAcquire(meta, (long) DATA_HEAD_OFFSET);
        long tail = meta.get(JAVA_LONG, DATA_TAIL_OFFSET);
        int records = 0;
        try {
            while (tail < head) {
                int at = (int) (tail & mask);
                int size = Short.toUnsignedInt(data.get(JAVA_SHORT, at + SIZE_OFFSET));
                if (size < HEADER_LENGTH || tail + size > head) {
                    // A record that claims more than was published: the ring is corrupt (or not a perf ring).
                    throw new IllegalStateException("bad record at position " + tail + ": size=" + size
                            + ", head=" + head);
                }
                MemorySegment record;
                if (at + size <= data.byteSize()) {
                    record = data.asSlice(at, size);
                } else {
                    long first = data.byteSize() - at;
                    MemorySegment.copy(data, at, scratch, 0, first);
                    MemorySegment.copy(data, 0, scratch, first, size - first);
                    record = scratch.asSlice(0, size);
                }
                decode(record, handler);
                tail += size;
                records++;
            }
        } finally {
            LONG.setRelease(meta, (long) DATA_TAIL_OFFSET, tail);
        }
        return records;
    }

    private void decode(MemorySegment r, RecordHandler handler) {
        int type = r.get(JAVA_INT, TYPE_OFFSET);
        switch (type) {
            case PERF_RECORD_SAMPLE -> {
                samples++;
                handler.onSample(decodeSample(r, callchain));
            }
            case PERF_RECORD_LOST -> {
                long n = r.get(JAVA_LONG, LOST_LOST_OFFSET);
                lost += n;
                handler.onLost(n);
            }
            case PERF_RECORD_LOST_SAMPLES -> {
                long n = r.get(JAVA_LONG, LOST_SAMPLES_LOST_OFFSET);
                lost += n;
                handler.onLost(n);
            }
            default -> {
                otherRecords++;
                handler.onOther(type, r);
            }
        }
    }

    /** Decodes a SAMPLE record laid out as {@link RecordDescriptor} says; markers are dropped from the chain. */
    static Sample decodeSample(MemorySegment r, boolean callchain) {
        long ip = r.get(JAVA_LONG, SAMPLE_IP_OFFSET);
        int pid = r.get(JAVA_INT, SAMPLE_PID_OFFSET);
        int tid = r.get(JAVA_INT, SAMPLE_TID_OFFSET);
        long time = r.get(JAVA_LONG, SAMPLE_TIME_OFFSET);
        int cpu = r.get(JAVA_INT, SAMPLE_CPU_OFFSET);
        long period = r.get(JAVA_LONG, SAMPLE_PERIOD_OFFSET);
        if (!callchain) {
            boolean kernel = (r.get(JAVA_SHORT, MISC_OFFSET) & CPUMODE_MASK) == MISC_KERNEL;
            return new Sample(pid, tid, time, cpu, period, ip, new long[]{ip}, kernel ? 1 : 0);
        }
        long nr = r.get(JAVA_LONG, SAMPLE_NR_OFFSET);
        long maxNr = (r.byteSize() - SAMPLE_IPS_OFFSET) / Long.BYTES;
        if (nr < 0 || nr > maxNr) {
            throw new IllegalStateException("callchain nr=" + nr + " does not fit a record of " + r.byteSize()
                    + " bytes");
        }
        long[] frames = new long[(int) nr];
        int n = 0;
        int kernel = 0;
        boolean inKernel = false;
        for (int i = 0; i < nr; i++) {
            long e = r.get(JAVA_LONG, SAMPLE_IPS_OFFSET + (long) i * Long.BYTES);
            if (RecordDescriptor.isContextMarker(e)) {
                inKernel = e == PERF_CONTEXT_KERNEL;
                continue;
            }
            frames[n++] = e;
            if (inKernel) {
                kernel++;
            }
        }
        if (n == 0) {
            return new Sample(pid, tid, time, cpu, period, ip, new long[]{ip}, 0);
        }
        return new Sample(pid, tid, time, cpu, period, ip, n == frames.length ? frames : Arrays.copyOf(frames, n),
                kernel);
    }

    /** Samples decoded so far. */
    public long samples() {
        return samples;
    }

    /** Samples the kernel reported lost so far. */
    public long lost() {
        return lost;
    }

    /** Records of other types (THROTTLE, UNTHROTTLE, ...) skipped so far. */
    public long otherRecords() {
        return otherRecords;
    }
}
