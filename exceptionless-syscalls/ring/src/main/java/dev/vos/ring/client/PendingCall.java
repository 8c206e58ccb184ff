package dev.vos.ring.client;

/** What a {@link WaitStrategy} sees of a submitted call. */
public interface PendingCall {

    /** Whether the call completed or the ring failed (either ends the wait). One acquire load; cheap to poll. */
    boolean isDone();

    /**
     * Whether the domain marked the call as waiting for an outside event ({@code SlotLayout.WAITING}): spinning for
     * it is wasted, and takes a CPU from the peer it waits for. One acquire load.
     */
    default boolean isWaitingForEvent() {
        return false;
    }

    /**
     * Parks the calling thread until {@link #isDone()}: the client's monitor unparks it when the slot completes or
     * the ring fails. A virtual thread parks without pinning its carrier.
     */
    void parkUntilDone();

    /**
     * Whether a waiting virtual thread should park now instead of yielding its carrier: the ring's monitor found a
     * virtual thread it unparked starved by the scheduler (see {@code ClientMonitor.checkStarved}). One volatile load.
     */
    default boolean parkToDrainCarrier() {
        return false;
    }
}
