package dev.vos.ring.client;

import java.time.Duration;

/**
 * How a calling thread waits for its call to complete. Three are provided:
 * <ul>
 *   <li>{@link #busyPoll()}: spin on the slot; lowest latency, costs a core while waiting. A virtual thread
 *       yields its carrier between rounds so that other virtual threads can submit.</li>
 *   <li>{@link #spinThenPark(Duration)}: spin for a budget, then park; the monitor unparks on completion.</li>
 *   <li>{@link #sleeping()}: park at once; least CPU, highest latency (a futex wake round trip when the
 *       monitor sleeps).</li>
 * </ul>
 */
@FunctionalInterface
public interface WaitStrategy {

    /** Returns once {@code call.isDone()}. */
    void await(PendingCall call);

    /** Spins until done. */
    static WaitStrategy busyPoll() {
        return BusyPoll.INSTANCE;
    }

    /** Spins up to {@code spin}, then parks. */
    static WaitStrategy spinThenPark(Duration spin) {
        long spinNs = spin.toNanos();
        if (spinNs < 0) {
            throw new IllegalArgumentException("spin=" + spin + ": must not be negative");
        }
        return call -> {
            if (!SpinThenPark.spin(call, spinNs)) {
                call.parkUntilDone();
            }
        };
    }

    /** Parks at once. */
    static WaitStrategy sleeping() {
        return PendingCall::parkUntilDone;
    }

    /** The busy-polling strategy. */
    final class BusyPoll implements WaitStrategy {
        static final BusyPoll INSTANCE = new BusyPoll();

        private BusyPoll() {
        }

        @Override
        public void await(PendingCall call) {
            boolean virtual = Thread.currentThread().isVirtual();
            int rounds = 0;
            while (!call.isDone()) {
                Thread.onSpinWait();
                if (virtual && (++rounds & 15) == 0) {
                    Thread.yield();
                }
            }
        }
    }

    /** The spinning half of {@link #spinThenPark(Duration)}. */
    final class SpinThenPark {
        private SpinThenPark() {
        }

        /**
         * Spins for up to {@code spinNs}; true if the call is done. A virtual thread yields its carrier every 16
         * rounds, as {@link BusyPoll} does: spinning without it holds the carrier for the whole budget, and the
         * virtual threads behind it on that carrier can neither submit their calls (which the domain would take
         * together) nor see theirs done.
         */
        static boolean spin(PendingCall call, long spinNs) {
            boolean virtual = Thread.currentThread().isVirtual();
            long start = System.nanoTime();
            int rounds = 0;
            while (!call.isDone()) {
                Thread.onSpinWait();
                if ((++rounds & 15) != 0) {
                    continue;
                }
                if (virtual) {
                    Thread.yield();
                }
                if ((rounds & 63) == 0 && (System.nanoTime() - start > spinNs || call.isWaitingForEvent())) {
                    return call.isDone();
                }
            }
            return true;
        }
    }
}
