package dev.vos.ring.client;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The callers parked on one ring, at most one per slot, for the client's monitor to unpark: one {@link Parked}
 * registration per park, never the slot itself.
 *
 * <p>Why a registration per park: the monitor reads an entry, judges it done, then removes it with a
 * compare-and-set. Between the read and the set the monitor may lose its CPU for a while; meanwhile the caller can
 * see its call done by itself, leave, start its next call on the same slot and park again. Were the entry the slot,
 * the monitor's stale compare-and-set would succeed on the new wait and remove it, and the caller would sleep with
 * no one to wake it (once seen in CI: a standby's warm-up parked for good on a healthy ring). A new object per park
 * makes the stale set fail.
 */
final class ParkedCallers {

    /** One caller parked on one call: the slot, the control word that call completes with, and the thread. */
    static final class Parked {
        private final CallSlot slot;
        private final long expected;
        private final Thread thread;
        /** When the monitor unparked this caller (monitor only). */
        long unparkedAtNs;
        /** Set by the caller once it runs again after the park: the monitor's sign that the scheduler ran it. */
        private volatile boolean running;

        Parked(CallSlot slot, long expected, Thread thread) {
            this.slot = slot;
            this.expected = expected;
            this.thread = thread;
        }

        CallSlot slot() {
            return slot;
        }

        Thread thread() {
            return thread;
        }

        void markRunning() {
            running = true; // volatile: read by the monitor
        }

        boolean isRunning() {
            return running;
        }

        /** Whether this call completed, or the ring failed. */
        boolean isDone() {
            return slot.isDone(expected);
        }

        /** Whether the domain marked this call as waiting for an outside event. */
        boolean isWaitingForEvent() {
            return slot.isWaitingForEvent(expected);
        }
    }

    private final AtomicReferenceArray<Parked> entries;
    private final AtomicInteger count = new AtomicInteger();

    ParkedCallers(int slotCount) {
        this.entries = new AtomicReferenceArray<>(slotCount);
    }

    /** Registers {@code parked} at {@code index}; true if no caller was registered on this ring before. */
    boolean add(int index, Parked parked) {
        Parked before = entries.getAndSet(index, parked);
        return before == null && count.getAndIncrement() == 0;
    }

    /**
     * Removes {@code parked} if it is still the registration at {@code index}: the caller's own removal when it saw
     * its call done first, and the monitor's after it judged the one it {@linkplain #get read} done. True if this
     * call removed it (for the monitor: the thread is its to unpark).
     */
    boolean remove(int index, Parked parked) {
        if (entries.compareAndSet(index, parked, null)) {
            count.decrementAndGet();
            return true;
        }
        return false;
    }

    /** The registration at {@code index}, or null. */
    Parked get(int index) {
        return entries.get(index);
    }

    /** How many slots there are room for. */
    int length() {
        return entries.length();
    }

    /** Callers registered now. */
    int count() {
        return count.get();
    }
}
