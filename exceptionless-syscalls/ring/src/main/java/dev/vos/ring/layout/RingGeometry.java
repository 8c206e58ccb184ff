package dev.vos.ring.layout;

import java.time.Duration;

/**
 * The shape of a ring segment: how many call slots, how much payload room each slot owns, and how long a silent
 * server may stay silent before clients declare it hung. Everything else (offsets of the queue, the slots, the data
 * area; the total size) is computed from these, the same way on both sides, and never trusted from the segment.
 *
 * <pre>
 *  0          512             512+8*slots (64-aligned)                     page-aligned
 *  | header   | queue cells    | slots (64 B each) | park words (4 B each) | data area: slotCount x dataBytesPerSlot |
 * </pre>
 *
 * @param slotCount         call slots; a power of two, {@value #MIN_SLOTS}..{@value #MAX_SLOTS}. Also the most
 *                          calls a client has in flight at once.
 * @param dataBytesPerSlot  payload bytes each slot owns in the data area; a multiple of 4096, at most
 *                          {@value #MAX_DATA_BYTES_PER_SLOT}. Larger transfers are split by the caller.
 * @param livenessTimeoutNs a server whose heartbeat is older than this is declared hung, and its in-flight calls
 *                          fail; {@value #MIN_LIVENESS_TIMEOUT_NS}..{@value #MAX_LIVENESS_TIMEOUT_NS} ns.
 */
public record RingGeometry(int slotCount, int dataBytesPerSlot, long livenessTimeoutNs) {

    public static final int MIN_SLOTS = 2;
    public static final int MAX_SLOTS = 4096;
    public static final int PAGE = 4096;
    public static final int MAX_DATA_BYTES_PER_SLOT = 16 << 20;
    public static final long MIN_LIVENESS_TIMEOUT_NS = 10_000_000L;
    public static final long MAX_LIVENESS_TIMEOUT_NS = 60_000_000_000L;

    /**
     * 64 slots of 64 KiB (4 MiB of payload), hung after 1 s of silence. Not shorter: the server's heartbeat thread is
     * an ordinary thread, and on a loaded 2-core machine it was seen to be late by more than 200 ms. A supervised
     * domain's hangs are judged by its supervisor (the spec's hangTimeoutMs), which kills it, and the clients'
     * lifelines report that at once; a client's own heartbeat check is the backstop.
     */
    public static final RingGeometry DEFAULT = new RingGeometry(64, 64 << 10, 1_000_000_000L);

    /** The size of the largest segment any geometry makes: a server refuses a larger one before mapping it. */
    public static final long MAX_SEGMENT_BYTES =
            new RingGeometry(MAX_SLOTS, MAX_DATA_BYTES_PER_SLOT, MIN_LIVENESS_TIMEOUT_NS).segmentBytes();

    public RingGeometry {
        if (slotCount < MIN_SLOTS || slotCount > MAX_SLOTS || Integer.bitCount(slotCount) != 1) {
            throw new IllegalArgumentException("slotCount=" + slotCount + ": must be a power of two in ["
                    + MIN_SLOTS + ", " + MAX_SLOTS + "]");
        }
        if (dataBytesPerSlot <= 0 || dataBytesPerSlot % PAGE != 0 || dataBytesPerSlot > MAX_DATA_BYTES_PER_SLOT) {
            throw new IllegalArgumentException("dataBytesPerSlot=" + dataBytesPerSlot
                    + ": must be a positive multiple of " + PAGE + ", at most " + MAX_DATA_BYTES_PER_SLOT);
        }
        if (livenessTimeoutNs < MIN_LIVENESS_TIMEOUT_NS || livenessTimeoutNs > MAX_LIVENESS_TIMEOUT_NS) {
            throw new IllegalArgumentException("livenessTimeoutNs=" + livenessTimeoutNs + ": must be in ["
                    + MIN_LIVENESS_TIMEOUT_NS + ", " + MAX_LIVENESS_TIMEOUT_NS + "]");
        }
    }

    /** The same geometry with another liveness timeout. */
    public RingGeometry withLivenessTimeout(Duration timeout) {
        return new RingGeometry(slotCount, dataBytesPerSlot, timeout.toNanos());
    }

    /** Cells in the submission queue: one per slot, so a client can never overrun it. */
    public int queueCapacity() {
        return slotCount;
    }

    /** Offset of the submission queue's first cell. */
    public long queueOffset() {
        return HeaderLayout.HEADER_BYTES;
    }

    /** Offset of slot 0. */
    public long slotsOffset() {
        return align(queueOffset() + 8L * queueCapacity(), HeaderLayout.CACHE_LINE);
    }

    /** Offset of slot {@code index}. */
    public long slotOffset(int index) {
        return slotsOffset() + (long) index * SlotLayout.SLOT_BYTES;
    }

    /**
     * Offset of the park words: one {@link SlotLayout#PARK_WORD_BYTES}-byte futex word per slot, right after the
     * slots (so 64-byte aligned), on which a platform-thread caller sleeps until the worker that completes its call
     * wakes it (docs/ring-protocol.md, section 7). Apart from the slots so that a slot stays one cache line.
     */
    public long parkWordsOffset() {
        return slotsOffset() + (long) slotCount * SlotLayout.SLOT_BYTES;
    }

    /** Offset of slot {@code index}'s park word. */
    public long parkWordOffset(int index) {
        return parkWordsOffset() + (long) index * SlotLayout.PARK_WORD_BYTES;
    }

    /** Offset of the data area, page-aligned so that payloads suit direct I/O. */
    public long dataOffset() {
        return align(parkWordsOffset() + (long) slotCount * SlotLayout.PARK_WORD_BYTES, PAGE);
    }

    /** Bytes in the data area. */
    public long dataBytes() {
        return (long) slotCount * dataBytesPerSlot;
    }

    /** Offset, relative to the data area, of the chunk slot {@code index} owns. */
    public long dataChunkOffset(int index) {
        return (long) index * dataBytesPerSlot;
    }

    /** Total bytes of a segment of this geometry. */
    public long segmentBytes() {
        return dataOffset() + dataBytes();
    }

    private static long align(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
