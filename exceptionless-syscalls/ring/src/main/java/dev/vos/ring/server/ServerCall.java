package dev.vos.ring.server;

import dev.vos.ring.RingSegment;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.layout.SlotLayout;

import java.lang.foreign.MemorySegment;

/**
 * The call a worker is executing, as its handler sees it: the call number and six arguments, copied out of the
 * slot once (the client cannot change them under the handler), and bounds-checked access to the data area.
 * One instance per worker, reused for every call: nothing is allocated per call.
 */
public final class ServerCall {

    private final RingServer server;
    private final RingSegment segment;
    private final long dataOffset;
    private final long dataBytes;
    private final Object session;
    private final long[] args = new long[SlotLayout.ARG_COUNT];
    private int callNumber;
    private int slot;

    ServerCall(RingServer server, RingSegment segment, RingGeometry geometry, Object session) {
        this.server = server;
        this.segment = segment;
        this.session = session;
        this.dataOffset = geometry.dataOffset();
        this.dataBytes = geometry.dataBytes();
    }

    /** Copies the arguments of the slot at {@code slotOffset}; called after the worker won the slot. */
    void load(int slot, long slotOffset, int callNumber) {
        this.slot = slot;
        this.callNumber = callNumber;
        for (int i = 0; i < SlotLayout.ARG_COUNT; i++) {
            args[i] = segment.getLongPlain(slotOffset + SlotLayout.argOffset(i));
        }
    }

    /** The call number. */
    public int callNumber() {
        return callNumber;
    }

    /** The slot the call arrived in (for logs). */
    public int slot() {
        return slot;
    }

    /**
     * The state of the session (the client) this call came from, made by the table's
     * {@linkplain CallTable.Builder#sessionState factory} when the server attached; {@code null} if the table has
     * none. Every call on one ring sees the same object, possibly from several workers at once.
     */
    public Object session() {
        return session;
    }

    /**
     * The server (the ring, the client) this call arrived on: for a handler whose answer depends on who asks, such
     * as the agent's {@code STATS}, which tells each client only about its own session. {@code null} for a call
     * run by {@link InlineCalls}, which no server serves.
     */
    public RingServer server() {
        return server;
    }

    /** Argument {@code index}, 0..5. */
    public long arg(int index) {
        return args[index];
    }

    /**
     * The payload bytes {@code [offset, offset + length)} of the data area, or {@code null} when that range is not
     * entirely inside it (the handler then answers {@code -EFAULT}). Offsets are relative to the data area: a
     * client pointer means nothing here.
     */
    public MemorySegment data(long offset, long length) {
        if (offset < 0 || length < 0 || offset > dataBytes - length) {
            return null;
        }
        return segment.memory().asSlice(dataOffset + offset, length);
    }

    /**
     * The address of the payload bytes {@code [offset, offset + length)} of the data area, checked as {@link #data}
     * checks them, or 0 when the range is not entirely inside it. For a handler that only passes the range to the
     * kernel (pread, pwrite): no segment is made per call. The address is valid while the server runs, which is
     * longer than any of its calls.
     */
    public long dataAddress(long offset, long length) {
        if (offset < 0 || length < 0 || offset > dataBytes - length) {
            return 0;
        }
        return segment.address(dataOffset + offset);
    }
}
