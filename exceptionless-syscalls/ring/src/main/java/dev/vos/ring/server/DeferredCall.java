package dev.vos.ring.server;

import dev.vos.ring.RingSegment;
import dev.vos.ring.layout.SlotLayout;
import dev.vos.ring.transport.Doorbell;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static dev.vos.ring.layout.HeaderLayout.CLIENT_SLEEPING_OFFSET;

/**
 * A call its handler answers after it has returned ({@link ServerCall#defer()}): the slot stays ACCEPTED, the worker
 * goes on with other calls, and {@link #complete} later publishes the result and wakes the client exactly as a
 * worker does at the end of a call. The handle is small and holds no slice of the segment: the slot's offset and
 * the control word it was accepted with.
 *
 * <p>{@code complete} may run on any thread (the worker's batch flush, or an event loop that saw a socket become
 * ready) and takes effect once: a second completion is ignored. A completion after the server stopped (the
 * segment unmapped) is dropped: the client of that ring has failed every call in flight already.
 */
public final class DeferredCall {

    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(DeferredCall.class, "done", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RingSegment segment;
    private final long slotOffset;
    private final long parkWordOffset;
    private final long control;
    private final int slot;
    /** The worker that deferred it: its answer counts in that worker's figures (errors, bytes). */
    private final ServerWorker worker;
    @SuppressWarnings("unused") // through DONE
    private volatile boolean done;

    DeferredCall(RingSegment segment, int slot, long slotOffset, long parkWordOffset, long control,
                 ServerWorker worker) {
        this.segment = segment;
        this.worker = worker;
        this.slot = slot;
        this.slotOffset = slotOffset;
        this.parkWordOffset = parkWordOffset;
        this.control = control;
    }

    /** The slot the call arrived in (for logs). */
    public int slot() {
        return slot;
    }

    /** The call number. */
    public int callNumber() {
        return SlotLayout.callNumber(control);
    }

    /**
     * Tells the client the call waits for an outside event, so that it sleeps rather than spins (the slot goes from
     * ACCEPTED to WAITING; a call answered already stays COMPLETE: the compare-and-set fails). For calls parked on a
     * peer, not for those a batch flush answers within microseconds. Any thread; false if the slot had moved on.
     */
    public boolean markWaiting() {
        try {
            // Release: nothing to publish but the state; the CAS never overwrites a COMPLETE of this or a later call.
            return segment.compareAndSetLong(slotOffset, SlotLayout.withState(control, SlotLayout.ACCEPTED),
                    SlotLayout.withState(control, SlotLayout.WAITING));
        } catch (IllegalStateException e) {
            return false; // the segment was closed
        }
    }

    /**
     * Answers the call with {@code result} (a value, or {@code -errno}); false if it was answered already or its
     * ring is gone.
     */
    public boolean complete(long result) {
        if (!DONE.compareAndSet(this, false, true)) {
            return false;
        }
        worker.countCompletion(callNumber(), result); // the value published, counted once: the first completion
        try {
            publish(segment, worker.doorbell(), slotOffset, parkWordOffset, control, result);
            return true;
        } catch (IllegalStateException e) {
            return false; // the segment was closed: the server stopped, and its client failed the call
        }
    }

    /**
     * Writes {@code result} into the slot at {@code slotOffset}, marks it COMPLETE for {@code control}'s call and
     * sequence, wakes the caller if it sleeps on the slot's park word ({@code parkWordOffset}), and rings the
     * client's monitor ({@code doorbell}, the server side's) if it sleeps; returns whether it rang the monitor. The
     * worker's own end of a call, shared with deferred completions.
     *
     * <p>The park word is the client's to write, any value at any time: it is read once here, after this call's
     * COMPLETE, and only a {@link SlotLayout#PARK_SLEEPING} taken back with one compare-and-set costs a wake, of
     * that one word of this ring. So a client that forges it gains one {@code FUTEX_WAKE} per call it submitted,
     * on its own mapping, where only its own threads can sleep.
     */
    static boolean publish(RingSegment segment, Doorbell doorbell, long slotOffset, long parkWordOffset, long control,
                           long result) {
        segment.setLongPlain(slotOffset + SlotLayout.RESULT_OFFSET, result);
        // Volatile: releases RESULT to the client, and orders this store before the park word and CLIENT_SLEEPING
        // loads below (the client's halves of the handshakes: CallSlot.sleepOnParkWord, ClientMonitor.sleep).
        segment.setLongVolatile(slotOffset, SlotLayout.withState(control, SlotLayout.COMPLETE));
        if (doorbell.wakesWords() && segment.getIntVolatile(parkWordOffset) == SlotLayout.PARK_SLEEPING
                && segment.compareAndSetInt(parkWordOffset, SlotLayout.PARK_SLEEPING, SlotLayout.PARK_NONE)) {
            doorbell.wakeWord(parkWordOffset);
        }
        if (segment.getIntVolatile(CLIENT_SLEEPING_OFFSET) != 0
                && segment.compareAndSetInt(CLIENT_SLEEPING_OFFSET, 1, 0)) {
            doorbell.ringPeer();
            return true;
        }
        return false;
    }
}
