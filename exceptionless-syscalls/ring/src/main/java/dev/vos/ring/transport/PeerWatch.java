package dev.vos.ring.transport;

import dev.vos.ring.RingFailure;

import java.util.function.BooleanSupplier;

/**
 * The liveness of the peer as the transport can see it, consulted by the client's monitor once the server's heartbeat
 * stops moving. The heartbeat is the ring's (a counter the server bumps, judged on the client's own clock); what a
 * stale heartbeat means is the transport's to say: the process transport looks at the server's process in
 * {@code /proc} (stopped, gone, busy on a loaded host, asleep without progress); the Xen transport reads the server's
 * liveness byte and asks the caller for the domain's state (paused, gone, running). One instance per ring, used by
 * the monitor thread only.
 */
public interface PeerWatch {

    /**
     * Whether the transport already knows the peer is gone, whatever its heartbeat says: asked once per monitor
     * period while the server serves, before the heartbeat is judged. The Xen transport answers from the server's
     * liveness byte, which the kernel clears when the server's mapping goes, so a death is seen within a period
     * rather than after the liveness timeout. By default (the process transport) nothing is known: null.
     *
     * @return the failure to report now, or null
     */
    default RingFailure gone() {
        return null;
    }

    /** The heartbeat moved: the peer is alive; forget any stretch of stale looks (and find the peer if not yet). */
    void fresh();

    /**
     * The heartbeat has not moved for {@code staleNs}, longer than the liveness timeout, by this side's clock.
     *
     * @param nowNs        this side's {@code System.nanoTime()} of the judgement
     * @param beatMeanwhile true if the heartbeat moved after the judgement began (checked after each slow look)
     * @return the failure to report now, or null while the peer is only busy (look again next period)
     */
    RingFailure judgeStale(long staleNs, long nowNs, BooleanSupplier beatMeanwhile);
}
