package dev.vos.client.net;

import dev.vos.client.DomainHandle;
import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.DomainFailedException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A blocking listening {@link ServerSocketChannel} whose socket lives in the net domain. bind is bind then listen
 * there, so the domain's {@code net.bind} policy answers it (an address it does not list is a
 * {@code BindException}, as the kernel's EADDRNOTAVAIL); accept waits in the domain. A close from another thread
 * answers a waiting accept EBADF, and the accepting thread gets {@code AsynchronousCloseException}. Non-blocking
 * mode and the {@link #socket()} adaptor are not served yet.
 */
final class VosServerSocketChannel extends ServerSocketChannel {

    /** The default provider's backlog when none (or one below 1) is given. */
    private static final int DEFAULT_BACKLOG = 50;

    private final VosSelectorProvider provider;
    private final NetClient client;
    private final ReentrantLock acceptLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private volatile DomainHandle fd;
    private volatile int family;
    private volatile boolean bound;

    VosServerSocketChannel(final VosSelectorProvider provider, final NetClient client, final int family)
            throws IOException {
        super(provider);
        this.provider = provider;
        this.client = client;
        this.family = family;
        this.fd = open(family);
    }

    /** A socket of {@code family} with SO_REUSEADDR on, as the default provider makes its listening sockets. */
    private DomainHandle open(final int of) throws IOException {
        final DomainHandle socket = client.socket(of);
        client.setOption(socket, NetCalls.OPT_SO_REUSEADDR, 1);
        return socket;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public ServerSocketChannel bind(final SocketAddress local, final int backlog) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (bound) {
                throw new AlreadyBoundException();
            }
            final InetSocketAddress address;
            if (local == null) {
                address = new InetSocketAddress(0);
            } else if (local instanceof InetSocketAddress inet) {
                if (inet.isUnresolved()) {
                    throw new UnresolvedAddressException();
                }
                address = inet;
            } else {
                throw new UnsupportedAddressTypeException();
            }
            final int wanted = SockaddrLayout.family(address);
            if (wanted != family) {
                // A fresh socket of the other family, as the default provider's dual-stack one would serve it.
                final DomainHandle old = fd;
                fd = open(wanted);
                family = wanted;
                client.close(old);
            }
            client.bind(fd, address);
            client.listen(fd, backlog < 1 ? DEFAULT_BACKLOG : backlog);
            bound = true;
        }
        return this;
    }

    @Override
    public <T> ServerSocketChannel setOption(final SocketOption<T> name, final T value) throws IOException {
        final int number = SocketOptionTable.number(SocketOptionTable.LISTENING, name);
        synchronized (stateLock) {
            ensureOpen();
            client.setOption(fd, number, SocketOptionTable.encode(name, value));
        }
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(final SocketOption<T> name) throws IOException {
        final int number = SocketOptionTable.number(SocketOptionTable.LISTENING, name);
        synchronized (stateLock) {
            ensureOpen();
            return (T) SocketOptionTable.decode(name, client.getOption(fd, number));
        }
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Set.of(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR,
                StandardSocketOptions.SO_REUSEPORT);
    }

    /** Not served yet: the default provider's adaptor is bound to its own implementation. */
    @Override
    public ServerSocket socket() {
        throw new UnsupportedOperationException("ServerSocketChannel.socket() is not served by the net domain's"
                + " provider yet: use the channel's own bind and accept");
    }

    @Override
    public SocketChannel accept() throws IOException {
        acceptLock.lock();
        try {
            ensureOpen();
            if (!bound) {
                throw new NotYetBoundException();
            }
            NetClient.Accepted accepted = null;
            boolean completed = false;
            try {
                begin();
                accepted = client.accept(fd);
                completed = true;
            } finally {
                end(completed);
            }
            try {
                return new VosSocketChannel(provider, client, accepted.fd());
            } catch (IOException e) {
                client.close(accepted.fd());
                throw e;
            }
        } finally {
            acceptLock.unlock();
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return bound ? client.localAddress(fd) : null;
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        try {
            client.close(fd);
        } catch (DomainFailedException gone) {
            // The domain died and took the socket with it: closed either way.
        }
    }

    @Override
    protected void implConfigureBlocking(final boolean block) {
        throw new UnsupportedOperationException(VosSelectorProvider.NON_BLOCKING_NOT_SERVED);
    }

    @Override
    public String toString() {
        return "VosServerSocketChannel[" + fd + "]";
    }
}
