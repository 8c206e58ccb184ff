package dev.vos.ring.agent;

import dev.vos.ring.client.RingClient;

import java.io.IOException;

/**
 * A client's session with one generation of a service domain: the ring it calls through, whatever attached it. A
 * process domain's session is an {@link AgentSession} (the agent's socket, a sealed memfd, the socket as its
 * lifeline); a Xen guest's is a {@link XenGuestSession} (a ring offered through xenstore, grant-shared pages, the
 * ring's peer watch as its lifeline). A client that follows a domain across generations holds one at a time.
 */
public interface DomainSession extends AutoCloseable {

    /** The ring of this session: it fails when the domain dies or hangs. */
    RingClient ring();

    /** The generation this session is bound to. */
    long generation();

    /** Ends the session: the ring closes (its calls fail) and the domain stops serving it. */
    @Override
    void close() throws IOException;
}
