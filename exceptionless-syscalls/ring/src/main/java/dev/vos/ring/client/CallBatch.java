package dev.vos.ring.client;

import dev.vos.ring.DomainFailedException;

/**
 * Several call slots held together, to put many calls in flight with one wake-up: queue a call in each slot
 * ({@link #queueing(int)}), {@link #submit()} once, then {@link #await(int)} each result in any order. A domain
 * whose worker finds them queued together may execute them in one trap (the storage domain's io_uring batch).
 * Obtained from {@link CallSource#acquireBatch(int)}; used by one thread; {@link #close()} waits for every call
 * still in flight before the slots go back, since a worker may still be writing into their payload chunks.
 *
 * <pre>{@code
 * try (CallBatch batch = ring.acquireBatch(4)) {
 *     for (int i = 0; i < 4; i++) {
 *         Pread.call(batch.queueing(i), fd, batch.slot(i).dataOffset(), chunk, at + i * chunk);
 *     }
 *     batch.submit();
 *     for (int i = 0; i < 4; i++) {
 *         long n = batch.await(i);   // then copy out of batch.slot(i).data()
 *     }
 * }
 * }</pre>
 * The calls of one batch are concurrent, as calls from as many threads would be: the domain keeps no order between
 * them unless it states one (the storage domain orders them per descriptor; see docs/storage.md).
 */
public final class CallBatch implements AutoCloseable {

    private final RingClient ring;
    private final CallSlot[] slots;
    private final int[] callNumbers;
    private boolean closed;

    CallBatch(RingClient ring, CallSlot[] slots) {
        this.ring = ring;
        this.slots = slots;
        this.callNumbers = new int[slots.length];
    }

    /** How many slots the batch holds. */
    public int size() {
        return slots.length;
    }

    /** Slot {@code i}: its payload chunk ({@link CallSlot#data()}) and that chunk's offset for the call's arguments. */
    public CallSlot slot(int i) {
        return slots[i];
    }

    /**
     * A {@link Caller} that queues its call in slot {@code i} instead of running it: its {@code call} returns 0 at
     * once, and the result comes from {@link #await(int)} after {@link #submit()}. For a protocol's encoders, so
     * that a batched call's arguments are written by the same one method as a single call's.
     */
    public Caller queueing(int i) {
        return (callNumber, a0, a1, a2, a3, a4, a5) -> {
            slots[i].start(callNumber, a0, a1, a2, a3, a4, a5);
            callNumbers[i] = callNumber;
            return 0;
        };
    }

    /** Wakes a worker if none is awake: once for every call queued since the last submit. */
    public void submit() {
        ring.wakeIfIdle();
    }

    /**
     * The result of the call queued in slot {@code i} (a value, or {@code -errno}), waiting for it with the ring's
     * {@link WaitStrategy}.
     *
     * @throws IllegalStateException if no call is in flight in that slot
     * @throws DomainFailedException if the domain failed, hung or stopped before the call completed
     */
    public long await(int i) throws DomainFailedException {
        if (!slots[i].inFlight()) {
            throw new IllegalStateException("slot " + i + " of the batch has no call in flight");
        }
        return slots[i].finish(callNumbers[i]);
    }

    /** Waits for every call still in flight (their results and failures unread), then returns the slots. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ring.wakeIfIdle(); // a caller that queued without submitting must not wait here forever
        for (int i = 0; i < slots.length; i++) {
            if (slots[i].inFlight()) {
                try {
                    slots[i].finish(callNumbers[i]);
                } catch (DomainFailedException e) {
                    // the slot is abandoned (never reused); the caller has its own failure to report
                }
            }
            slots[i].close();
        }
    }
}
