package dev.vos.ring.server;

import dev.vos.ring.RingSegment;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.sys.Errno;

/**
 * A table's handlers run in the calling thread, on calls read from a segment's slots exactly as a worker reads them
 * once it has taken a slot: no submission queue, no worker thread, no completion, no wake-up. What a call costs the
 * domain, alone; for benchmarks that measure handlers (a server never uses this).
 *
 * <p>It holds one session state of the table, as a served ring does, and closes it in {@link #close()}. Like a
 * worker's call it is reused for every call and is not thread-safe: one per thread.
 */
public final class InlineCalls implements AutoCloseable {

    private final RingGeometry geometry;
    private final CallTable table;
    private final AutoCloseable session;
    private final ServerCall call;

    /** Calls of {@code table} on the slots of {@code segment}, laid out as {@code geometry} says. */
    public InlineCalls(RingSegment segment, RingGeometry geometry, CallTable table) {
        this.geometry = geometry;
        this.table = table;
        this.session = table.newSessionState();
        this.call = new ServerCall(null, segment, geometry, session);
    }

    /**
     * Copies the arguments the caller wrote into {@code slot} (as a client writes them; the slot's state is not
     * looked at) and runs the handler of {@code callNumber} on them. Returns the handler's result, or
     * {@code -ENOSYS} when the table has no such call, as a worker would; a handler that throws throws here
     * (a worker would answer {@code -EIO}).
     */
    public long run(int slot, int callNumber) {
        call.load(slot, geometry.slotOffset(slot), callNumber);
        CallHandler handler = table.handler(callNumber);
        return handler == null ? -Errno.ENOSYS : handler.handle(call);
    }

    /** Closes the session state (a storage table's descriptors, for one). */
    @Override
    public void close() throws Exception {
        if (session != null) {
            session.close();
        }
    }
}
