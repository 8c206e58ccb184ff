package dev.vos.ring.client;

/** Package-private state of the client, for tests in other packages. */
public final class ClientTestAccess {

    private ClientTestAccess() {
    }

    /** Callers registered with the client's monitor right now. */
    public static int watchedCount(RingClient client) {
        return client.monitor().watchedCount();
    }
}
