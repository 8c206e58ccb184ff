package dev.vos.ring.transport.archviolation;

import dev.vos.ring.server.RingServer;

/** A transport class that knows the ring's server above it. */
public final class TransportUsesServer {
    RingServer server;
}
