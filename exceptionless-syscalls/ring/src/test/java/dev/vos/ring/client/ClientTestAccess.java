package dev.vos.ring.client;

import dev.vos.ring.RingSegment;

/** Package-private state of the client, for tests in other packages. */
public final class ClientTestAccess {

    private ClientTestAccess() {
    }

    /** The client's mapping of its segment: what a hostile client writes into behind the library's back. */
    public static RingSegment segment(RingClient client) {
        return client.segment();
    }

    /** Callers registered with the client's monitor right now. */
    public static int watchedCount(RingClient client) {
        return client.monitor().watchedCount();
    }
}
