package dev.vos.storage.domain;

import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The table's numbering and its pins, with a recording closer instead of real descriptors. */
class DescriptorTableTest {

    private final List<Integer> closed = new ArrayList<>();
    private final DescriptorTable table = new DescriptorTable(closed::add);

    @Test
    void numbersStartAtThree_andTheLowestFreeIsReused() {
        assertEquals(3, table.add(100));
        assertEquals(4, table.add(101));
        assertEquals(5, table.add(102));
        assertEquals(0, table.remove(3));
        assertEquals(0, table.remove(4));
        assertEquals(List.of(100, 101), closed);
        assertEquals(3, table.add(103));
        assertEquals(4, table.add(104));
        assertEquals(6, table.add(105));
        assertEquals(4, table.size());
    }

    @Test
    void unknownNumbers_areEbadf() {
        table.add(100);
        for (long n : new long[] {-1, 0, 1, 2, 4, Integer.MAX_VALUE + 3L, Long.MIN_VALUE, Long.MAX_VALUE}) {
            assertNull(table.acquire(n), "acquire " + n);
            assertEquals(-Errno.EBADF, table.remove(n), "remove " + n);
        }
        assertEquals(0, table.remove(3));
        assertEquals(-Errno.EBADF, table.remove(3), "closed twice");
        assertNull(table.acquire(3));
    }

    @Test
    void aPinnedDescriptor_closesWhenItsLastCallEnds() {
        table.add(100);
        DescriptorTable.Entry first = table.acquire(3);
        DescriptorTable.Entry second = table.acquire(3);
        assertEquals(0, table.remove(3));
        assertNull(table.acquire(3), "unmapped at once");
        assertEquals(3, table.add(200), "the number is free at once");
        assertEquals(List.of(), closed, "but the kernel descriptor is still in use");
        table.release(first);
        assertEquals(List.of(), closed);
        table.release(second);
        assertEquals(List.of(100), closed);
    }

    @Test
    void aSessionHoldsAtMostItsShare_thenEmfile() {
        for (int i = 0; i < DescriptorTable.MAX_PER_SESSION; i++) {
            assertEquals(DescriptorTable.FIRST + i, table.add(1000 + i));
        }
        assertEquals(-Errno.EMFILE, table.add(5000));
        assertEquals(List.of(5000), closed, "the refused descriptor is closed, not leaked");
        assertEquals(0, table.remove(DescriptorTable.FIRST + 10));
        assertEquals(DescriptorTable.FIRST + 10, table.add(5001));
    }

    @Test
    void closingTheTable_closesEverything_andRefusesNewDescriptors() {
        table.add(100);
        table.add(101);
        DescriptorTable.Entry pinned = table.acquire(4);
        table.close();
        assertEquals(List.of(100), closed);
        table.release(pinned);
        assertEquals(List.of(100, 101), closed);
        assertEquals(-Errno.EBADF, table.add(102), "an open that finishes after the session ended");
        assertEquals(List.of(100, 101, 102), closed, "its descriptor is not leaked");
        assertNull(table.acquire(3));
        table.close();
        assertEquals(3, closed.size(), "closing twice closes nothing twice");
    }
}
