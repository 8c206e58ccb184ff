package dev.vos.ring.server;

import dev.vos.ring.RingSegment;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.layout.SlotLayout;

/**
 * For benchmarks only (it lives in the server's package to reach {@link ServerCall}'s constructor): runs one
 * handler of a call table on a call loaded from slot 0 of a segment, in the calling thread, exactly as a worker
 * does after it took the slot, with no queue, no other process and no wait. What a call costs the domain.
 */
public final class HandlerProbe {

    private final RingSegment segment;
    private final RingGeometry geometry;
    private final CallTable table;
    private final ServerCall call;

    /** A probe serving {@code table} for one session (made here) on {@code segment}. */
    public HandlerProbe(RingSegment segment, RingGeometry geometry, CallTable table) {
        this.segment = segment;
        this.geometry = geometry;
        this.table = table;
        this.call = new ServerCall(segment, geometry, table.newSessionState());
    }

    /** Writes the call into slot 0 (as a client would), loads it (as a worker does), and runs its handler. */
    public long call(int callNumber, long a0, long a1, long a2, long a3) {
        long slot = geometry.slotOffset(0);
        segment.setLongPlain(slot + SlotLayout.argOffset(0), a0);
        segment.setLongPlain(slot + SlotLayout.argOffset(1), a1);
        segment.setLongPlain(slot + SlotLayout.argOffset(2), a2);
        segment.setLongPlain(slot + SlotLayout.argOffset(3), a3);
        call.load(0, slot, callNumber);
        return table.handler(callNumber).handle(call);
    }
}
