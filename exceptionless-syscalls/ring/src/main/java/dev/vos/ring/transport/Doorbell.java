package dev.vos.ring.transport;

/**
 * One side's wake-up line of a ring: ring the peer, or sleep until the peer rings. The ring calls it only off the hot
 * path, when a side sleeps (docs/ring-protocol.md, section 6): whether to ring is decided by the ring's own flags in
 * the segment (AWAKE_WORKERS, CLIENT_SLEEPING), whose Dekker pairs the doorbell does not replace.
 *
 * <p>The contract a sleeper relies on: it calls {@link #arm()} before its last check of the shared state, then
 * {@link #await} with what {@code arm} returned; a {@link #ringPeer()} by the other side (or a {@link #wakeHere} by
 * its own) after that {@code arm} makes the {@code await} return at once or wake. Spurious returns are allowed: every
 * sleeper re-checks. The process transport rings with a futex word in the segment (bump, then {@code FUTEX_WAKE});
 * the Xen transport notifies an interdomain event channel ({@code transport.xen.EventChannelDoorbell}).
 */
public interface Doorbell {

    /** Before the sleeper's last check: a token for {@link #await}, so that a ring in between is not lost. */
    int arm();

    /**
     * Sleeps until the doorbell is rung after the {@link #arm()} that returned {@code armed}, or {@code timeoutNs}
     * pass, or spuriously; returns whether it was rung (for the figures: wake-ups are counted where sleeps end).
     */
    boolean await(int armed, long timeoutNs);

    /** Wakes one sleeper of the other side. */
    void ringPeer();

    /** Wakes up to {@code sleepers} sleepers of this side (a worker waking a peer worker; a side that stops). */
    void wakeHere(int sleepers);

    /**
     * Whether one caller may sleep on a word of its own in the ring ({@link #awaitWord}) and be woken there by the
     * peer ({@link #wakeWord}), without the client's monitor in between: the park words of docs/ring-protocol.md,
     * section 7. The process transport's futex can wait on any 4-byte word of the shared mapping; the Xen transport
     * has one event channel per ring, not per slot, so there its callers are woken by the monitor (false, the
     * default, and the server then never reads a park word).
     */
    default boolean wakesWords() {
        return false;
    }

    /**
     * Sleeps while the 32-bit word at {@code offset} of the ring still holds {@code expected}, at most {@code
     * timeoutNs}; returns at once if it differs. Spurious returns are allowed: the sleeper re-checks. Blocks the
     * calling OS thread: never from a virtual thread. Only where {@link #wakesWords()}.
     */
    default void awaitWord(long offset, int expected, long timeoutNs) {
        throw new UnsupportedOperationException("this transport's doorbell has no words to sleep on");
    }

    /** Wakes the sleeper on the 32-bit word at {@code offset} of the ring (none: nothing). Only where {@link
     * #wakesWords()}; a no-op elsewhere. */
    default void wakeWord(long offset) {
    }

    /**
     * The address of the futex word this side sleeps on, for a sleeper that has the kernel wait on it in its stead
     * (a storage worker's io_uring, which then also wakes when an fsync completes): a wait on this word while it
     * holds what {@link #arm()} returned ends at a {@link #ringPeer()} of the other side, as {@link #await} does.
     * 0 where the doorbell is no futex word (the Xen transport's event channel).
     */
    default long sleepWordAddress() {
        return 0;
    }
}
