package dev.vos.client.net;

import dev.vos.client.DomainHandle;
import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.DomainFailedException;
import jdk.net.ExtendedSocketOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP {@link SocketChannel} whose socket lives in the net domain: every operation is one or more net calls. In
 * blocking mode a call that would block waits in the domain (its slot is held, no worker is); in non-blocking mode
 * each call passes NO_WAIT and the domain's EAGAIN becomes the default provider's 0 or false. A
 * {@link VosSelector} polls it ({@link VosSelectable}); {@link #socket()} is an adaptor (its streams: blocking only).
 *
 * <p><b>Close while blocked.</b> Another thread's {@link #close()} (or an interrupt, through
 * {@link #begin()}) closes the descriptor in the domain, which answers every call still waiting on it EBADF; the
 * blocked thread then finds the channel closed and {@link #end} throws {@code AsynchronousCloseException} (or
 * {@code ClosedByInterruptException}), as the default provider's channel does.
 *
 * <p><b>Family.</b> The socket is made at open with the family asked for ({@code AF_INET} by default, unlike the
 * default provider's dual-stack IPv6 socket: the domain's {@code net.bind} policy tells 127.0.0.1 from
 * ::ffff:127.0.0.1). A fresh IPv4 socket given an IPv6 address to bind or connect to is made again as IPv6, with
 * the options set so far.
 *
 * <p><b>Unix domain sockets</b> ({@code AF_UNIX}) bind and connect to paths the domain's {@code net.unix} lets in.
 * As the default provider's: {@code bind(null)} leaves the socket unnamed, its local address is then the empty path,
 * {@link #socket()} is not supported, and the options are SO_SNDBUF, SO_RCVBUF, SO_LINGER and SO_PEERCRED (the
 * domain's answer: a peer that is another client's socket in the domain is named as that client, not as the
 * domain's process, which is the kernel's peer). A blocking connect to a listener whose backlog is full is tried
 * again by the client, backing off to 50 ms, where the kernel would sleep it; a non-blocking one fails, as the
 * default provider's does.
 */
final class VosSocketChannel extends SocketChannel implements VosSelectable {

    private final NetClient client;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object stateLock = new Object();
    /** Options set before the socket could change family, replayed on the new one. */
    private final Map<SocketOption<?>, Object> optionsSet = new LinkedHashMap<>();
    /** SO_OOBINLINE as {@link #setOobInline} last set it: no channel option names it, so it is kept apart. */
    private boolean oobInline;
    private volatile DomainHandle fd;
    private volatile int family;
    private boolean bound;
    /** The peer: set when a connect starts (as the default provider's, read back while it is pending). */
    private volatile SocketAddress remote;
    private volatile boolean connected;
    private volatile boolean connectPending;
    private Socket adaptor;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;

    VosSocketChannel(final VosSelectorProvider provider, final NetClient client, final int family)
            throws IOException {
        super(provider);
        this.client = client;
        this.family = family;
        this.fd = client.socket(family);
    }

    /** A channel for a connection accept took off a listener of {@code family}. */
    VosSocketChannel(final VosSelectorProvider provider, final NetClient client, final NetClient.Accepted accepted,
                     final int family) {
        super(provider);
        this.client = client;
        this.fd = accepted.fd();
        this.bound = true;
        this.remote = accepted.peer();
        this.connected = true;
        this.family = remote instanceof InetSocketAddress inet ? SockaddrLayout.family(inet) : family;
    }

    private boolean isUnix() {
        return family == SockaddrLayout.AF_UNIX;
    }

    /** The option table of this channel's family. */
    private Map<SocketOption<?>, Integer> options() {
        return isUnix() ? SocketOptionTable.UNIX_STREAM : SocketOptionTable.STREAM;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /** Makes the socket IPv6 if it is a fresh IPv4 one and {@code address} is IPv6. Under stateLock. */
    private void matchFamily(final InetSocketAddress address) throws IOException {
        final int wanted = SockaddrLayout.family(address);
        if (wanted == family || family == SockaddrLayout.AF_INET6 || bound) {
            return;
        }
        final DomainHandle next = client.socket(wanted);
        final DomainHandle old = fd;
        fd = next;
        family = wanted;
        client.close(old);
        for (Map.Entry<SocketOption<?>, Object> e : optionsSet.entrySet()) {
            setOptionNow(e.getKey(), e.getValue());
        }
        if (oobInline) {
            client.setOption(fd, NetCalls.OPT_SO_OOBINLINE, 1);
        }
    }

    @Override
    public SocketChannel bind(final SocketAddress local) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (connected) {
                throw new AlreadyConnectedException();
            }
            if (connectPending) {
                throw new ConnectionPendingException();
            }
            if (bound) {
                throw new AlreadyBoundException();
            }
            if (isUnix()) {
                if (local != null) { // null: unnamed, as the default provider leaves it
                    client.bind(fd, ChannelAddresses.unix(local));
                }
                bound = true;
                return this;
            }
            final InetSocketAddress address = local == null ? new InetSocketAddress(0) : ChannelAddresses.inet(local);
            matchFamily(address);
            client.bind(fd, address);
            bound = true;
        }
        return this;
    }

    @Override
    public <T> SocketChannel setOption(final SocketOption<T> name, final T value) throws IOException {
        SocketOptionTable.number(options(), name);
        synchronized (stateLock) {
            ensureOpen();
            setOptionNow(name, value);
            optionsSet.put(name, value);
        }
        return this;
    }

    private void setOptionNow(final SocketOption<?> name, final Object value) throws IOException {
        client.setOption(fd, SocketOptionTable.number(options(), name), SocketOptionTable.encode(name, value));
    }

    /**
     * SO_OOBINLINE, which the default provider sets through an option of its own (not public API) for
     * {@code Socket.setOOBInline}: urgent data received in the stream, or (false, the default) dropped from it.
     */
    void setOobInline(final boolean on) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            client.setOption(fd, NetCalls.OPT_SO_OOBINLINE, on ? 1 : 0);
            oobInline = on;
        }
    }

    /** SO_OOBINLINE as the domain's socket has it. */
    boolean oobInline() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            return client.getOption(fd, NetCalls.OPT_SO_OOBINLINE) != 0;
        }
    }

    /**
     * Sends the low byte of {@code data} as TCP urgent data, for {@code Socket.sendUrgentData}: as the default
     * provider's, it never waits for room, and fails on a socket not connected or whose output is shut.
     */
    void sendUrgent(final int data) throws IOException {
        writeLock.lock();
        try {
            ensureOpen();
            if (!connected) {
                throw new NotYetConnectedException();
            }
            boolean completed = false;
            try {
                begin();
                client.sendUrgent(fd, data);
                completed = true;
            } finally {
                end(completed);
            }
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(final SocketOption<T> name) throws IOException {
        final int number = SocketOptionTable.number(options(), name);
        synchronized (stateLock) {
            ensureOpen();
            final long raw = client.getOption(fd, number);
            return (T) (name == ExtendedSocketOptions.SO_PEERCRED ? PeerPrincipals.of(raw)
                    : SocketOptionTable.decode(name, raw));
        }
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SocketOptionTable.names(options());
    }

    @Override
    public SocketChannel shutdownInput() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (!connected) {
                throw new NotYetConnectedException();
            }
            if (!inputShutdown) {
                client.shutdown(fd, NetCalls.SHUT_RD);
                inputShutdown = true;
            }
        }
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (!connected) {
                throw new NotYetConnectedException();
            }
            if (!outputShutdown) {
                client.shutdown(fd, NetCalls.SHUT_WR);
                outputShutdown = true;
            }
        }
        return this;
    }

    /**
     * A {@code Socket} over this channel, as the default provider's adaptor: addresses, state, options, close (the
     * JDK's {@code HttpServer} asks an exchange's addresses through it); its streams are not served yet.
     */
    @Override
    public Socket socket() {
        if (isUnix()) {
            throw new UnsupportedOperationException("Not supported"); // the default provider's words
        }
        synchronized (stateLock) {
            if (adaptor == null) {
                try {
                    adaptor = new VosSocketAdaptor(this);
                } catch (SocketException e) {
                    throw new IllegalStateException(e); // Socket(SocketImpl) throws only for a null impl
                }
            }
            return adaptor;
        }
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    /**
     * A connect of a blocking channel that waits at most {@code timeoutMs} (0: as long as it takes), as the default
     * provider's {@code blockingConnect}, which its socket adaptor and {@code NioSocketImpl} use. The domain keeps no
     * timers and a call in the ring cannot be taken back, so a timed connect is a non-blocking one and a selector of
     * its own that waits for it; the channel is blocking again afterwards. A connect that fails or times out
     * ({@code SocketTimeoutException("Connect timed out")}) closes the channel, as the default's does.
     */
    void connectWithin(final InetSocketAddress target, final int timeoutMs) throws IOException {
        if (timeoutMs <= 0) {
            connect(target);
            return;
        }
        configureBlocking(false);
        boolean done = false;
        try (Selector selector = provider().openSelector()) {
            if (!connect(target)) {
                final SelectionKey key = register(selector, SelectionKey.OP_CONNECT);
                if (selector.select(timeoutMs) == 0) {
                    throw new SocketTimeoutException("Connect timed out"); // the default's text
                }
                key.cancel();
                if (!finishConnect()) {
                    throw new SocketTimeoutException("Connect timed out");
                }
            }
            done = true;
        } finally {
            if (!done) {
                close();
            } else if (isOpen()) {
                configureBlocking(true); // the selector that waited is closed: the channel is deregistered
            }
        }
    }

    /**
     * Bytes that a read would return without waiting, as the default provider's {@code SocketChannelImpl.available}
     * answers its streams: 0 once the input is shut down, else what the domain's kernel has queued (SIOCINQ).
     *
     * @throws ClosedChannelException if the channel is closed
     * @throws NotYetConnectedException if it is not connected
     */
    int available() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (!connected) {
                throw new NotYetConnectedException();
            }
            if (inputShutdown) {
                return 0;
            }
        }
        return client.available(fd);
    }

    /** Whether {@link #shutdownInput()} was called (the adaptor's {@code isInputShutdown} and streams ask). */
    boolean isInputShutdown() {
        return inputShutdown;
    }

    /** Whether {@link #shutdownOutput()} was called (the adaptor's {@code isOutputShutdown}). */
    boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public boolean isConnectionPending() {
        return connectPending;
    }

    @Override
    public boolean connect(final SocketAddress address) throws IOException {
        final SocketAddress target = isUnix() ? ChannelAddresses.unix(address) : ChannelAddresses.destination(address);
        readLock.lock();
        try {
            writeLock.lock();
            try {
                final DomainHandle socket;
                final boolean blocking;
                synchronized (stateLock) {
                    ensureOpen();
                    if (connected) {
                        throw new AlreadyConnectedException();
                    }
                    if (connectPending) {
                        throw new ConnectionPendingException();
                    }
                    if (target instanceof InetSocketAddress inet) {
                        matchFamily(inet);
                    }
                    socket = fd;
                    blocking = isBlocking();
                    remote = target;
                }
                boolean done = false;
                boolean completed = false;
                IOException failed = null;
                try {
                    begin();
                    done = client.connect(socket, target, !blocking);
                    completed = true;
                } catch (IOException e) {
                    failed = e;
                } finally {
                    end(completed); // AsynchronousCloseException if another thread closed the channel meanwhile
                }
                if (failed != null) {
                    // As the default provider: a connect that fails closes the channel.
                    close();
                    throw failed;
                }
                synchronized (stateLock) {
                    bound = true;
                    connected = done;
                    connectPending = !done;
                }
                return done;
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    /** Whether the connection is made: at once if it is, else a poll of the domain (waiting in blocking mode). */
    @Override
    public boolean finishConnect() throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    ensureOpen();
                    if (connected) {
                        return true;
                    }
                    if (!connectPending) {
                        throw new NoConnectionPendingException();
                    }
                }
                boolean done = false;
                boolean completed = false;
                IOException failed = null;
                try {
                    begin();
                    done = client.finishConnect(fd, !isBlocking());
                    completed = true;
                } catch (IOException e) {
                    failed = e;
                } finally {
                    end(completed);
                }
                if (failed != null) {
                    close(); // as the default provider: a connect that fails closes the channel
                    throw failed;
                }
                if (done) {
                    synchronized (stateLock) {
                        connected = true;
                        connectPending = false;
                    }
                }
                return done;
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return remote;
    }

    @Override
    public int read(final ByteBuffer dst) throws IOException {
        return read(dst, !isBlocking());
    }

    /**
     * A read that does not wait in the domain whatever the channel's mode: 0 when nothing is there. For
     * {@link #readWithin}, which waits on a selector of its own and must not change the program's mode.
     */
    int readNow(final ByteBuffer dst) throws IOException {
        return read(dst, true);
    }

    /**
     * A read of a blocking channel that waits at most {@code timeoutMs} (0: as long as it takes), for SO_TIMEOUT on
     * the socket adaptor's stream and on {@code VosSocketImpl}'s: what is there ({@link #readNow}), and while nothing
     * is, a wait on a selector of its own ({@link TimedWait#until}). {@code SocketTimeoutException("Read timed out")}
     * when the time is up (the default's text).
     */
    int readWithin(final ByteBuffer dst, final int timeoutMs) throws IOException {
        if (timeoutMs <= 0 || !dst.hasRemaining()) {
            return read(dst);
        }
        ensureOpen();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        return TimedWait.until(this, SelectionKey.OP_READ, deadline, () -> {
            final int n = readNow(dst);
            return n == 0 ? null : n; // bytes, or -1 at the end of the stream
        }, "Read timed out");
    }

    private int read(final ByteBuffer dst, final boolean noWait) throws IOException {
        Objects.requireNonNull(dst, "dst");
        return read(new ByteBuffer[] {dst}, 0, 1, noWait);
    }

    /**
     * Reads into {@code dsts[offset, offset + length)} in order, with one receive in the domain (at most a payload
     * chunk), as the default provider's {@code readv}: how many, 0 with no room or (not waiting) nothing there, -1 at
     * the end of the stream.
     */
    private int read(final ByteBuffer[] dsts, final int offset, final int length, final boolean noWait)
            throws IOException {
        readLock.lock();
        try {
            ensureOpen();
            if (!connected) {
                throw new NotYetConnectedException();
            }
            if (inputShutdown) {
                return -1;
            }
            ScatterGather.refuseReadOnly(dsts, offset, length); // before the receive takes bytes it cannot put
            if (ScatterGather.remaining(dsts, offset, length) == 0) {
                return 0;
            }
            int n = 0;
            boolean completed = false;
            try {
                begin();
                n = client.receive(fd, dsts, offset, length, noWait);
                completed = true;
            } finally {
                end(completed);
            }
            if (n == NetClient.WOULD_BLOCK) {
                return 0;
            }
            return n == 0 ? -1 : n;
        } finally {
            readLock.unlock();
        }
    }

    /** A scattering read: one receive in the domain, spread over the buffers in order. */
    @Override
    public long read(final ByteBuffer[] dsts, final int offset, final int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        return read(dsts, offset, length, !isBlocking());
    }

    /**
     * Writes {@code src}: all of it in blocking mode (a blocking channel's write returns only when every byte is
     * sent), as much as the domain takes without waiting in non-blocking mode (0 when it takes nothing).
     */
    @Override
    public int write(final ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    /**
     * A gathering write: the buffers' bytes in order, a payload chunk per call in the domain however many buffers
     * it spans (the default provider's {@code writev}); all of them in blocking mode, as much as the domain takes
     * without waiting in non-blocking mode.
     */
    @Override
    public long write(final ByteBuffer[] srcs, final int offset, final int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        writeLock.lock();
        try {
            ensureOpen();
            if (!connected) {
                throw new NotYetConnectedException();
            }
            if (outputShutdown) {
                // What the default provider throws here (its write fails EPIPE and finds its output shut).
                throw new AsynchronousCloseException();
            }
            final boolean noWait = !isBlocking();
            long total = 0;
            boolean completed = false;
            try {
                begin();
                while (ScatterGather.remaining(srcs, offset, length) > 0) {
                    // Non-blocking: chunk after chunk until the domain answers EAGAIN (its socket's buffer is full).
                    final int n = client.send(fd, srcs, offset, length, noWait);
                    if (n == NetClient.WOULD_BLOCK) {
                        break;
                    }
                    total += n;
                }
                completed = true;
            } finally {
                end(completed);
            }
            return total;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (!bound) {
                return null;
            }
            return isUnix() ? client.unixLocalAddress(fd) : client.localAddress(fd);
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        // Not under stateLock: a thread blocked in connect holds no lock this needs, and the domain answers its
        // waiting call EBADF once this close reaches it.
        try {
            client.close(fd);
        } catch (DomainFailedException gone) {
            // The domain died and took the socket with it: closed either way.
        }
    }

    @Override
    protected void implConfigureBlocking(final boolean block) {
        // Nothing to do in the domain, whose sockets never block: each call passes NO_WAIT or not, by isBlocking().
    }

    @Override
    public DomainHandle handle() {
        return fd;
    }

    @Override
    public int pollEvents(final int interestOps) {
        int events = 0;
        if ((interestOps & SelectionKey.OP_READ) != 0) {
            events |= NetCalls.POLLIN;
        }
        if ((interestOps & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
            events |= NetCalls.POLLOUT;
        }
        return events;
    }

    @Override
    public int readyOps(final int revents, final int interestOps) {
        if ((revents & (NetCalls.POLLERR | NetCalls.POLLHUP | NetCalls.POLLNVAL)) != 0) {
            return interestOps;
        }
        int ops = 0;
        if ((revents & NetCalls.POLLIN) != 0 && (interestOps & SelectionKey.OP_READ) != 0 && connected) {
            ops |= SelectionKey.OP_READ;
        }
        if ((revents & NetCalls.POLLOUT) != 0 && (interestOps & SelectionKey.OP_CONNECT) != 0 && connectPending) {
            ops |= SelectionKey.OP_CONNECT;
        }
        if ((revents & NetCalls.POLLOUT) != 0 && (interestOps & SelectionKey.OP_WRITE) != 0 && connected) {
            ops |= SelectionKey.OP_WRITE;
        }
        return ops;
    }

    @Override
    public String toString() {
        return "VosSocketChannel[" + fd + (remote == null ? "" : " remote=" + remote) + "]";
    }
}
