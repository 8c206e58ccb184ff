package dev.vos.ring.transport.process;

import dev.vos.ring.RingSegment;
import dev.vos.ring.transport.Doorbell;
import dev.vos.ring.transport.Side;
import dev.vos.sys.Linux;

import static dev.vos.ring.layout.HeaderLayout.CLIENT_FUTEX_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.WORKER_FUTEX_OFFSET;

/**
 * The process transport's doorbell: two futex words in the ring's header, one per direction (WORKER_FUTEX, which the
 * workers sleep on; CLIENT_FUTEX, which the client's monitor sleeps on). Without {@code FUTEX_PRIVATE_FLAG}: the
 * words are in a mapping shared between processes. A ringer bumps the sleeper's word, then wakes it; a sleeper arms
 * by reading its word and passes that to {@code FUTEX_WAIT}, which returns at once if the word moved meanwhile.
 */
final class FutexDoorbell implements Doorbell {

    private final RingSegment ring;
    /** The word this side sleeps on. */
    private final long own;
    /** The word the other side sleeps on. */
    private final long peer;

    FutexDoorbell(RingSegment ring, Side side) {
        this.ring = ring;
        this.own = side == Side.SERVER ? WORKER_FUTEX_OFFSET : CLIENT_FUTEX_OFFSET;
        this.peer = side == Side.SERVER ? CLIENT_FUTEX_OFFSET : WORKER_FUTEX_OFFSET;
    }

    @Override
    public int arm() {
        return ring.getIntVolatile(own);
    }

    @Override
    public boolean await(int armed, long timeoutNs) {
        Linux.futexWait(ring.address(own), armed, timeoutNs);
        return ring.getIntVolatile(own) != armed;
    }

    @Override
    public void ringPeer() {
        ring.getAndAddInt(peer, 1); // the bump first: a sleeper that armed before it does not sleep through the wake
        Linux.futexWake(ring.address(peer), 1);
    }

    @Override
    public boolean wakesWords() {
        return true;
    }

    @Override
    public void awaitWord(long offset, int expected, long timeoutNs) {
        Linux.futexWait(ring.address(offset), expected, timeoutNs);
    }

    @Override
    public void wakeWord(long offset) {
        Linux.futexWake(ring.address(offset), 1);
    }

    @Override
    public long sleepWordAddress() {
        return ring.address(own);
    }

    @Override
    public void wakeHere(int sleepers) {
        ring.getAndAddInt(own, 1);
        Linux.futexWake(ring.address(own), sleepers);
    }
}
