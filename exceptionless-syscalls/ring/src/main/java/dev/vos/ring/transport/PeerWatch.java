package dev.vos.ring.transport;

import dev.vos.ring.RingFailure;

import java.util.function.BooleanSupplier;

/**
 * The liveness of the peer as the transport can see it, consulted by the client's monitor once the server's heartbeat
 * stops moving. The heartbeat is the ring's (a counter the server bumps, judged on the client's own clock); what a
 * stale heartbeat means is the transport's to say: the process transport looks at the server's process in
 * {@code /proc} (stopped, gone, busy on a loaded host, asleep without progress); a Xen transport would ask for the
 * domain's state (paused, dying, running). One instance per ring, used by the monitor thread only.
 */
public interface PeerWatch {

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
