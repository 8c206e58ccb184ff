package dev.vos.ring.client;

import dev.vos.ring.DomainFailedException;

/**
 * Anything that hands out call slots of a domain: a {@link RingClient} (one generation) or a client that follows a
 * domain across generations. Code that makes calls depends on this, not on how the slots are bound.
 */
public interface CallSource extends Caller {

    /** Takes a free call slot, parking while all are in use; release it with {@link CallSlot#close()}. */
    CallSlot acquire() throws DomainFailedException;

    /**
     * Takes {@code count} slots at once for a {@link CallBatch}: calls queued together, one wake-up, then awaited.
     * This default takes them from the ring a single {@link #acquire()} lands on (the current generation's).
     */
    default CallBatch acquireBatch(int count) throws DomainFailedException {
        RingClient ring;
        try (CallSlot probe = acquire()) {
            ring = probe.ring();
        }
        return ring.acquireBatch(count);
    }

    /** Runs a call with no arguments on a slot of its own. */
    default long call(int callNumber) throws DomainFailedException {
        try (CallSlot slot = acquire()) {
            return slot.call(callNumber);
        }
    }

    /** Runs a call on a slot of its own; see {@link CallSlot#call(int, long, long, long, long, long, long)}. */
    @Override
    default long call(int callNumber, long a0, long a1, long a2, long a3, long a4, long a5)
            throws DomainFailedException {
        try (CallSlot slot = acquire()) {
            return slot.call(callNumber, a0, a1, a2, a3, a4, a5);
        }
    }
}
