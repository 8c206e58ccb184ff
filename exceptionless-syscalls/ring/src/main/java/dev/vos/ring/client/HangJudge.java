package dev.vos.ring.client;

import dev.vos.ring.HangEvidence;
import dev.vos.ring.RingFailure;
import dev.vos.ring.RingSegment;
import dev.vos.ring.transport.PeerWatch;

import static dev.vos.ring.layout.HeaderLayout.HEARTBEAT_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.STUCK_CALL_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.STUCK_NS_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.STUCK_WORKER_OFFSET;

/**
 * Decides, for the client's monitor, whether a serving server is hung, on more evidence than one stale heartbeat.
 * Called once per monitor period while SERVER_STATE is SERVING:
 * <ol>
 *   <li>the transport knows the server is gone ({@link PeerWatch#gone()}: the Xen transport's cleared liveness
 *       byte): that failure, at once;</li>
 *   <li>the server reports a stuck worker (STUCK_NS is not 0): hung at once ({@link HangEvidence.WorkerStuck});</li>
 *   <li>the heartbeat moved within the liveness timeout: alive;</li>
 *   <li>otherwise the transport's {@link PeerWatch} judges what a stale heartbeat means (the process transport: the
 *       server's process in {@code /proc}, stopped, gone, busy or asleep without progress).</li>
 * </ol>
 *
 * <p>The heartbeat is a counter, not a time: the server's clock is not the client's (between Xen domains,
 * {@code CLOCK_MONOTONIC} differs), so its age is measured here, on this side's clock. A move is seen at a check,
 * and the beat happened since the check before; the age is counted from the earlier of the two bounds, no more than
 * a period before the check that saw the move ({@link #movedAtNs}). So the heartbeat turns stale no later than a
 * timestamp would have (detection keeps its bound), and at most a period earlier, which only opens the look at the
 * peer. Everything here runs on the monitor thread only.
 */
final class HangJudge {

    private final RingSegment segment;
    private final PeerWatch peer;
    private final long livenessTimeoutNs;
    private final long periodNs;
    /** The heartbeat count last seen, and whether one has been seen. */
    private long lastBeat;
    private boolean seen;
    /** When, on this side's clock, the heartbeat moved to {@link #lastBeat}: its earliest bound. */
    private long movedAtNs;
    /** When the previous judgement ran: a move seen now happened after it. */
    private long previousCheckNs;

    HangJudge(RingSegment segment, PeerWatch peer, long livenessTimeoutNs) {
        this.segment = segment;
        this.peer = peer;
        this.livenessTimeoutNs = livenessTimeoutNs;
        this.periodNs = Math.max(1_000_000L, livenessTimeoutNs / 10);
    }

    /** The failure to report now, or null while the server is alive or only busy. */
    RingFailure judge(long nowNs) {
        long beat = segment.getLongAcquire(HEARTBEAT_OFFSET); // pairs with the heartbeat's release store
        // Written before the heartbeat's release store: at least as new as the beat just read.
        long stuckNs = segment.getLongPlain(STUCK_NS_OFFSET);
        if (!seen || beat != lastBeat) {
            movedAtNs = seen ? Math.max(previousCheckNs, nowNs - periodNs) : nowNs;
            lastBeat = beat;
            seen = true;
        }
        previousCheckNs = nowNs;
        long ageNs = nowNs - movedAtNs;
        RingFailure gone = peer.gone();
        if (gone != null) {
            return gone;
        }
        if (stuckNs > 0) {
            return new RingFailure.Hung(ageNs, livenessTimeoutNs, new HangEvidence.WorkerStuck(
                    segment.getIntPlain(STUCK_WORKER_OFFSET), segment.getIntPlain(STUCK_CALL_OFFSET), stuckNs));
        }
        if (ageNs <= livenessTimeoutNs) {
            peer.fresh();
            return null;
        }
        return peer.judgeStale(ageNs, nowNs, () -> segment.getLongAcquire(HEARTBEAT_OFFSET) != beat);
    }
}
