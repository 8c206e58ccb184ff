package dev.vos.ring.transport.xen;

import dev.vos.ring.HangEvidence;
import dev.vos.ring.RingFailure;
import dev.vos.ring.transport.PeerWatch;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.BooleanSupplier;

/**
 * The Xen transport's watch of a server whose heartbeat went stale (the count is the ring's, judged on this side's
 * clock: the guest's {@code CLOCK_MONOTONIC} is not this one's). Every monitor period, stale or not ({@link
 * #gone()}), and again when the heartbeat is stale:
 * <ol>
 *   <li>the server's liveness byte ({@link XenLiveness#SERVER_ALIVE_OFFSET}) is 0: its mapping of the segment is
 *       gone (its process or its domain died; the kernel cleared the byte): a death;</li>
 *   <li>otherwise the domain's state, from the caller's {@link PeerDomain}: gone is a death, paused a hang at once,
 *       running is busy until the heartbeat is {@value #CAP_FACTOR} liveness timeouts old, unknown is a hang on the
 *       heartbeat alone.</li>
 * </ol>
 * A server that beat while the state was asked is alive.
 */
final class XenPeerWatch implements PeerWatch {

    /** A running domain that never beats is hung once its heartbeat is this many liveness timeouts old. */
    static final int CAP_FACTOR = 10;

    private final MemorySegment memory;
    private final long livenessTimeoutNs;
    private final long periodNs;
    private final int domid;
    private final PeerDomain domain;

    XenPeerWatch(MemorySegment memory, long livenessTimeoutNs, int domid, PeerDomain domain) {
        this.memory = memory;
        this.livenessTimeoutNs = livenessTimeoutNs;
        this.periodNs = Math.max(1_000_000L, livenessTimeoutNs / 10);
        this.domid = domid;
        this.domain = domain;
    }

    /** The server's liveness byte, read once: 0 once the kernel cleared it (the server's mapping is gone). */
    @Override
    public RingFailure gone() {
        byte alive = memory.get(ValueLayout.JAVA_BYTE, XenLiveness.SERVER_ALIVE_OFFSET);
        return alive == XenLiveness.ALIVE ? null : RingFailure.Died.unknown();
    }

    @Override
    public void fresh() {
    }

    @Override
    public RingFailure judgeStale(long staleNs, long nowNs, BooleanSupplier beatMeanwhile) {
        RingFailure gone = gone();
        if (gone != null) {
            return gone;
        }
        PeerDomain.State state = domain.state();
        if (beatMeanwhile.getAsBoolean()) {
            return null;
        }
        long capNs = CAP_FACTOR * livenessTimeoutNs;
        return switch (state) {
            case GONE -> RingFailure.Died.unknown();
            case PAUSED -> new RingFailure.Hung(staleNs, livenessTimeoutNs, new HangEvidence.DomainPaused(domid));
            // Judged from the latest time the last beat can have happened, as the process transport does.
            case RUNNING -> staleNs - periodNs > capNs ? new RingFailure.Hung(staleNs, livenessTimeoutNs,
                    new HangEvidence.BusyPastCap(0, capNs)) : null;
            case UNKNOWN -> new RingFailure.Hung(staleNs, livenessTimeoutNs, new HangEvidence.HeartbeatOnly(
                    "the state of domain " + domid + " is not known here, and its mapping of the ring is alive"));
        };
    }
}
