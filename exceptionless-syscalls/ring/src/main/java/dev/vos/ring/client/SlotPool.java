package dev.vos.ring.client;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's free slots: a lock-free LIFO stack of slot indices in this process's heap (only this client hands
 * out its slots, so nothing about it lives in the shared segment). LIFO, so that a thread that calls in a loop
 * keeps reusing a slot whose cache line is already warm. The top word carries a tag against ABA:
 * {@code tag << 32 | (index + 1)}, 0 meaning empty.
 */
final class SlotPool {

    private final AtomicLong top = new AtomicLong();
    private final AtomicIntegerArray next;

    SlotPool(int slotCount) {
        next = new AtomicIntegerArray(slotCount);
        for (int i = slotCount - 1; i >= 0; i--) {
            push(i);
        }
    }

    /** Takes a free slot index, or returns -1 when none is free. */
    int pop() {
        while (true) {
            long t = top.get();
            int index = (int) t - 1;
            if (index < 0) {
                return -1;
            }
            long replacement = ((t >>> 32) + 1) << 32 | (next.get(index) & 0xFFFFFFFFL);
            if (top.compareAndSet(t, replacement)) {
                return index;
            }
        }
    }

    /** Returns slot {@code index} to the pool. */
    void push(int index) {
        while (true) {
            long t = top.get();
            next.set(index, (int) t);
            if (top.compareAndSet(t, ((t >>> 32) + 1) << 32 | (index + 1))) {
                return;
            }
        }
    }
}
