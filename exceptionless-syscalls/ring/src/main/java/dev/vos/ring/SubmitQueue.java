package dev.vos.ring;

import dev.vos.ring.layout.RingGeometry;

import static dev.vos.ring.layout.HeaderLayout.QUEUE_HEAD_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.QUEUE_TAIL_OFFSET;

/**
 * The submission queue: how a server finds submitted slots without scanning them. A bounded multi-producer,
 * multi-consumer queue of slot indices in the segment, after D. Vyukov's bounded MPMC queue, with the sequence and
 * the value packed into one 64-bit cell:
 * <pre>
 *   cell = (position + 1) &lt;&lt; 16 | slotIndex     published for position
 *   cell &lt;  (position + 1) &lt;&lt; 16                   not yet published (empty)
 * </pre>
 * Positions are compared modulo 2^48 (the bits a cell has room for), as a signed 48-bit difference, so the queue
 * keeps working past 2^48 submissions.
 *
 * <p>A client claims a position with {@code getAndAdd(QUEUE_TAIL, 1)} and publishes the cell with a volatile store
 * (release, and a full fence before the caller reads {@code AWAKE_WORKERS}). A worker reads the cell at
 * {@code QUEUE_HEAD} with acquire; if it is published for that position, it claims it with
 * {@code compareAndSet(QUEUE_HEAD, position, position + 1)}.
 *
 * <p>Why a producer never waits for its cell to be free: each published cell names a distinct slot the client
 * owns until completion, so at most {@code slotCount} = capacity positions are claimed and not consumed. When a
 * producer claims position p, position p - capacity was therefore already consumed, and a worker reads a cell
 * before it moves the head past it.
 *
 * <p>The consumer side trusts nothing: a cell is only taken for the exact position expected, its slot index is
 * range-checked, and a corrupt cell (from a future lap) reads as empty instead of spinning.
 */
public final class SubmitQueue {

    /** {@link #poll()} found nothing published. */
    public static final int EMPTY = -1;
    /** {@link #poll()} consumed a cell whose slot index is out of range; the entry is dropped. */
    public static final int INVALID = -2;

    private static final int INDEX_BITS = 16;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;

    private final RingSegment segment;
    private final long cellsOffset;
    private final long mask;
    private final int slotCount;
    /** The head as a sole consumer keeps it ({@link #pollAlone()}); -1 until first read from the segment. */
    private long soleHead = -1;

    /** A view of the queue of {@code segment}, whose geometry the caller has validated. */
    public SubmitQueue(RingSegment segment, RingGeometry geometry) {
        this.segment = segment;
        this.cellsOffset = geometry.queueOffset();
        this.mask = geometry.queueCapacity() - 1;
        this.slotCount = geometry.slotCount();
    }

    /** Writes the initial "empty" cells; only the creator calls this, before publishing the header. */
    public void format() {
        for (long position = 0; position <= mask; position++) {
            segment.setLongPlain(cellOffset(position), position << INDEX_BITS);
        }
    }

    /**
     * Client side: queues {@code slotIndex}. The volatile store is the release that makes the slot's contents
     * visible to the worker that takes it, and the full fence that orders it before the caller's read of
     * {@code AWAKE_WORKERS} (the other half of that handshake is in {@code ServerWorker.sleep}).
     */
    public void offer(int slotIndex) {
        long position = segment.getAndAddLong(QUEUE_TAIL_OFFSET, 1);
        segment.setLongVolatile(cellOffset(position), ((position + 1) << INDEX_BITS) | slotIndex);
    }

    /**
     * Server side: takes the next slot index, or returns {@link #EMPTY} or {@link #INVALID}. Never blocks or
     * spins on what a client wrote.
     */
    public int poll() {
        long position = segment.getLongVolatile(QUEUE_HEAD_OFFSET);
        while (true) {
            long cell = segment.getLongAcquire(cellOffset(position));
            long lap = lapDifference(cell, position);
            if (lap == 0) {
                if (segment.compareAndSetLong(QUEUE_HEAD_OFFSET, position, position + 1)) {
                    long index = cell & INDEX_MASK;
                    return index < slotCount ? (int) index : INVALID;
                }
                position = segment.getLongVolatile(QUEUE_HEAD_OFFSET);
            } else if (lap < 0) {
                return EMPTY;
            } else {
                // Another worker moved the head on, or the client wrote a cell from the future: re-read once,
                // and treat an unchanged head as empty so that a corrupt cell cannot make a worker spin.
                long head = segment.getLongVolatile(QUEUE_HEAD_OFFSET);
                if (head == position) {
                    return EMPTY;
                }
                position = head;
            }
        }
    }

    /**
     * Server side, for a sole worker (the only consumer of this queue): like {@link #poll()} without the
     * compare-and-set on the head. The head is kept in this object and stored plainly for readers of figures;
     * producers never read it. Saves a locked instruction per call.
     */
    public int pollAlone() {
        if (soleHead < 0) {
            soleHead = segment.getLongVolatile(QUEUE_HEAD_OFFSET);
        }
        long cell = segment.getLongAcquire(cellOffset(soleHead));
        if (lapDifference(cell, soleHead) != 0) {
            return EMPTY; // not yet published, or corrupt: either way nothing to take
        }
        soleHead++;
        segment.setLongPlain(QUEUE_HEAD_OFFSET, soleHead);
        long index = cell & INDEX_MASK;
        return index < slotCount ? (int) index : INVALID;
    }

    /** Server side: whether a cell is published at the head (a hint: another worker may take it first). */
    public boolean hasPublished() {
        long position = segment.getLongVolatile(QUEUE_HEAD_OFFSET);
        return lapDifference(segment.getLongAcquire(cellOffset(position)), position) == 0;
    }

    /**
     * How far the cell's published position is from {@code position}, as a signed 48-bit difference: 0 published
     * for this position, negative not yet published, positive from a later lap (or corrupt).
     */
    static long lapDifference(long cell, long position) {
        return (((cell >>> INDEX_BITS) - 1 - position) << INDEX_BITS) >> INDEX_BITS;
    }

    private long cellOffset(long position) {
        return cellsOffset + (position & mask) * 8;
    }
}
