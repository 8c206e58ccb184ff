package dev.vos.ring.server;

import dev.vos.ring.RingSegment;
import dev.vos.ring.SubmitQueue;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.layout.SlotLayout;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * The call a worker is executing, as its handler sees it: the call number and six arguments, copied out of the
 * slot once (the client cannot change them under the handler), and bounds-checked access to the data area.
 * One instance per worker, reused for every call: nothing is allocated per call.
 */
public final class ServerCall {

    /**
     * What a handler that {@linkplain #defer() deferred} its call returns, by convention; the worker goes by
     * whether {@code defer} was called, not by this value.
     */
    public static final long DEFERRED = Long.MIN_VALUE;

    private final RingServer server;
    private final RingSegment segment;
    private final long dataOffset;
    private final long dataBytes;
    private final RingGeometry geometry;
    private final Object session;
    private final long[] args = new long[SlotLayout.ARG_COUNT];
    private int callNumber;
    private int slot;
    private long slotOffset;
    private long control;
    /** The worker, its queue and batch; null for {@link InlineCalls}, which has none of them. */
    private ServerWorker worker;
    private SubmitQueue queue;
    private CallBatcher batcher;
    /** Whether the worker marks a deferred slot ACCEPTED itself (a sole worker skips that step otherwise). */
    private boolean markAccepted;
    private DeferredCall deferred;

    ServerCall(RingServer server, RingSegment segment, RingGeometry geometry, Object session) {
        this.server = server;
        this.segment = segment;
        this.session = session;
        this.dataOffset = geometry.dataOffset();
        this.dataBytes = geometry.dataBytes();
        this.geometry = geometry;
    }

    /** Binds this call object to its worker, the worker's queue and batch (null: the table batches nothing). */
    void attachWorker(ServerWorker owner, SubmitQueue workerQueue, CallBatcher workerBatcher, boolean soleWorker) {
        this.worker = owner;
        this.queue = workerQueue;
        this.batcher = workerBatcher;
        this.markAccepted = soleWorker;
    }

    /**
     * Copies the arguments of the slot at {@code slotOffset}, whose control word the worker read as {@code control};
     * called after the worker won the slot.
     */
    void load(int slot, long slotOffset, long control) {
        this.slot = slot;
        this.slotOffset = slotOffset;
        this.control = control;
        this.callNumber = SlotLayout.callNumber(control);
        this.deferred = null;
        for (int i = 0; i < SlotLayout.ARG_COUNT; i++) {
            args[i] = segment.getLongPlain(slotOffset + SlotLayout.argOffset(i));
        }
    }

    /**
     * Whether another call is already published in the queue behind this one: a hint (another worker may take it)
     * that a batch would carry more than this call. Always false outside a worker.
     */
    public boolean hasQueuedBehind() {
        return queue != null && queue.hasPublished();
    }

    /** This worker's batch (see {@link CallBatcher}), or null when the table has none or outside a worker. */
    public CallBatcher batcher() {
        return batcher;
    }

    /**
     * Takes this call out of the worker's hands: the handler (or whatever it hands the returned handle to) answers
     * it later with {@link DeferredCall#complete}. Only for calls of handlers registered with
     * {@link CallTable.Builder#addBatched} or {@link CallTable.Builder#addMayWait}; the handler then returns
     * {@link #DEFERRED}. The worker is between calls meanwhile, as its heartbeat shows: a deferred call is never
     * a stuck worker (see {@code docs/ring-protocol.md}).
     *
     * @throws IllegalStateException outside a worker, or if this call was deferred already
     */
    public DeferredCall defer() {
        if (queue == null || deferred != null) {
            throw new IllegalStateException(queue == null ? "only a worker's call can be deferred"
                    : "call in slot " + slot + " was deferred already");
        }
        if (markAccepted) {
            // A sole worker did not mark the slot ACCEPTED (see ServerWorker.serve); a deferred one must be, so that a
            // duplicated queue entry for it finds it taken while the call is still out.
            segment.setLongRelease(slotOffset, SlotLayout.withState(control, SlotLayout.ACCEPTED));
        }
        deferred = new DeferredCall(segment, slot, slotOffset, geometry.parkWordOffset(slot), control, worker);
        return deferred;
    }

    /**
     * Answers the call now, before its handler returns, so that the handler can go on with work the answer does not
     * wait for (the net domain takes the next connection from the kernel after it answers an accept); the handler
     * then returns {@link #DEFERRED}. From here on the slot and its payload are the client's again: the handler must
     * not touch either.
     */
    public void answerNow(long result) {
        defer().complete(result);
    }

    /** The handle {@link #defer} made for this call, or null if the handler did not defer it. */
    DeferredCall deferredCall() {
        return deferred;
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

    /** Who sent this call, as the kernel named its client ({@link RingServer#client()}); empty outside a server. */
    public Optional<ClientCredentials> client() {
        return server == null ? Optional.empty() : server.client();
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
