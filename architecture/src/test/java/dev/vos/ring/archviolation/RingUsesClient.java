package dev.vos.ring.archviolation;

import dev.vos.client.DomainClient;

/** A ring class that knows a layer above it. */
public final class RingUsesClient {
    DomainClient client;
}
