package dev.vos.ring.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The monitor's registry of parked callers, stepped by hand through the interleaving that once left a caller parked
 * for good on a healthy ring: the monitor reads a registration, loses its CPU, and removes it after the caller has
 * left and parked again on the same slot.
 */
class ParkedCallersTest {

    private final Thread caller = Thread.currentThread();

    @Test
    void monitorsStaleRemoval_afterTheCallerParkedAgainOnTheSameSlot_leavesTheNewWaitRegistered() {
        ParkedCallers callers = new ParkedCallers(4);
        ParkedCallers.Parked first = new ParkedCallers.Parked(null, 11, caller);
        callers.add(2, first);

        ParkedCallers.Parked seen = callers.get(2); // the monitor reads it, judges it done, and is preempted
        assertTrue(callers.remove(2, first)); // the caller saw its call done itself and left
        ParkedCallers.Parked next = new ParkedCallers.Parked(null, 12, caller); // its next call, same slot
        callers.add(2, next);

        assertFalse(callers.remove(2, seen), "the monitor's removal of the old wait took the new one");
        assertSame(next, callers.get(2));
        assertEquals(1, callers.count());
    }

    @Test
    void aRegistrationIsRemovedOnce_byWhicheverSideComesFirst() {
        ParkedCallers callers = new ParkedCallers(4);
        ParkedCallers.Parked parked = new ParkedCallers.Parked(null, 7, caller);
        callers.add(0, parked);
        assertTrue(callers.remove(0, parked), "the monitor's removal");
        assertFalse(callers.remove(0, parked), "the caller's, after it");
        assertNull(callers.get(0));
        assertEquals(0, callers.count());
    }

    @Test
    void onlyTheFirstCallerToParkOnAnIdleRing_wakesTheMonitor() {
        ParkedCallers callers = new ParkedCallers(4);
        assertTrue(callers.add(0, new ParkedCallers.Parked(null, 1, caller)));
        assertFalse(callers.add(1, new ParkedCallers.Parked(null, 2, caller)));
        assertEquals(2, callers.count());
    }
}
