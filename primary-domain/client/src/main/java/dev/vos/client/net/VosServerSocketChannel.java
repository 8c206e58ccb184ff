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
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A blocking listening {@link ServerSocketChannel} whose socket lives in the net domain. bind is bind then listen
 * there, so the domain's {@code net.bind} policy answers it (an address it does not list is a
 * {@code BindException}, as the kernel's EADDRNOTAVAIL); accept waits in the domain. A close from another thread
 * answers a waiting accept EBADF, and the accepting thread gets {@code AsynchronousCloseException}. In non-blocking
 * mode accept asks the domain not to wait (NO_WAIT) and answers null when there is no connection.
 */
final class VosServerSocketChannel extends ServerSocketChannel implements VosSelectable {

    /** The default provider's backlog when none (or one below 1) is given. */
    private static final int DEFAULT_BACKLOG = 50;

    private final VosSelectorProvider provider;
    private final NetClient client;
    private final ReentrantLock acceptLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private volatile DomainHandle fd;
    private volatile int family;
    private volatile boolean bound;
    private ServerSocket adaptor;

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
            if (family == SockaddrLayout.AF_UNIX) {
                // null: a name the domain chooses in its first net.unix directory, as the default provider chooses
                // one in its temporary directory
                client.bind(fd, local == null ? UnixDomainSocketAddress.of("") : ChannelAddresses.unix(local));
                client.listen(fd, backlog < 1 ? DEFAULT_BACKLOG : backlog);
                bound = true;
                return this;
            }
            final InetSocketAddress address = local == null ? new InetSocketAddress(0) : ChannelAddresses.inet(local);
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
        setOption(options(), name, value);
        return this;
    }

    @Override
    public <T> T getOption(final SocketOption<T> name) throws IOException {
        return getOption(options(), name);
    }

    /** The option table of this channel's family. */
    private Map<SocketOption<?>, Integer> options() {
        return family == SockaddrLayout.AF_UNIX ? SocketOptionTable.UNIX_LISTENING : SocketOptionTable.LISTENING;
    }

    /** Sets {@code name} if {@code table} has it: the channel's own table, or a {@code ServerSocket}'s. */
    void setOption(final Map<SocketOption<?>, Integer> table, final SocketOption<?> name, final Object value)
            throws IOException {
        final int number = SocketOptionTable.number(table, name);
        synchronized (stateLock) {
            ensureOpen();
            client.setOption(fd, number, SocketOptionTable.encode(name, value));
        }
    }

    /** Reads {@code name} if {@code table} has it: the channel's own table, or a {@code ServerSocket}'s. */
    @SuppressWarnings("unchecked")
    <T> T getOption(final Map<SocketOption<?>, Integer> table, final SocketOption<T> name) throws IOException {
        final int number = SocketOptionTable.number(table, name);
        synchronized (stateLock) {
            ensureOpen();
            return (T) SocketOptionTable.decode(name, client.getOption(fd, number));
        }
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SocketOptionTable.names(options());
    }

    /**
     * A {@code ServerSocket} over this channel, as the default provider's adaptor (the JDK's {@code HttpServer}
     * binds through it): bind, addresses, options, close, and accept (with SO_TIMEOUT, {@link #acceptWithin}).
     */
    @Override
    public ServerSocket socket() {
        if (family == SockaddrLayout.AF_UNIX) {
            throw new UnsupportedOperationException("Not supported"); // the default provider's words
        }
        synchronized (stateLock) {
            if (adaptor == null) {
                adaptor = new VosServerSocketAdaptor(this);
            }
            return adaptor;
        }
    }

    /** The address bound, or null before bind (for the adaptor). */
    InetSocketAddress boundAddress() throws IOException {
        return bound ? client.localAddress(fd) : null;
    }

    @Override
    public DomainHandle handle() {
        return fd;
    }

    @Override
    public int pollEvents(final int interestOps) {
        return (interestOps & SelectionKey.OP_ACCEPT) != 0 ? NetCalls.POLLIN : 0;
    }

    @Override
    public int readyOps(final int revents, final int interestOps) {
        if ((revents & (NetCalls.POLLERR | NetCalls.POLLHUP | NetCalls.POLLNVAL)) != 0) {
            return interestOps;
        }
        return (revents & NetCalls.POLLIN) != 0 ? interestOps & SelectionKey.OP_ACCEPT : 0;
    }

    /**
     * An accept of a blocking channel that waits at most {@code timeoutMs} (0: as long as it takes), for the socket
     * adaptors' SO_TIMEOUT: a connection if one is there ({@link #acceptNow}), and while none is, a wait on a
     * selector of its own ({@link TimedWait#until}). Accepts take turns under {@link #acceptLock}, held throughout,
     * and a timed accept waits for its turn within its timeout, as NioSocketImpl's.
     * {@code SocketTimeoutException("Accept timed out")} (the default's text) when none comes in time; the channel
     * stays open.
     */
    SocketChannel acceptWithin(final int timeoutMs) throws IOException {
        if (timeoutMs <= 0) {
            return accept();
        }
        ensureOpen();
        final long leftNs = TimedWait.lockWithin(acceptLock, timeoutMs);
        if (leftNs <= 0) {
            ensureOpen();
            throw new SocketTimeoutException("Accept timed out");
        }
        try {
            return TimedWait.until(this, SelectionKey.OP_ACCEPT, System.nanoTime() + leftNs, this::acceptNow,
                    "Accept timed out");
        } finally {
            acceptLock.unlock();
        }
    }

    @Override
    public SocketChannel accept() throws IOException {
        return accept(!isBlocking());
    }

    /**
     * An accept that does not wait in the domain whatever the channel's mode: null when no connection is there. For
     * {@link #acceptWithin}, which waits on a selector of its own and must not change the program's mode.
     */
    SocketChannel acceptNow() throws IOException {
        return accept(true);
    }

    private SocketChannel accept(final boolean noWait) throws IOException {
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
                accepted = client.accept(fd, noWait, family);
                completed = true;
            } finally {
                end(completed);
            }
            if (accepted == null) {
                return null; // nothing to accept, and asked not to wait
            }
            return new VosSocketChannel(provider, client, accepted, family);
        } finally {
            acceptLock.unlock();
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        if (!bound) {
            return null;
        }
        return family == SockaddrLayout.AF_UNIX ? client.unixLocalAddress(fd) : client.localAddress(fd);
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
        // Nothing to do in the domain, whose sockets never block: accept passes NO_WAIT or not, by isBlocking().
    }

    @Override
    public String toString() {
        return "VosServerSocketChannel[" + fd + "]";
    }
}
