package dev.vos.client.net;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;

/**
 * The {@link DatagramSocketImpl} of a {@code java.net.DatagramSocket} or {@code MulticastSocket} whose socket lives
 * in the net domain ({@link VosSockets#install()} makes every new one of the JVM with it, through the JDK's
 * {@code DatagramSocket.setDatagramSocketImplFactory}, which JDK 25 still honours). The JDK wraps it in its legacy
 * socket, which checks the arguments and the state (closed, bound, connected, the packet's address) before it calls
 * here; each method here is one of a blocking {@link VosDatagramChannel}'s, and its exceptions are the JDK's socket's:
 * {@code SocketException("Socket closed")} for a closed channel, {@code SocketTimeoutException("Receive timed out")}.
 *
 * <p><b>SO_TIMEOUT</b> as {@link VosSocketImpl}'s: a timed receive tries without waiting, and waits for the socket on
 * a selector of its own between tries ({@link DatagramPackets#receive}); no worker is held, and the domain keeps no
 * timer.
 *
 * <p>A packet keeps its room across receives as the JDK's own socket keeps it ({@link DatagramPackets}).
 *
 * <p><b>Multicast</b> through the channel's memberships ({@link DatagramMemberships}, which says how a join that
 * names no interface finds one). The legacy options keep their legacy senses: IP_MULTICAST_LOOP set or read
 * through {@code SocketOptions} means loopback <em>disabled</em>, as {@code MulticastSocket.setLoopbackMode} passes
 * it.
 */
final class VosDatagramSocketImpl extends DatagramSocketImpl {

    private final VosSelectorProvider provider;
    private volatile VosDatagramChannel channel;
    private volatile int timeoutMs;
    private final DatagramMemberships memberships = new DatagramMemberships();

    VosDatagramSocketImpl(final VosSelectorProvider provider) {
        this.provider = provider;
    }

    private VosDatagramChannel channel() throws SocketException {
        final VosDatagramChannel c = channel;
        if (c == null || !c.isOpen()) {
            throw new SocketException("Socket closed");
        }
        return c;
    }

    /** The JDK socket's exception for what the channel threw: SocketException where its methods declare only that. */
    private static SocketException socketException(final IOException e) {
        if (e instanceof SocketException se) {
            return se;
        }
        if (e instanceof ClosedChannelException) {
            return new SocketException("Socket closed", e);
        }
        return new SocketException(e.getMessage(), e);
    }

    @Override
    protected void create() throws SocketException {
        if (provider == null) {
            // The adaptor's: DatagramSocket needs an impl, and every public method of the adaptor is its own.
            throw new SocketException("this impl only stands behind DatagramChannel.socket()");
        }
        try {
            channel = (VosDatagramChannel) provider.openDatagramChannel();
        } catch (IOException e) {
            throw socketException(e);
        }
    }

    @Override
    protected void bind(final int lport, final InetAddress laddr) throws SocketException {
        try {
            final VosDatagramChannel c = channel();
            c.bind(new InetSocketAddress(laddr, lport));
            localPort = ((InetSocketAddress) c.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw socketException(e);
        }
    }

    @Override
    protected void send(final DatagramPacket p) throws IOException {
        final ByteBuffer src = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength());
        try {
            channel().send(src, p.getSocketAddress());
        } catch (AlreadyConnectedException e) {
            throw new IllegalArgumentException("Connected and packet address differ");
        } catch (ClosedChannelException e) {
            throw new SocketException("Socket closed", e);
        }
    }

    @Override
    protected void connect(final InetAddress address, final int port) throws SocketException {
        try {
            final VosDatagramChannel c = channel();
            c.connect(new InetSocketAddress(address, port));
            localPort = ((InetSocketAddress) c.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw socketException(e);
        }
    }

    @Override
    protected void disconnect() {
        try {
            channel().disconnect();
        } catch (IOException e) {
            // As the JDK's disconnect: nothing to report, and a closed socket has no peer left anyway.
        }
    }

    @Override
    @Deprecated
    protected int peek(final InetAddress i) throws IOException {
        // The legacy contract fills i in place, which an InetAddress cannot be from outside java.net: the port only.
        return peekData(new DatagramPacket(new byte[1], 1));
    }

    @Override
    protected int peekData(final DatagramPacket p) throws IOException {
        receive(p, true);
        return p.getPort();
    }

    @Override
    protected void receive(final DatagramPacket p) throws IOException {
        receive(p, false);
    }

    private void receive(final DatagramPacket p, final boolean peek) throws IOException {
        try {
            DatagramPackets.receive(channel(), p, timeoutMs, peek);
        } catch (ClosedChannelException e) {
            throw new SocketException("Socket closed", e);
        }
    }

    @Override
    @Deprecated
    protected void setTTL(final byte ttl) throws IOException {
        setTimeToLive(Byte.toUnsignedInt(ttl));
    }

    @Override
    @Deprecated
    protected byte getTTL() throws IOException {
        return (byte) getTimeToLive();
    }

    @Override
    protected void setTimeToLive(final int ttl) throws IOException {
        channel().setOption(StandardSocketOptions.IP_MULTICAST_TTL, ttl);
    }

    @Override
    protected int getTimeToLive() throws IOException {
        return channel().getOption(StandardSocketOptions.IP_MULTICAST_TTL);
    }

    @Override
    protected void join(final InetAddress group) throws IOException {
        joinGroup(new InetSocketAddress(group, 0), null);
    }

    @Override
    protected void leave(final InetAddress group) throws IOException {
        leaveGroup(new InetSocketAddress(group, 0), null);
    }

    @Override
    protected void joinGroup(final SocketAddress mcastaddr, final NetworkInterface netIf) throws IOException {
        memberships.join(channel(), mcastaddr, netIf);
    }

    @Override
    protected void leaveGroup(final SocketAddress mcastaddr, final NetworkInterface netIf) throws IOException {
        memberships.leave(channel(), mcastaddr, netIf);
    }

    @Override
    protected void close() {
        final VosDatagramChannel c = channel;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // As the JDK's close: the socket is closed to its user whatever the domain answered.
            }
        }
    }

    /** The standard option a legacy option number stands for, or null for those kept here or not served. */
    private static SocketOption<?> standard(final int optID) {
        return switch (optID) {
            case SocketOptions.SO_SNDBUF -> StandardSocketOptions.SO_SNDBUF;
            case SocketOptions.SO_RCVBUF -> StandardSocketOptions.SO_RCVBUF;
            case SocketOptions.SO_REUSEADDR -> StandardSocketOptions.SO_REUSEADDR;
            case SocketOptions.SO_REUSEPORT -> StandardSocketOptions.SO_REUSEPORT;
            case SocketOptions.SO_BROADCAST -> StandardSocketOptions.SO_BROADCAST;
            case SocketOptions.IP_TOS -> StandardSocketOptions.IP_TOS;
            case SocketOptions.IP_MULTICAST_IF2 -> StandardSocketOptions.IP_MULTICAST_IF;
            default -> null;
        };
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void setOption(final int optID, final Object value) throws SocketException {
        final VosDatagramChannel c = channel();
        try {
            switch (optID) {
                case SocketOptions.SO_TIMEOUT -> {
                    final int t = (Integer) value;
                    if (t < 0) {
                        throw new IllegalArgumentException("timeout < 0");
                    }
                    timeoutMs = t;
                }
                case SocketOptions.IP_MULTICAST_LOOP -> // legacy sense: true disables
                        c.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, !(Boolean) value);
                case SocketOptions.IP_MULTICAST_IF -> {
                    final NetworkInterface ni = NetworkInterface.getByInetAddress((InetAddress) value);
                    if (ni == null) {
                        throw new SocketException("No network interface found with address "
                                + ((InetAddress) value).getHostAddress());
                    }
                    c.setOption(StandardSocketOptions.IP_MULTICAST_IF, ni);
                }
                default -> {
                    final SocketOption name = standard(optID);
                    if (name == null) {
                        throw new SocketException("Option " + optID + " cannot be set");
                    }
                    c.setOption(name, value);
                }
            }
        } catch (UnsupportedOperationException e) {
            throw new SocketException(e.getMessage());
        } catch (IOException e) {
            throw socketException(e);
        }
    }

    @Override
    public Object getOption(final int optID) throws SocketException {
        final VosDatagramChannel c = channel();
        try {
            return switch (optID) {
                case SocketOptions.SO_TIMEOUT -> timeoutMs;
                case SocketOptions.IP_MULTICAST_LOOP -> !c.getOption(StandardSocketOptions.IP_MULTICAST_LOOP);
                case SocketOptions.SO_BINDADDR -> {
                    final InetSocketAddress local = (InetSocketAddress) c.getLocalAddress();
                    yield local == null ? new InetSocketAddress(0).getAddress() : local.getAddress();
                }
                case SocketOptions.IP_MULTICAST_IF -> {
                    final NetworkInterface ni = c.getOption(StandardSocketOptions.IP_MULTICAST_IF);
                    yield ni == null ? new InetSocketAddress(0).getAddress()
                            : ni.inetAddresses().findFirst().orElse(new InetSocketAddress(0).getAddress());
                }
                default -> {
                    final SocketOption<?> name = standard(optID);
                    if (name == null) {
                        throw new SocketException("Option " + optID + " cannot be read");
                    }
                    yield c.getOption(name);
                }
            };
        } catch (UnsupportedOperationException e) {
            throw new SocketException(e.getMessage());
        } catch (IOException e) {
            throw socketException(e);
        }
    }

    @Override
    protected <T> void setOption(final SocketOption<T> name, final T value) throws IOException {
        channel().setOption(name, value);
    }

    @Override
    protected <T> T getOption(final SocketOption<T> name) throws IOException {
        return channel().getOption(name);
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        final VosDatagramChannel c = channel;
        return c == null ? Set.of() : c.supportedOptions();
    }
}
