package dev.vos.bench.storage;

import dev.vos.ring.RingSegment;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.layout.SlotLayout;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.InlineCalls;

/**
 * Runs one handler of a call table on a call written into slot 0 of a segment, in the calling thread, as a worker
 * does after it took the slot ({@link InlineCalls}): no queue, no other process, no wait. What a call costs the
 * domain.
 */
final class HandlerProbe implements AutoCloseable {

    private final RingSegment segment;
    private final long slot0;
    private final InlineCalls calls;

    /** A probe serving {@code table} for one session (made here, closed by {@link #close()}) on {@code segment}. */
    HandlerProbe(RingSegment segment, RingGeometry geometry, CallTable table) {
        this.segment = segment;
        this.slot0 = geometry.slotOffset(0);
        this.calls = new InlineCalls(segment, geometry, table);
    }

    /** Writes the call's arguments into slot 0 (as a client would) and runs its handler on them. */
    long call(int callNumber, long a0, long a1, long a2, long a3) {
        segment.setLongPlain(slot0 + SlotLayout.argOffset(0), a0);
        segment.setLongPlain(slot0 + SlotLayout.argOffset(1), a1);
        segment.setLongPlain(slot0 + SlotLayout.argOffset(2), a2);
        segment.setLongPlain(slot0 + SlotLayout.argOffset(3), a3);
        return calls.run(0, callNumber);
    }

    @Override
    public void close() throws Exception {
        calls.close();
    }
}
