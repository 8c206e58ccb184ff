package dev.vos.client.net;

import dev.vos.client.DomainHandle;

/**
 * A channel a {@link VosSelector} can wait on: its socket is a descriptor of the net domain, polled there. Sealed:
 * a channel of another kind (another provider's, or a {@code Pipe}) is no descriptor of the domain, and registering
 * it is an {@code IllegalSelectorException}, as the default provider answers for a foreign channel.
 */
sealed interface VosSelectable permits VosSocketChannel, VosServerSocketChannel {

    /** The descriptor a pollset entry names. */
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
