package dev.vos.ring.server;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The numbering rule: per-session nonce, serials never reused while the session lasts, lookups that forge nothing. */
class SessionNumbersTest {

    private static final int NONCE = 0x1234_5678;

    private static long n(long serial) {
        return (long) NONCE << 32 | serial;
    }

    @Test
    void serialsCountUpFromThree_andARemovedOneIsNotReused() {
        SessionNumbers<String> numbers = new SessionNumbers<>(NONCE, 8);
        assertEquals(n(3), numbers.add("a"));
        assertEquals(n(4), numbers.add("b"));
        assertEquals("a", numbers.remove(n(3)));
        assertNull(numbers.get(n(3)));
        assertEquals(n(5), numbers.add("c"));
        assertEquals("b", numbers.get(n(4)));
        assertEquals(List.of(n(4), n(5)), numbers.numbers());
    }

    @Test
    void atItsCap_addRefuses_andARemovalMakesRoomUnderANewNumber() {
        SessionNumbers<Integer> numbers = new SessionNumbers<>(NONCE, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(n(3 + i), numbers.add(i));
        }
        assertTrue(numbers.full());
        assertEquals(-1, numbers.add(99));
        numbers.remove(n(4));
        assertEquals(n(6), numbers.add(99));
    }

    @Test
    void growingKeepsEveryMapping_andManyAddsAndRemovesNeverRepeatANumber() {
        SessionNumbers<Long> numbers = new SessionNumbers<>(NONCE, 1024);
        Set<Long> handedOut = new HashSet<>();
        java.util.Map<Long, Long> valueOf = new java.util.HashMap<>();
        List<Long> live = new ArrayList<>();
        for (long i = 0; i < 20_000; i++) {
            long number = numbers.add(i);
            assertTrue(handedOut.add(number), Long.toHexString(number));
            valueOf.put(number, i);
            live.add(number);
            if (live.size() > 700 || i % 3 == 0) {
                long gone = live.remove((int) (i * 7919 % live.size()));
                assertNotNull(numbers.remove(gone));
                assertNull(numbers.get(gone));
            }
        }
        for (long number : live) {
            assertEquals(valueOf.get(number), numbers.get(number), "each number still names its value");
        }
        assertEquals(live.size(), numbers.size());
    }

    @Test
    void foreignAndForgedNumbers_nameNothing() {
        SessionNumbers<String> numbers = new SessionNumbers<>(NONCE, 8);
        numbers.add("a");
        long[] foreign = {-1, 0, 1, 2, 3, n(0), n(2), n(4), n(3 + 16), (long) (NONCE ^ 1) << 32 | 3,
            (long) NONCE << 33 | 3, n(3) | Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, n(0xFFFF_FFFFL)};
        for (long x : foreign) {
            assertNull(numbers.get(x), Long.toHexString(x));
            assertNull(numbers.remove(x), Long.toHexString(x));
        }
        assertEquals("a", numbers.get(n(3)));
    }

    @Test
    void pastTheLastSerial_theCountWrapsOverTheLowThree_andSkipsLiveOnes() throws Exception {
        SessionNumbers<String> numbers = new SessionNumbers<>(NONCE, 8);
        long kept = numbers.add("kept"); // serial 3, still mapped at the wrap
        java.lang.reflect.Field next = SessionNumbers.class.getDeclaredField("next");
        next.setAccessible(true);
        next.setInt(numbers, -2); // 0xFFFF_FFFE: two serials before the wrap
        assertEquals(n(0xFFFF_FFFEL), numbers.add("x"));
        assertEquals(n(0xFFFF_FFFFL), numbers.add("y"));
        assertEquals(n(4), numbers.add("z"), "0, 1 and 2 are never serials, and 3 is still mapped");
        assertEquals("kept", numbers.get(kept));
    }

    @Test
    void everySessionGetsARandomNonZeroNonce() {
        Set<Long> nonces = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            long number = new SessionNumbers<String>(4).add("x");
            assertTrue(number > 0);
            assertNotEquals(0, number >>> 32);
            nonces.add(number >>> 32);
        }
        assertTrue(nonces.size() > 60, nonces.size() + " of 64");
        assertThrows(IllegalArgumentException.class, () -> new SessionNumbers<String>(0, 4));
        assertThrows(IllegalArgumentException.class, () -> new SessionNumbers<String>(-1, 4));
        assertThrows(IllegalArgumentException.class, () -> new SessionNumbers<String>(1, 0));
    }

    @Test
    void clearHandsBackEverything() {
        SessionNumbers<String> numbers = new SessionNumbers<>(NONCE, 8);
        numbers.add("a");
        numbers.add("b");
        assertEquals(Set.of("a", "b"), new HashSet<>(numbers.clear()));
        assertEquals(0, numbers.size());
        assertNull(numbers.get(n(3)));
    }
}
