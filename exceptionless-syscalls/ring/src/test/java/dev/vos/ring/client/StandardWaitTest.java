package dev.vos.ring.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link WaitStrategy#standard(Duration)}: given a longer spin for platform threads, a platform thread spins through a
 * call the domain answers in tens of microseconds instead of parking and waiting for its CPU again; a virtual thread
 * keeps its short spin; a call the domain marks waiting for an outside event parks at once whatever the budget. And
 * the property that sets it ({@link WaitStrategy#platformSpin}) takes whole microseconds in range, or says why not.
 */
class StandardWaitTest {

    /** Trials per case: the platform case is timed, and one trial may lose its CPU on a busy machine. */
    private static final int TRIALS = 20;

    /** A call done {@code afterNs} after it was made; counts the parks, and a park waits until it is done. */
    private static final class TimedCall implements PendingCall {
        private final long madeAt = System.nanoTime();
        private final long doneAt;
        private final boolean waitingForEvent;
        private final AtomicInteger parks;
        /** Looks at the call ({@link #isDone}) so far, and how many came before the park (-1: none). */
        private int looks;
        private int looksBeforePark = -1;

        TimedCall(long afterNs, boolean waitingForEvent, AtomicInteger parks) {
            this.doneAt = madeAt + afterNs;
            this.waitingForEvent = waitingForEvent;
            this.parks = parks;
        }

        @Override
        public boolean isDone() {
            looks++;
            return System.nanoTime() - doneAt >= 0;
        }

        @Override
        public boolean isWaitingForEvent() {
            return waitingForEvent;
        }

        @Override
        public void parkUntilDone() {
            looksBeforePark = looks;
            parks.incrementAndGet();
            while (!isDone()) {
                LockSupport.parkNanos(10_000);
            }
        }
    }

    private static final Duration LONG_SPIN = Duration.ofNanos(150_000);

    @Test
    void thePlatformSpin_isTheVirtualOnesUnlessTheProperty_saysWholeMicrosecondsInRange() {
        assertEquals(WaitStrategy.STANDARD_SPIN, WaitStrategy.platformSpin(null));
        assertEquals(LONG_SPIN, WaitStrategy.platformSpin("150"));
        assertEquals(Duration.ZERO, WaitStrategy.platformSpin(" 0 "));
        assertEquals(Duration.ofMillis(100), WaitStrategy.platformSpin("100000"));
        for (String bad : new String[] {"-1", "100001", "1.5", "150us", "", "9223372036854775807"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WaitStrategy.platformSpin(bad), bad);
            assertTrue(e.getMessage().startsWith(WaitStrategy.PLATFORM_SPIN_PROPERTY + "=" + bad + ":"),
                    e.getMessage());
        }
    }

    @Test
    void aPlatformThread_spinsThroughACallOf60us_givenTheLongerSpin_andParksWithoutIt() {
        AtomicInteger longParks = new AtomicInteger();
        AtomicInteger standardParks = new AtomicInteger();
        for (int i = 0; i < TRIALS; i++) {
            WaitStrategy.standard(LONG_SPIN).await(new TimedCall(60_000, false, longParks));
            WaitStrategy.standard(WaitStrategy.STANDARD_SPIN).await(new TimedCall(60_000, false, standardParks));
        }
        assertTrue(longParks.get() <= TRIALS / 4, longParks.get() + " of " + TRIALS
                + " waits parked within a 150 us spin");
        assertTrue(standardParks.get() >= TRIALS - TRIALS / 4, "only " + standardParks.get() + " of " + TRIALS
                + " waits parked after the standard 20 us spin");
    }

    @Test
    void aVirtualThread_parksOnACallOf20ms() throws Exception {
        AtomicInteger parks = new AtomicInteger();
        Thread.ofVirtual().start(() -> {
            for (int i = 0; i < TRIALS / 2; i++) {
                WaitStrategy.standard(LONG_SPIN).await(new TimedCall(20_000_000, false, parks));
            }
        }).join();
        // A virtual thread reads the clock once in 32 yields: on a busy machine those can outlast a whole call, which
        // then ends without a park. A spin as long as the call's would park in none.
        assertTrue(parks.get() >= TRIALS / 2 - 2, "only " + parks.get() + " of " + TRIALS / 2
                + " waits parked: a virtual thread spins 20 us whatever a platform thread's spin, then parks");
    }

    @Test
    void aCallWaitingForAnOutsideEvent_parksAtOnce_evenOnAPlatformThread() {
        // Counted, not timed: a platform thread looks at the WAITING mark with the clock, every 64 rounds, so it
        // parks after at most 65 looks at the call, where spinning out a 150 us budget takes thousands. (A timed
        // version failed in CI: on a machine busy with a build, half the waits lost their CPU for more than 75 us.)
        AtomicInteger parks = new AtomicInteger();
        for (int i = 0; i < TRIALS / 2; i++) {
            TimedCall call = new TimedCall(20_000_000, true, parks);
            WaitStrategy.standard(LONG_SPIN).await(call);
            assertTrue(call.looksBeforePark >= 1 && call.looksBeforePark <= 65, "a call marked waiting was looked at "
                    + call.looksBeforePark + " times before the park (-1: it never parked); at most 65 expected");
        }
        assertEquals(TRIALS / 2, parks.get(), "every wait parked");
    }
}
