package dev.vos.storage.domain;

import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The table's numbering, its per-session nonce and its pins, with a recording closer instead of real descriptors. */
class DescriptorTableTest {

    private static final int NONCE = 0x2345_6789;

    private final List<Integer> closed = new ArrayList<>();
    private final DescriptorTable table = new DescriptorTable(NONCE, closed::add);

    /** The number this table hands out for index {@code i}. */
    private static long n(int i) {
        return (long) NONCE << 32 | i;
    }

    @Test
    void numbersStartAtThree_andAClosedOneIsNotHandedOutAgain() {
        assertEquals(n(3), table.add(100, false));
        assertEquals(n(4), table.add(101, false));
        assertEquals(n(5), table.add(102, false));
        assertEquals(0, table.remove(n(3)));
        assertEquals(0, table.remove(n(4)));
        assertEquals(List.of(100, 101), closed);
        assertEquals(n(6), table.add(103, false), "not 3: a pread of 3 still on its way would read this file");
        assertEquals(n(7), table.add(104, false));
        assertNull(table.acquire(n(3)));
        assertEquals(3, table.size());
    }

    @Test
    void unknownNumbers_areEbadf() {
        table.add(100, false);
        long[] foreign = {-1, 0, 1, 2, 3, 4, n(4), n(2), (long) NONCE << 32 | 0xFFFF_FFFFL, Integer.MAX_VALUE + 3L,
            Long.MIN_VALUE, Long.MAX_VALUE, (long) (NONCE ^ 1) << 32 | 3, (long) NONCE << 33 | 3,
            n(3) | Long.MIN_VALUE};
        for (long x : foreign) {
            assertNull(table.acquire(x), "acquire " + Long.toHexString(x));
            assertEquals(-Errno.EBADF, table.remove(x), "remove " + Long.toHexString(x));
        }
        assertEquals(0, table.remove(n(3)));
        assertEquals(-Errno.EBADF, table.remove(n(3)), "closed twice");
        assertNull(table.acquire(n(3)));
    }

    @Test
    void aNumberOfAnotherSession_withTheSameIndex_isEbadf_andClosesNothing() {
        DescriptorTable other = new DescriptorTable(NONCE + 1, closed::add);
        long mine = table.add(100, false);
        long theirs = other.add(200, false);
        assertEquals(mine & 0xFFFF_FFFFL, theirs & 0xFFFF_FFFFL, "both sessions' first descriptor has index 3");
        assertNotEquals(mine, theirs);
        assertNull(other.acquire(mine), "a stale number sent on another session names nothing there");
        assertEquals(-Errno.EBADF, other.remove(mine));
        assertEquals(List.of(), closed, "and closes nothing there");
        assertEquals(200, other.acquire(theirs).kernelFd());
    }

    @Test
    void everySessionGetsARandomNonZeroNonce_andPositiveNumbers() {
        Set<Long> nonces = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            long number = new DescriptorTable(closed::add).add(100 + i, false);
            assertTrue(number > 0, Long.toHexString(number));
            assertEquals(DescriptorTable.FIRST, number & 0xFFFF_FFFFL);
            assertNotEquals(0, number >>> 32, "a nonce of 0 would make the small numbers of old valid again");
            nonces.add(number >>> 32);
        }
        assertTrue(nonces.size() > 60, "nonces repeat too often to mean anything: " + nonces.size() + " of 64");
    }

    @Test
    void aNonceOutside31Bits_orZero_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DescriptorTable(0, closed::add));
        assertThrows(IllegalArgumentException.class, () -> new DescriptorTable(-1, closed::add));
    }

    @Test
    void theTableRemembersWhichDescriptorsAreAppends() {
        long plain = table.add(100, false);
        long append = table.add(101, true);
        assertFalse(table.acquire(plain).append());
        assertTrue(table.acquire(append).append());
    }

    @Test
    void aPinnedDescriptor_closesWhenItsLastCallEnds() {
        table.add(100, false);
        DescriptorTable.Entry first = table.acquire(n(3));
        DescriptorTable.Entry second = table.acquire(n(3));
        assertEquals(0, table.remove(n(3)));
        assertNull(table.acquire(n(3)), "unmapped at once");
        assertEquals(n(4), table.add(200, false), "a new number at once");
        assertEquals(List.of(), closed, "but the kernel descriptor is still in use");
        table.release(first);
        assertEquals(List.of(), closed);
        table.release(second);
        assertEquals(List.of(100), closed);
    }

    @Test
    void aSessionHoldsAtMostItsShare_thenEmfile() {
        for (int i = 0; i < DescriptorTable.MAX_PER_SESSION; i++) {
            assertEquals(n(DescriptorTable.FIRST + i), table.add(1000 + i, false));
        }
        assertEquals(-Errno.EMFILE, table.add(5000, false));
        assertEquals(List.of(5000), closed, "the refused descriptor is closed, not leaked");
        assertEquals(0, table.remove(n(DescriptorTable.FIRST + 10)));
        assertEquals(n(DescriptorTable.FIRST + DescriptorTable.MAX_PER_SESSION), table.add(5001, false),
                "room for one more, under a new number");
    }

    @Test
    void closingTheTable_closesEverything_andRefusesNewDescriptors() {
        table.add(100, false);
        table.add(101, false);
        DescriptorTable.Entry pinned = table.acquire(n(4));
        table.close();
        assertEquals(List.of(100), closed);
        table.release(pinned);
        assertEquals(List.of(100, 101), closed);
        assertEquals(-Errno.EBADF, table.add(102, false), "an open that finishes after the session ended");
        assertEquals(List.of(100, 101, 102), closed, "its descriptor is not leaked");
        assertNull(table.acquire(n(3)));
        table.close();
        assertEquals(3, closed.size(), "closing twice closes nothing twice");
    }
}
