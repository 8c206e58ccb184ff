package dev.vos.ring.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

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

    /**
     * What a domain's clients use unless they choose: {@link #spinThenPark} for {@link #STANDARD_SPIN}, a little more
     * than a call's round trip with a busy domain (a few microseconds) and far less than a wake-up costs. The storage
     * benchmarks measure the {@code vos://} file system with it, the way an application meets it. A platform thread
     * spins what {@value #PLATFORM_SPIN_PROPERTY} says instead, if it is set (see {@link #standard(Duration)}).
     *
     * @throws IllegalArgumentException if {@value #PLATFORM_SPIN_PROPERTY} is set to anything but a whole number of
     *         microseconds from 0 to {@value #MAX_PLATFORM_SPIN_MICROS}
     */
    static WaitStrategy standard() {
        return standard(platformSpin(System.getProperty(PLATFORM_SPIN_PROPERTY)));
    }

    /**
     * {@link #standard()} with a platform thread's spin of {@code platformSpin}; a virtual thread's stays
     * {@link #STANDARD_SPIN}, since its spin yields its carrier to the others on it.
     *
     * <p>Why a longer one may pay: a platform thread that parks is woken by a futex and then waits for its CPU,
     * behind every other runnable thread there. The JDK's HttpServer through net0 with its threads and wrk on CPU 0,
     * net0's worker alone on CPU 1, slept on its slot through each accept and each pollset over a thousand sockets
     * (0.05-0.14 ms each, seen from the client), and its listen queue overflowed; spinning 150 us, it did not (at
     * 64 connections: the same requests/s in two pairs of runs, 16-62 % more in four others). But a thread that
     * spins on the polling worker's own CPU keeps that CPU from the worker that would answer it: unpinned, the same
     * server served 9-19 % fewer (docs/network.md, 2026-12-06). So the default stays the virtual thread's, and a
     * longer spin is for applications kept off the domain's CPUs.
     */
    static WaitStrategy standard(Duration platformSpin) {
        WaitStrategy platform = spinThenPark(platformSpin);
        WaitStrategy virtual = spinThenPark(STANDARD_SPIN);
        return call -> (Thread.currentThread().isVirtual() ? virtual : platform).await(call);
    }

    /** The spin of {@link #standard()}: a virtual thread's, and a platform thread's by default. */
    Duration STANDARD_SPIN = Duration.ofNanos(20_000);

    /** The system property that sets a platform thread's spin in {@link #standard()}, in microseconds. */
    String PLATFORM_SPIN_PROPERTY = "vos.ring.platformSpinMicros";

    /** The largest {@value #PLATFORM_SPIN_PROPERTY}: 0.1 s, far beyond any wake-up it would spare. */
    long MAX_PLATFORM_SPIN_MICROS = 100_000;

    /**
     * A platform thread's spin as {@value #PLATFORM_SPIN_PROPERTY} gives it ({@code value}, null when unset:
     * {@link #STANDARD_SPIN}).
     *
     * @throws IllegalArgumentException naming the property, for anything but whole microseconds in range
     */
    static Duration platformSpin(String value) {
        if (value == null) {
            return STANDARD_SPIN;
        }
        long micros;
        try {
            micros = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            micros = -1;
        }
        if (micros < 0 || micros > MAX_PLATFORM_SPIN_MICROS) {
            throw new IllegalArgumentException(PLATFORM_SPIN_PROPERTY + "=" + value
                    + ": a whole number of microseconds from 0 to " + MAX_PLATFORM_SPIN_MICROS);
        }
        return Duration.ofNanos(micros * 1_000);
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
                    VirtualYield.yieldOrPark(call);
                }
            }
        }
    }

    /** The spinning half of {@link #spinThenPark(Duration)}. */
    final class SpinThenPark {
        private SpinThenPark() {
        }

        /**
         * Rounds between a virtual thread's yields, less one (a mask): 2. Every round it spins, the virtual threads
         * queued behind it on its carrier can neither submit their calls (which the domain would take together) nor
         * see theirs done. See {@link #spin} for what it changed.
         */
        private static final int VIRTUAL_ROUNDS_MASK = 1;

        /**
         * Rounds between looks at the clock, less one (a mask): 64, so every 32 yields of a virtual thread; a
         * platform thread, with no carrier to yield, goes through the checks only then.
         */
        private static final int CLOCK_ROUNDS_MASK = 63;

        /**
         * Spins for up to {@code spinNs}; true if the call is done. A virtual thread yields its carrier every
         * {@link #VIRTUAL_ROUNDS_MASK} + 1 rounds: spinning without it holds the carrier for the whole budget. The
         * budget is read every 64 rounds, which for a virtual thread is 32 yields: behind 63 others on its carrier
         * one yield can outlast the whole budget, so a virtual thread parks later than the budget says, and a
         * thread that parks costs the monitor an unpark. At 64 storage readers on one carrier, yielding every 2
         * rounds (and so reading the clock every 32 yields) rather than every 16 (every 4) made 1.23-1.35x the reads
         * a second in 3 interleaved sets; reading the clock at every yield instead gave back the gain and parked
         * (p99 2.9-3.0 ms against 0.14-0.17 ms; docs/storage.md, 2026-12-05 19:26-19:45). A call the domain marks
         * waiting for an outside event parks at its next yield, without waiting for the clock: its answer may be
         * seconds away. It does not park at random as {@link VirtualYield} does: the budget bounds its yields, and at
         * 64 storage clients the random parks gave p99.9 of 12.2-12.7 ms against 1.1-2.5 ms without (2026-12-05).
         * It stops early when the ring's monitor drains the carrier.
         */
        static boolean spin(PendingCall call, long spinNs) {
            boolean virtual = Thread.currentThread().isVirtual();
            int mask = virtual ? VIRTUAL_ROUNDS_MASK : CLOCK_ROUNDS_MASK;
            long start = System.nanoTime();
            int rounds = 0;
            while (!call.isDone()) {
                Thread.onSpinWait();
                if ((++rounds & mask) != 0) {
                    continue;
                }
                if (virtual) {
                    if (call.parkToDrainCarrier() || call.isWaitingForEvent()) {
                        return call.isDone();
                    }
                    Thread.yield();
                }
                if ((rounds & CLOCK_ROUNDS_MASK) == 0
                        && (System.nanoTime() - start > spinNs || call.isWaitingForEvent())) {
                    return call.isDone();
                }
            }
            return true;
        }
    }

    /**
     * How a waiting virtual thread lets the others on its carrier run: it yields, and about one time in
     * {@link #PARK_ONE_IN} it parks instead until its call is done (the client's monitor unparks it).
     *
     * <p>Why not only yield: the JDK's scheduler (a {@code ForkJoinPool}) puts a virtual thread that yields with an
     * empty local queue on an external queue, and a worker takes from the queue it last took from for as long as that
     * has tasks. A thread that keeps yielding can so keep its carrier to itself while virtual threads queued
     * elsewhere (started or unparked by a platform thread) never run. Seen in the storage benchmark: 64 clients on
     * one carrier, 63 of them never started for seconds, and the run measured one client. A park takes the thread
     * out of every queue; the worker then looks at the others. Random parks alone do not always empty that queue, so
     * the ring's monitor also drains a carrier that starves a thread it unparked
     * ({@link PendingCall#parkToDrainCarrier}).
     */
    final class VirtualYield {
        /** One yield in this many (at random, so no thread keeps a count) is a park. */
        static final int PARK_ONE_IN = 256;

        private VirtualYield() {
        }

        static void yieldOrPark(PendingCall call) {
            if (call.parkToDrainCarrier() || ThreadLocalRandom.current().nextInt(PARK_ONE_IN) == 0) {
                call.parkUntilDone();
            } else {
                Thread.yield();
            }
        }
    }
}
