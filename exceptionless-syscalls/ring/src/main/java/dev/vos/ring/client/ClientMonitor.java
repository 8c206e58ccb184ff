package dev.vos.ring.client;

import dev.vos.ring.RingFailure;
import dev.vos.ring.RingSegment;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.transport.Doorbell;
import dev.vos.ring.transport.PeerWatch;

import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

import static dev.vos.ring.layout.HeaderLayout.*;

/**
 * The client's one platform thread per ring. It does two jobs:
 * <ol>
 *   <li>Unparks callers that parked (spin-then-park and sleeping strategies) once their slot completes. While
 *       callers are parked it polls their slots for {@link #SPIN_NS}, then sleeps on the client's {@link Doorbell}
 *       with {@code CLIENT_SLEEPING} set, and a worker that completes a call rings it.</li>
 *   <li>Judges the server's liveness every {@code livenessTimeout / 10}: a server that STOPPED fails the ring; one
 *       that serves is judged by {@link HangJudge}, on its heartbeat, the stuck-worker report and, when the heartbeat
 *       is stale, what the transport's {@link PeerWatch} says (the process transport: {@code /proc}). So a call in
 *       flight on a stopped server fails within {@code 1.2 x livenessTimeout}, on one whose threads all sleep without
 *       progress or whose worker is stuck within about {@code 1.4 x}, on one that is busy but never beats within 10 x
 *       (the process transport's cap) (plus scheduling delay each), and at once when the owner calls {@code fail}.</li>
 * </ol>
 */
final class ClientMonitor implements Runnable {

    /** How long the monitor polls parked callers' slots before it sleeps on the futex. */
    static final long SPIN_NS = 50_000L;
    /**
     * A virtual caller this monitor unparked that has not run this long after is starved by the scheduler: the monitor
     * then drains its carrier ({@link #draining}). Fifteen times a round of 64 waiting threads' yields on one carrier.
     */
    static final long STARVED_NS = 1_000_000L;
    /**
     * While virtual callers yield, the monitor drains their carrier this often even when no caller it unparked
     * starves: a virtual thread started by a platform thread waits in a queue the scheduler may never look at while
     * yielding callers keep its carrier busy ({@link #checkYielding}). Its longest wait to start is this. Every
     * 50 ms cost 64 storage readers on one carrier 11-33 % of their reads and raised their p99.9 from 1.3-2.4 to 8.1
     * ms (3 interleaved pairs, 2026-12-07); every 0.5 s, nothing beyond the noise (0.93-1.12x).
     */
    static final long YIELD_DRAIN_PERIOD_NS = 500_000_000L;
    /** How long such a drain holds back unparks: a round of 64 yielding callers and as many starts, with room. */
    static final long YIELD_DRAIN_NS = 200_000L;

    private final RingClient ring;
    private final RingSegment segment;
    private final Doorbell doorbell;
    private final long periodNs;
    private final HangJudge judge;
    private final ParkedCallers parked;
    private final Thread thread;
    private volatile boolean stopped;
    /** Callers unparked; one writer, the monitor thread (volatile for readers on other threads). */
    private volatile long unparks;
    /** Virtual callers this monitor unparked, in that order, until it sees each one run again (monitor only). */
    private final ArrayDeque<ParkedCallers.Parked> unparkedVirtual = new ArrayDeque<>();
    /** True while a virtual caller this monitor unparked starves; see {@link #checkStarved}. */
    private volatile boolean draining;
    /** Times the monitor drained a carrier; one writer, the monitor thread. */
    private volatile long drains;
    /** Set by a virtual caller at a yield (only when clear), cleared by the monitor at each periodic drain. */
    private volatile boolean virtualYielded;
    /** When the last periodic drain began, and when the current one ends (0: none); the monitor thread only. */
    private long lastYieldDrainNs;
    private long yieldDrainEndsNs;
    private long lastCheckNs;

    ClientMonitor(RingClient ring, RingSegment segment, Doorbell doorbell, PeerWatch peer, RingGeometry geometry) {
        this.ring = ring;
        this.segment = segment;
        this.doorbell = doorbell;
        this.periodNs = periodNs(geometry);
        this.judge = new HangJudge(segment, peer, geometry.livenessTimeoutNs());
        this.parked = new ParkedCallers(geometry.slotCount());
        this.thread = Thread.ofPlatform().name("vos-ring-monitor").daemon().unstarted(this);
    }

    /** The monitor's period for {@code geometry}: a tenth of its liveness timeout, at least 1 ms. */
    static long periodNs(RingGeometry geometry) {
        return Math.max(1_000_000L, geometry.livenessTimeoutNs() / 10);
    }

    /** Callers this monitor unparked (written by the monitor thread only). */
    long unparks() {
        return unparks;
    }

    /**
     * Times this monitor drained its virtual callers' carrier: for a starved caller it unparked, or periodically
     * while callers yield (written by the monitor thread only).
     */
    long drains() {
        return drains;
    }

    /**
     * Whether a waiting virtual thread should park instead of yielding its carrier: while a virtual caller this
     * monitor unparked starves ({@link #checkStarved}), and for a moment every {@link #YIELD_DRAIN_PERIOD_NS} while
     * virtual callers yield ({@link #checkYielding}). Notes the yield it is asked at: one volatile load, and a store
     * and a wake of this monitor only when the note was clear.
     */
    boolean draining() {
        if (!virtualYielded) {
            virtualYielded = true;
            LockSupport.unpark(thread);
        }
        return draining;
    }

    void start() {
        thread.start();
    }

    /** Registers a caller about to park; the monitor unparks it once its call is done. */
    void watch(ParkedCallers.Parked caller) {
        if (parked.add(caller.slot().index(), caller)) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Removes {@code caller}'s registration if the monitor has not already done so (the caller saw its call done
     * before the monitor did). Without this a stale registration would keep the monitor polling, and keep
     * CLIENT_SLEEPING set, long after the caller left.
     */
    void unwatch(ParkedCallers.Parked caller) {
        caller.markRunning();
        parked.remove(caller.slot().index(), caller);
    }

    /** Callers currently registered (for tests). */
    int watchedCount() {
        return parked.count();
    }

    /**
     * Stops the monitor (after the ring failed or closed: it unparks every watched caller first). The monitor may
     * be asleep on the doorbell, which {@code LockSupport.unpark} does not interrupt: ring it from this side too, so
     * that parked callers learn of the failure at once rather than after a liveness period.
     */
    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
        doorbell.wakeHere(1);
    }

    /** Waits for the monitor thread to end after {@link #stop()}. */
    void join() {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        long idleSince = 0;
        while (!stopped) {
            checkLiveness();
            checkYielding();
            checkStarved();
            if (parked.count() == 0 && unparkedVirtual.isEmpty()) {
                LockSupport.parkNanos(this, idleSleepNs());
                continue;
            }
            int scan = scan();
            if (scan == UNPARKED) {
                idleSince = 0;
                continue;
            }
            if (scan == DEFERRED || !unparkedVirtual.isEmpty()) {
                // a caller is on its way to park, or one this monitor unparked has yet to run (checkStarved): poll
                // without sleeping, but yield, since a carrier may share this CPU: spinning here kept a caller from
                // parking, and a lone caller on a domain busy-polling the other CPU made half its calls (2026-12-05)
                Thread.yield();
                idleSince = 0;
                continue;
            }
            if (scan == ALL_WAITING) {
                sleep(); // every parked caller waits on a peer: spinning would take the CPU that peer may need
                idleSince = 0;
                continue;
            }
            Thread.onSpinWait();
            long now = System.nanoTime();
            if (idleSince == 0) {
                idleSince = now;
            } else if (now - idleSince > SPIN_NS) {
                sleep();
                idleSince = 0;
            }
        }
        unparkAllDone(); // stopped: the ring failed or closed, so every watched call is done
    }

    /**
     * Sleeps until a worker completes a call. Handshake with {@code ServerWorker.serve}: the monitor arms the
     * doorbell, sets CLIENT_SLEEPING (volatile), then re-checks the slots; a worker stores COMPLETE (volatile), then
     * reads CLIENT_SLEEPING, and rings if it was set. One of the two sees the other.
     */
    private void sleep() {
        int armed = doorbell.arm();
        segment.setIntVolatile(CLIENT_SLEEPING_OFFSET, 1);
        VarHandle.fullFence(); // StoreLoad: the flag before the slot re-check (the slots are read with acquire)
        int scan = scan();
        if (scan != UNPARKED && scan != DEFERRED && !stopped) {
            doorbell.await(armed, periodNs);
        }
        segment.setIntVolatile(CLIENT_SLEEPING_OFFSET, 0);
    }

    /** {@link #scan}: a caller was unparked. */
    private static final int UNPARKED = 1;
    /** {@link #scan}: none was, and every watched call is marked {@code WAITING} by the domain (one at least). */
    private static final int ALL_WAITING = 2;
    /** {@link #scan}: none was, and some watched call may complete any moment (or none is watched). */
    private static final int SPIN = 0;
    /**
     * {@link #scan}: none was, and a caller whose call is done waits for this monitor: a virtual thread still on its
     * way to park, or any virtual caller while the monitor drains its carrier.
     */
    private static final int DEFERRED = 3;

    /**
     * One pass over the watched slots: unparks every caller whose call is done ({@link #parkedForGood once parked}),
     * and says whether any was, or else whether one is still parking, or else whether every call still watched waits
     * on a peer (then spinning for them is wasted).
     */
    private int scan() {
        boolean unparked = false;
        boolean deferred = false;
        boolean watching = false;
        boolean allWaiting = true;
        for (int i = 0; i < parked.length(); i++) {
            ParkedCallers.Parked caller = parked.get(i);
            if (caller == null) {
                continue;
            }
            if (caller.isDone()) {
                boolean virtual = caller.thread().isVirtual();
                if (virtual && (draining || !parkedForGood(caller.thread()))) {
                    deferred = true; // a later scan unparks it, or finds it gone (it saw its call done)
                } else if (parked.remove(i, caller)) {
                    unparks++; // one writer, this thread; before the unpark, so a caller that returns sees it counted
                    if (virtual) {
                        caller.unparkedAtNs = System.nanoTime();
                        unparkedVirtual.addLast(caller);
                    }
                    LockSupport.unpark(caller.thread());
                    unparked = true;
                }
            } else if (!unparked) {
                watching = true;
                allWaiting &= caller.isWaitingForEvent();
            }
        }
        return unparked ? UNPARKED : deferred ? DEFERRED : watching && allWaiting ? ALL_WAITING : SPIN;
    }

    /**
     * Whether {@code caller} may be unparked now: a platform thread always, a virtual thread once it has parked
     * ({@code WAITING}), not while it is on its way there.
     *
     * <p>Why: the JDK's scheduler puts a virtual thread unparked while it is still parking on its carrier's local
     * queue, and while that queue holds a task every virtual thread that yields on that carrier goes there too. The
     * carrier runs its local queue until it is empty, so that closed group kept the carrier, and the virtual threads
     * queued elsewhere (unparked by this monitor once parked, or newly started) did not run: 64 callers on one
     * carrier, a few of them made 1 call in a second against a median of 24,264 (6 runs in 20 of
     * {@code VirtualThreadFairnessTest}'s scenario, 2026-12-05). Unparked once parked, every caller is queued where
     * this monitor's unparks go.
     */
    private static boolean parkedForGood(Thread caller) {
        return !caller.isVirtual() || caller.getState() == Thread.State.WAITING;
    }

    /**
     * Drains the carrier while a virtual caller this monitor unparked has not run for {@link #STARVED_NS}: waiting
     * virtual threads park instead of yielding ({@link #draining}) and this monitor holds back its unparks, until that
     * caller runs.
     *
     * <p>Why: the JDK's scheduler takes from the queue it last took from for as long as that holds a task. Virtual
     * threads that yield go to their carrier's queue and this monitor's unparks to its own, so a carrier whose waiting
     * threads kept yielding never emptied its queue, and the threads this monitor had unparked did not run for a
     * second: 64 callers on one carrier, a few made 1 to 40 calls in a second against a median of 46,566 to 75,981
     * ({@code VirtualThreadFairnessTest}, 2026-12-05, in 7 runs in 12 in some minutes and none in others). When
     * every waiting thread parks and nothing is unparked, the queue empties and the carrier looks at the others.
     */
    private void checkStarved() {
        ParkedCallers.Parked oldest;
        while ((oldest = unparkedVirtual.peekFirst()) != null && oldest.isRunning()) {
            unparkedVirtual.pollFirst();
        }
        if (oldest == null || stopped) {
            draining = yieldDrainEndsNs != 0 && !stopped; // a periodic drain holds on until its end
            return;
        }
        if (!draining && System.nanoTime() - oldest.unparkedAtNs > STARVED_NS) {
            drains++; // one writer, this thread
            draining = true;
        }
        if (unparkedVirtual.size() > 4 * parked.length()) {
            unparkedVirtual.removeIf(ParkedCallers.Parked::isRunning); // callers behind a starved one ran meanwhile
        }
    }

    /**
     * Drains the carrier for {@link #YIELD_DRAIN_NS} every {@link #YIELD_DRAIN_PERIOD_NS} while virtual callers yield,
     * starved or not.
     *
     * <p>Why: a virtual thread that yields on its carrier goes to the carrier's external queue, and the scheduler
     * takes from one queue for as long as it holds a task ({@code ForkJoinPool.runWorker}). Virtual threads a
     * platform thread started wait in that thread's queue, so while the yielding callers' calls complete before their
     * spin ends (none parks: a round trip well under a microsecond), those never start and no caller of this monitor
     * starves for {@link #checkStarved} to see. 64 callers started by the main thread on one carrier, 14 made no call
     * in a second (CI, 2026-12-07, a host whose round trip is 0.3 us). A drain parks every yielding caller, so the
     * queue empties and the carrier looks at the others.
     */
    private void checkYielding() {
        long now = System.nanoTime();
        if (yieldDrainEndsNs != 0 && now - yieldDrainEndsNs >= 0) {
            yieldDrainEndsNs = 0; // checkStarved, next, ends the drain unless a starved caller keeps it
        }
        if (virtualYielded && yieldDrainEndsNs == 0 && now - lastYieldDrainNs >= YIELD_DRAIN_PERIOD_NS) {
            virtualYielded = false;
            lastYieldDrainNs = now;
            yieldDrainEndsNs = (now + YIELD_DRAIN_NS) | 1; // never 0, which means none
            drains++; // one writer, this thread
            draining = true;
        }
    }

    /** How long the monitor sleeps with no caller watched: its period, or until the next periodic drain is due. */
    private long idleSleepNs() {
        if (yieldDrainEndsNs != 0) {
            return Math.max(1, yieldDrainEndsNs - System.nanoTime());
        }
        if (virtualYielded) {
            return Math.max(1, Math.min(periodNs, lastYieldDrainNs + YIELD_DRAIN_PERIOD_NS - System.nanoTime()));
        }
        return periodNs;
    }

    /** After the monitor stopped: unparks every watched caller, parked or on its way (its call failed). */
    private void unparkAllDone() {
        for (int i = 0; i < parked.length(); i++) {
            ParkedCallers.Parked caller = parked.get(i);
            if (caller != null && caller.isDone() && parked.remove(i, caller)) {
                unparks++;
                LockSupport.unpark(caller.thread());
            }
        }
    }

    private void checkLiveness() {
        long now = System.nanoTime();
        if (now - lastCheckNs < periodNs || ring.hasFailed()) {
            return;
        }
        lastCheckNs = now;
        int state = segment.getIntVolatile(SERVER_STATE_OFFSET);
        if (state == SERVER_STOPPED) {
            ring.fail(new RingFailure.Stopped());
        } else if (state == SERVER_SERVING) {
            RingFailure failure = judge.judge(now);
            if (failure != null) {
                ring.fail(failure);
            }
        }
    }
}
