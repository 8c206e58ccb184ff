package dev.vos.client.net;

import dev.vos.client.DomainHandle;

/**
 * A channel a {@link VosSelector} waits on in the net domain: its socket is a descriptor there, polled there (a
 * pipe's end is a {@link LocalSelectable}, looked at in this JVM).
 */
sealed interface VosSelectable extends Selectable permits VosSocketChannel, VosServerSocketChannel, VosDatagramChannel {

    /** The descriptor a watch entry names. */
    DomainHandle handle();

    /** The poll events ({@code NetCalls.POLLIN}, {@code POLLOUT}) that {@code interestOps} wait for. */
    int pollEvents(int interestOps);

    /**
     * The ready operations {@code revents}, events the domain found, mean for {@code interestOps}; as the default
     * provider's: an error, hang-up or invalid descriptor makes every operation of interest ready, so that the
     * program's next call meets the failure.
     */
    int readyOps(int revents, int interestOps);
}
