package dev.vos.ring.client;

import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingSegment;
import dev.vos.ring.layout.SlotLayout;
import dev.vos.ring.transport.Doorbell;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A call slot held by one thread: its payload chunk of the data area, and {@link #call} to run calls through it.
 * Obtained from {@link RingClient#acquire()}, returned by {@link #close()}; use it from one thread at a time.
 *
 * <pre>{@code
 * try (CallSlot slot = ring.acquire()) {
 *     slot.data().copyFrom(payload);
 *     long crc = slot.call(CoreCalls.CHECKSUM, slot.dataOffset(), payload.byteSize());
 * }
 * }</pre>
 */
public final class CallSlot implements Caller, PendingCall, AutoCloseable {

    private final RingClient ring;
    private final RingSegment segment;
    private final int index;
    private final long offset;
    /** This slot's park word ({@code RingGeometry.parkWordOffset}), where a platform-thread caller sleeps. */
    private final long parkWordOffset;
    private final MemorySegment data;
    private final long dataOffset;
    private int sequence;
    private long expected;
    private boolean held;
    private boolean abandoned;
    private boolean inFlight;

    CallSlot(RingClient ring, RingSegment segment, int index, long offset, long parkWordOffset, MemorySegment data,
             long dataOffset) {
        this.ring = ring;
        this.segment = segment;
        this.index = index;
        this.offset = offset;
        this.parkWordOffset = parkWordOffset;
        this.data = data;
        this.dataOffset = dataOffset;
    }

    /** This slot's payload chunk: {@code geometry.dataBytesPerSlot()} bytes of the shared data area. */
    public MemorySegment data() {
        return data;
    }

    /**
     * The ring this slot belongs to: one session with one generation of a domain. A new session (a re-attach,
     * whether to the same generation or the next) is another ring, so identity here is identity of the session.
     */
    public RingClient ring() {
        return ring;
    }

    /** The domain generation of this slot's ring. */
    public long generation() {
        return ring.generation();
    }

    /** The offset of {@link #data()} within the data area: what a call's payload arguments refer to. */
    public long dataOffset() {
        return dataOffset;
    }

    /** Runs a call with no arguments. */
    public long call(int callNumber) throws DomainFailedException {
        return call(callNumber, 0, 0, 0, 0, 0, 0);
    }

    /** Runs a call with up to three arguments. */
    public long call(int callNumber, long a0, long a1, long a2) throws DomainFailedException {
        return call(callNumber, a0, a1, a2, 0, 0, 0);
    }

    /**
     * Runs one call through the ring and waits for its result with the ring's {@link WaitStrategy}.
     *
     * @return the result in the kernel's convention: a value that is not negative, or {@code -errno}
     * @throws DomainFailedException if the domain failed, hung or stopped before the call completed
     */
    @Override
    public long call(int callNumber, long a0, long a1, long a2, long a3, long a4, long a5)
            throws DomainFailedException {
        start(callNumber, a0, a1, a2, a3, a4, a5);
        ring.wakeIfIdle();
        return finish(callNumber);
    }

    /**
     * Writes the call into the slot and queues it, without waking a worker and without waiting: the first half of
     * {@link #call}, and what a {@link CallBatch} does for each of its slots before one wake-up for all.
     */
    void start(int callNumber, long a0, long a1, long a2, long a3, long a4, long a5) throws DomainFailedException {
        if (!held) {
            throw new IllegalStateException("slot " + index + " was released; acquire a slot before calling");
        }
        if (callNumber < 0 || callNumber > SlotLayout.MAX_CALL_NUMBER) {
            throw new IllegalArgumentException("call number " + callNumber + " is outside 0.."
                    + SlotLayout.MAX_CALL_NUMBER);
        }
        if (inFlight) {
            throw new IllegalStateException("slot " + index + " has a call in flight; await it first");
        }
        ring.checkUsable();
        int seq = ++sequence;
        segment.setLongPlain(offset + SlotLayout.argOffset(0), a0);
        segment.setLongPlain(offset + SlotLayout.argOffset(1), a1);
        segment.setLongPlain(offset + SlotLayout.argOffset(2), a2);
        segment.setLongPlain(offset + SlotLayout.argOffset(3), a3);
        segment.setLongPlain(offset + SlotLayout.argOffset(4), a4);
        segment.setLongPlain(offset + SlotLayout.argOffset(5), a5);
        expected = SlotLayout.control(SlotLayout.COMPLETE, callNumber, seq);
        // Release: a worker that sees SUBMITTED sees the arguments (it reads CONTROL with acquire).
        segment.setLongRelease(offset, SlotLayout.control(SlotLayout.SUBMITTED, callNumber, seq));
        inFlight = true;
        ring.offer(index);
    }

    /** Whether a call was {@linkplain #start started} and not yet {@linkplain #finish finished}. */
    boolean inFlight() {
        return inFlight;
    }

    /** Waits for the call {@link #start} queued and returns its result: the second half of {@link #call}. */
    long finish(int callNumber) throws DomainFailedException {
        ring.waitStrategy().await(this);
        inFlight = false;
        if (isComplete()) {
            return segment.getLongPlain(offset + SlotLayout.RESULT_OFFSET);
        }
        // The ring failed before this call completed: a worker may still own the slot and its payload chunk,
        // so the slot is never handed out again.
        abandoned = true;
        throw ring.failureFor(callNumber);
    }

    private boolean isComplete() {
        return segment.getLongAcquire(offset) == expected;
    }

    @Override
    public boolean isDone() {
        return isComplete() || ring.hasFailed();
    }

    /**
     * Whether the call that completes with control word {@code expected} did, or the ring failed: what the monitor
     * asks on another thread, which must not read {@link #expected}, a field of the caller's.
     */
    boolean isDone(long expected) {
        return segment.getLongAcquire(offset) == expected || ring.hasFailed();
    }

    @Override
    public boolean isWaitingForEvent() {
        return isWaitingForEvent(expected);
    }

    /** {@link #isWaitingForEvent()} for the call that completes with {@code expected}: the monitor's question. */
    boolean isWaitingForEvent(long expected) {
        return segment.getLongAcquire(offset) == SlotLayout.withState(expected, SlotLayout.WAITING);
    }

    /**
     * {@inheritDoc} A call in flight cannot be taken back, so an interrupt does not end the wait (the domain
     * completes the call or the ring fails, both within a bound); it is kept and set again on return. Without
     * that, park() would return at once on every round and the thread would spin.
     */
    @Override
    public void parkUntilDone() {
        if (ring.sleepsOnParkWords() && !Thread.currentThread().isVirtual()) {
            sleepOnParkWord();
            return;
        }
        ParkedCallers.Parked parked = new ParkedCallers.Parked(this, expected, Thread.currentThread());
        ring.monitor().watch(parked);
        boolean interrupted = false;
        while (!isDone()) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        ring.monitor().unwatch(parked);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean parkToDrainCarrier() {
        return ring.monitor().draining();
    }

    /**
     * A platform thread's park: it sleeps in the doorbell's word wait on this slot's park word, and the worker that
     * completes the call wakes it there ({@code DeferredCall.publish}): one wake-up, where the monitor's path costs
     * two (the worker wakes the monitor, the monitor unparks the caller). Handshake: this thread stores
     * PARK_SLEEPING (volatile), a full fence, then re-checks the slot and the failed flag; the worker stores COMPLETE
     * (volatile), then reads the park word and, if it holds PARK_SLEEPING, takes it back with a compare-and-set and
     * wakes it; {@code RingClient.fail} sets the failed flag, then takes back and wakes every word. One side sees the
     * other, and a take-back before the sleep makes the wait return at once (the word no longer holds what it
     * expects). The wait is capped at the monitor's period all the same. Never on a virtual thread: the wait would
     * pin its carrier. As in the monitor's park, an interrupt does not end the wait (nor is it consumed).
     */
    private void sleepOnParkWord() {
        Doorbell doorbell = ring.doorbell();
        long timeoutNs = ring.parkWordTimeoutNs();
        while (true) {
            segment.setIntVolatile(parkWordOffset, SlotLayout.PARK_SLEEPING);
            VarHandle.fullFence(); // StoreLoad: the word before the re-check (the slot is read with acquire)
            if (isDone()) {
                break;
            }
            ring.countParkWordSleep();
            doorbell.awaitWord(parkWordOffset, SlotLayout.PARK_SLEEPING, timeoutNs);
        }
        // Leaving: a completion that reads the word after this wakes nobody (release: after the re-check above).
        segment.setIntRelease(parkWordOffset, SlotLayout.PARK_NONE);
    }

    int index() {
        return index;
    }

    void hold() {
        held = true;
    }

    /** Returns the slot to the ring. A slot whose call failed with the ring is not reused. */
    @Override
    public void close() {
        if (!held) {
            throw new IllegalStateException("slot " + index + " released twice");
        }
        held = false;
        ring.release(this, abandoned);
    }
}
