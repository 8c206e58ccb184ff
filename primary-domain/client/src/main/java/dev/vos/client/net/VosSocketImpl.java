package dev.vos.client.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link SocketImpl} of a {@code java.net.Socket} or {@code ServerSocket} whose socket lives in the net domain
 * ({@link VosSockets#install()} makes every new one of the JVM with it). Each impl holds one channel of the net
 * provider, a blocking {@link VosSocketChannel} (a client, or a connection accepted) or {@link VosServerSocketChannel}
 * (a server), and every method is the channel's: the domain's errno reaches the caller as the default provider's
 * exception ({@code ConnectException}, {@code BindException} ...), a closed socket as {@code SocketException("Socket
 * closed")}, which is what the JDK's own {@code NioSocketImpl} throws.
 *
 * <p><b>SO_TIMEOUT and a connect timeout.</b> The domain keeps no timers, and a call in the ring cannot be taken back;
 * so a timed read, accept or connect waits for its socket with a {@link VosSelector} of its own
 * ({@code select(timeout)}, one ready in the domain, woken by the provider's timer) and makes only calls that do
 * not wait: the channel's {@link VosSocketChannel#readWithin readWithin},
 * {@link VosServerSocketChannel#acceptWithin acceptWithin} and {@link VosSocketChannel#connectWithin connectWithin}.
 * No worker is held meanwhile. A timed read or accept leaves the channel blocking and unregistered throughout, so
 * another thread's read, write or accept meanwhile is a blocking one. A timeout of 0 (the default) blocks in the
 * domain as a blocking channel does, without a selector. The streams' reads take turns under a lock of the impl, and
 * accepts under the listener's, as NioSocketImpl's do, and a timed one waits for its turn within its timeout: behind
 * another thread's untimed read that waits for bytes, it times out rather than waiting for that read to end.
 *
 * <p>{@link #available()} asks the domain what its kernel has queued (SIOCINQ), as {@code NioSocketImpl} asks its
 * own: 0 once the input is shut down. Urgent data is not served.
 */
final class VosSocketImpl extends SocketImpl {

    /** The default provider's backlog when none (or one below 1) is given. */
    private static final int DEFAULT_BACKLOG = 50;

    private final VosSelectorProvider provider;
    private final boolean server;
    /** Whether a connect goes where the default {@code ProxySelector} says (see the constructor). */
    private final boolean proxied;
    /** Held by a stream's read throughout, the wait of a timed one included (see the class comment). */
    private final ReentrantLock readLock = new ReentrantLock();
    private volatile VosSocketChannel channel;
    private volatile VosServerSocketChannel listener;
    /** A server's address, kept from bind for listen: the domain's bind and listen are the channel's one bind. */
    private InetSocketAddress toListenOn;
    private volatile int timeoutMs;
    private volatile boolean closed;
    private InputStream in;
    private OutputStream out;

    /** The impl of a {@code Socket} made as {@code new Socket()} makes it: its connect asks the proxy selector. */
    VosSocketImpl(final VosSelectorProvider provider, final boolean server) {
        this(provider, server, true);
    }

    /**
     * @param proxied whether a connect asks the default {@code ProxySelector} for a SOCKS proxy, as the JDK's
     *                {@code new Socket()} does; false for {@code new Socket(Proxy.NO_PROXY)}, which connects directly
     */
    VosSocketImpl(final VosSelectorProvider provider, final boolean server, final boolean proxied) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.server = server;
        this.proxied = proxied;
    }

    private static SocketException closedSocket() {
        return new SocketException("Socket closed"); // NioSocketImpl's text
    }

    /** {@code e} as the default impl throws it: a closed channel is a closed socket. */
    private static IOException translate(final IOException e) {
        if (e instanceof ClosedChannelException) {
            final SocketException s = closedSocket();
            s.initCause(e);
            return s;
        }
        return e;
    }

    private VosSocketChannel channel() throws SocketException {
        final VosSocketChannel c = channel;
        if (closed || c == null) {
            throw closedSocket();
        }
        return c;
    }

    private VosServerSocketChannel listener() throws SocketException {
        final VosServerSocketChannel l = listener;
        if (closed || l == null) {
            throw closedSocket();
        }
        return l;
    }

    @Override
    protected void create(final boolean stream) throws IOException {
        if (!stream) {
            throw new SocketException("datagram sockets are not served by the net domain: DatagramSocket uses the"
                    + " default provider");
        }
        if (server) {
            listener = (VosServerSocketChannel) provider.openServerSocketChannel();
        } else {
            channel = (VosSocketChannel) provider.openSocketChannel();
        }
    }

    @Override
    protected void connect(final String host, final int port) throws IOException {
        connect(new InetSocketAddress(host, port), 0);
    }

    @Override
    protected void connect(final InetAddress host, final int port) throws IOException {
        connect(new InetSocketAddress(host, port), 0);
    }

    /**
     * Connects to {@code remote}, or through the SOCKS proxy the default {@code ProxySelector} names for it, as the
     * JDK's own socket does ({@link SocksConnect}): the connection to the proxy is net0's like any other.
     */
    @Override
    protected void connect(final SocketAddress remote, final int timeout) throws IOException {
        if (!(remote instanceof InetSocketAddress target)) {
            throw new IllegalArgumentException("Unsupported address type");
        }
        final long deadline = SocksConnect.deadline(timeout);
        final VosSocketChannel c = channel();
        final SocksConnect.Route route = SocksConnect.connect(target, deadline, proxied, (to, remainingMs) -> {
            if (to.isUnresolved()) {
                throw new UnknownHostException(to.getHostName());
            }
            try {
                c.connectWithin(to, remainingMs);
            } catch (IOException e) {
                throw translate(e);
            }
        });
        try {
            if (route instanceof SocksConnect.Route.Socks socks) {
                SocksConnect.request(c, socks, target, deadline);
            }
            final InetSocketAddress local = (InetSocketAddress) c.getLocalAddress();
            address = target.getAddress();
            port = target.getPort();
            localport = local.getPort();
        } catch (IOException e) {
            throw translate(e);
        }
    }

    @Override
    protected void bind(final InetAddress host, final int port) throws IOException {
        final InetSocketAddress local = new InetSocketAddress(host, port);
        if (server) {
            listener();
            synchronized (this) {
                if (toListenOn != null) {
                    throw new SocketException("Already bound");
                }
                toListenOn = local;
            }
            address = host;
            this.localport = port;
            return;
        }
        try {
            channel().bind(local);
            localport = ((InetSocketAddress) channel().getLocalAddress()).getPort();
        } catch (AlreadyBoundException e) {
            throw new SocketException("Already bound");
        } catch (IOException e) {
            throw translate(e);
        }
    }

    @Override
    protected void listen(final int backlog) throws IOException {
        final VosServerSocketChannel l = listener();
        final InetSocketAddress local;
        synchronized (this) {
            local = toListenOn == null ? new InetSocketAddress(0) : toListenOn;
        }
        try {
            l.bind(local, backlog < 1 ? DEFAULT_BACKLOG : backlog);
            final InetSocketAddress bound = (InetSocketAddress) l.getLocalAddress();
            address = bound.getAddress();
            localport = bound.getPort();
        } catch (IOException e) {
            throw translate(e);
        }
    }

    @Override
    protected void accept(final SocketImpl s) throws IOException {
        if (!(s instanceof VosSocketImpl target)) {
            // Only when Socket's factory is not vos while ServerSocket's is: VosSockets.install() sets both.
            throw new SocketException("a connection of the net domain cannot be handed to "
                    + s.getClass().getName() + ": install both factories with VosSockets.install()");
        }
        final VosServerSocketChannel l = listener();
        try {
            target.adopt((VosSocketChannel) l.acceptWithin(timeoutMs));
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /** Makes this impl the accepted connection {@code c}'s (the impl is fresh: no channel was created for it). */
    private void adopt(final VosSocketChannel c) throws IOException {
        channel = c;
        final InetSocketAddress remote = (InetSocketAddress) c.getRemoteAddress();
        address = remote.getAddress();
        port = remote.getPort();
        localport = ((InetSocketAddress) c.getLocalAddress()).getPort();
    }

    @Override
    protected synchronized InputStream getInputStream() throws IOException {
        channel();
        if (in == null) {
            in = new In();
        }
        return in;
    }

    @Override
    protected synchronized OutputStream getOutputStream() throws IOException {
        channel();
        if (out == null) {
            out = new Out();
        }
        return out;
    }

    /**
     * Reads through the channel, which is blocking: some bytes, or -1 at the end. With SO_TIMEOUT, the channel's
     * {@link VosSocketChannel#readWithin readWithin}: {@code SocketTimeoutException("Read timed out")}, NioSocketImpl's
     * text, when nothing comes in time, and never a wait past it (see the class comment).
     */
    private int read(final byte[] b, final int off, final int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        final VosSocketChannel c = channel();
        if (len == 0) {
            return 0;
        }
        final int timeout = timeoutMs;
        int within = 0;
        if (timeout > 0) {
            final long leftNs = TimedWait.lockWithin(readLock, timeout);
            if (leftNs <= 0) {
                throw new SocketTimeoutException("Read timed out"); // NioSocketImpl's text
            }
            within = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNs));
        } else {
            readLock.lock();
        }
        try {
            return c.readWithin(ByteBuffer.wrap(b, off, len), within);
        } catch (IOException e) {
            throw closed ? closedSocket() : translate(e);
        } finally {
            readLock.unlock();
        }
    }

    /** Writes all of {@code b[off, off + len)}: the channel is blocking, and its write sends every byte. */
    private void write(final byte[] b, final int off, final int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        final VosSocketChannel c = channel();
        final ByteBuffer src = ByteBuffer.wrap(b, off, len);
        try {
            while (src.hasRemaining()) {
                c.write(src);
            }
        } catch (IOException e) {
            throw closed ? closedSocket() : translate(e);
        }
    }

    private final class In extends InputStream {

        @Override
        public int read() throws IOException {
            final byte[] one = new byte[1];
            final int n = VosSocketImpl.this.read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            return VosSocketImpl.this.read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return VosSocketImpl.this.available();
        }

        @Override
        public void close() throws IOException {
            VosSocketImpl.this.close(); // as NioSocketImpl's stream: closing it closes the socket
        }
    }

    private final class Out extends OutputStream {

        @Override
        public void write(final int b) throws IOException {
            VosSocketImpl.this.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException {
            VosSocketImpl.this.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            VosSocketImpl.this.close();
        }
    }

    /** The bytes queued for reading in the domain; 0 once the input is shut down (see the class comment). */
    @Override
    protected int available() throws IOException {
        final VosSocketChannel c = channel();
        try {
            return c.available();
        } catch (ClosedChannelException e) {
            throw closedSocket();
        } catch (NotYetConnectedException e) {
            throw new SocketException("Not connected");
        }
    }

    @Override
    protected void close() throws IOException {
        closed = true;
        final VosSocketChannel c = channel;
        final VosServerSocketChannel l = listener;
        if (c != null) {
            c.close(); // a thread blocked in the domain gets EBADF, then "Socket closed"
        }
        if (l != null) {
            l.close();
        }
    }

    @Override
    protected void shutdownInput() throws IOException {
        try {
            channel().shutdownInput();
        } catch (IOException e) {
            throw translate(e);
        }
    }

    @Override
    protected void shutdownOutput() throws IOException {
        try {
            channel().shutdownOutput();
        } catch (IOException e) {
            throw translate(e);
        }
    }

    @Override
    protected boolean supportsUrgentData() {
        return true;
    }

    @Override
    protected void sendUrgentData(final int data) throws IOException {
        try {
            channel().sendUrgent(data);
        } catch (NotYetConnectedException e) {
            throw new SocketException("Not connected");
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /** The standard option behind a {@link SocketOptions} number, or null for SO_TIMEOUT and SO_BINDADDR. */
    private static SocketOption<?> standard(final int optID) throws SocketException {
        return switch (optID) {
            case SocketOptions.TCP_NODELAY -> StandardSocketOptions.TCP_NODELAY;
            case SocketOptions.SO_KEEPALIVE -> StandardSocketOptions.SO_KEEPALIVE;
            case SocketOptions.SO_REUSEADDR -> StandardSocketOptions.SO_REUSEADDR;
            case SocketOptions.SO_REUSEPORT -> StandardSocketOptions.SO_REUSEPORT;
            case SocketOptions.SO_LINGER -> StandardSocketOptions.SO_LINGER;
            case SocketOptions.SO_SNDBUF -> StandardSocketOptions.SO_SNDBUF;
            case SocketOptions.SO_RCVBUF -> StandardSocketOptions.SO_RCVBUF;
            case SocketOptions.IP_TOS -> StandardSocketOptions.IP_TOS;
            case SocketOptions.SO_TIMEOUT, SocketOptions.SO_BINDADDR -> null;
            default -> throw new SocketException("Unknown option " + optID + " for the net domain's sockets");
        };
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void setOption(final int optID, final Object value) throws SocketException {
        if (closed) {
            throw closedSocket();
        }
        if (optID == SocketOptions.SO_TIMEOUT) {
            final int t = (Integer) value;
            if (t < 0) {
                throw new IllegalArgumentException("timeout < 0");
            }
            timeoutMs = t;
            return;
        }
        if (optID == SocketOptions.SO_OOBINLINE && !server) {
            try {
                channel().setOobInline((Boolean) value);
            } catch (SocketException e) {
                throw e;
            } catch (IOException e) {
                throw new SocketException(e.getMessage());
            }
            return;
        }
        final SocketOption name = standard(optID);
        if (name == null) {
            throw new SocketException("Option " + optID + " cannot be set");
        }
        Object v = value;
        if (name == StandardSocketOptions.SO_LINGER && value instanceof Boolean off) {
            v = off ? 0 : -1; // Socket.setSoLinger(false, ..) passes Boolean.FALSE
        }
        try {
            if (server) {
                listener().setOption(SocketOptionTable.SERVER_SOCKET, name, v);
            } else {
                channel().setOption(name, v);
            }
        } catch (UnsupportedOperationException e) {
            throw new SocketException(e.getMessage());
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    public Object getOption(final int optID) throws SocketException {
        if (closed) {
            throw closedSocket();
        }
        if (optID == SocketOptions.SO_TIMEOUT) {
            return timeoutMs;
        }
        try {
            if (optID == SocketOptions.SO_OOBINLINE && !server) {
                return channel().oobInline();
            }
            if (optID == SocketOptions.SO_BINDADDR) {
                final SocketAddress local = server ? listener().getLocalAddress() : channel().getLocalAddress();
                return local == null ? InetAddress.getByName("0.0.0.0")
                        : ((InetSocketAddress) local).getAddress();
            }
            final SocketOption<?> name = standard(optID);
            final Object v = server ? listener().getOption(SocketOptionTable.SERVER_SOCKET, name)
                    : channel().getOption(name);
            if (name == StandardSocketOptions.SO_LINGER && (Integer) v < 0) {
                return Boolean.FALSE; // Socket.getSoLinger reads a Boolean as off
            }
            return v;
        } catch (UnsupportedOperationException e) {
            throw new SocketException(e.getMessage());
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    protected <T> void setOption(final SocketOption<T> name, final T value) throws IOException {
        if (closed) {
            throw closedSocket();
        }
        try {
            if (server) {
                listener().setOption(SocketOptionTable.SERVER_SOCKET, name, value);
            } else {
                channel().setOption(name, value);
            }
        } catch (IOException e) {
            throw translate(e);
        }
    }

    @Override
    protected <T> T getOption(final SocketOption<T> name) throws IOException {
        if (closed) {
            throw closedSocket();
        }
        try {
            return server ? listener().getOption(SocketOptionTable.SERVER_SOCKET, name) : channel().getOption(name);
        } catch (IOException e) {
            throw translate(e);
        }
    }

    @Override
    protected java.util.Set<SocketOption<?>> supportedOptions() {
        return server ? SocketOptionTable.names(SocketOptionTable.SERVER_SOCKET)
                : SocketOptionTable.names(SocketOptionTable.STREAM);
    }

    @Override
    public String toString() {
        return "VosSocketImpl[" + (server ? listener : channel) + "]";
    }
}
