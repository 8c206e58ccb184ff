package dev.vos.ring.client.archviolation;

import dev.vos.ring.transport.process.ProcessTransport;

/** A class of the ring's client that names a transport implementation, not the SPI. */
public final class ClientUsesProcessTransport {
    ProcessTransport transport;
}
