package dev.vos.client.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.util.Set;

/**
 * {@link VosDatagramChannel#socket()}: a {@code DatagramSocket} over the channel, as the default provider's
 * {@code DatagramSocketAdaptor} (Netty's NIO datagram channel sets its options through it). Every public method of
 * {@code DatagramSocket} is the channel's, with the default adaptor's checks and exceptions
 * ({@code SocketException("Socket is closed")}, {@code IllegalArgumentException("Address not set")} ...); the state
 * (bound, connected, closed) is the channel's, so the channel and its socket never disagree. Send and receive need a
 * blocking channel ({@code IllegalBlockingModeException} otherwise, as the default's); SO_TIMEOUT and a packet's
 * room are {@link DatagramPackets}'s, joins {@link DatagramMemberships}'s. The JDK's {@code DatagramSocket} must be
 * made with an impl: it is an impl that is never created, since nothing here reaches it.
 */
final class VosDatagramSocketAdaptor extends DatagramSocket {

    private final VosDatagramChannel channel;
    private final DatagramMemberships memberships = new DatagramMemberships();
    private volatile int timeoutMs;

    VosDatagramSocketAdaptor(final VosDatagramChannel channel) {
        super(new VosDatagramSocketImpl(null));
        this.channel = channel;
    }

    @Override
    public void bind(final SocketAddress local) throws SocketException {
        try {
            channel.bind(local != null ? ChannelAddresses.inet(local) : new InetSocketAddress(0));
        } catch (IOException | RuntimeException e) {
            throw AdaptorErrors.socketException(e);
        }
    }

    @Override
    public void connect(final InetAddress address, final int port) {
        if (address == null) {
            throw new IllegalArgumentException("Address can't be null");
        }
        try {
            connectInternal(new InetSocketAddress(address, port));
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void connect(final SocketAddress remote) throws SocketException {
        if (remote == null) {
            throw new IllegalArgumentException("Address can't be null");
        }
        connectInternal(remote);
    }

    /** The default adaptor's: a connect again replaces the peer; a closed channel is ignored. */
    private void connectInternal(final SocketAddress remote) throws SocketException {
        try {
            if (channel.isConnected()) {
                channel.disconnect();
            }
            channel.connect(remote);
        } catch (ClosedChannelException e) {
            // as the default adaptor: a connect of a closed socket does nothing
        } catch (IOException | RuntimeException e) {
            throw AdaptorErrors.socketException(e);
        }
    }

    @Override
    public void disconnect() {
        try {
            channel.disconnect();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean isBound() {
        return localAddress() != null;
    }

    @Override
    public boolean isConnected() {
        return channel.isConnected();
    }

    private InetSocketAddress remoteAddress() {
        try {
            return (InetSocketAddress) channel.getRemoteAddress();
        } catch (IOException e) {
            return null; // closed
        }
    }

    private InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            return null; // closed
        }
    }

    @Override
    public InetAddress getInetAddress() {
        final InetSocketAddress remote = remoteAddress();
        return remote != null ? remote.getAddress() : null;
    }

    @Override
    public int getPort() {
        final InetSocketAddress remote = remoteAddress();
        return remote != null ? remote.getPort() : -1;
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return remoteAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return isClosed() ? null : localAddress();
    }

    @Override
    public void send(final DatagramPacket p) throws IOException {
        synchronized (p) {
            if (!channel.isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            final ByteBuffer src = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength());
            try {
                if (p.getAddress() == null) {
                    final InetSocketAddress remote = remoteAddress();
                    if (remote == null) {
                        throw new IllegalArgumentException("Address not set");
                    }
                    channel.send(src, remote);
                    p.setSocketAddress(remote); // as the default adaptor: the packet names where it went
                } else {
                    channel.send(src, p.getSocketAddress());
                }
            } catch (AlreadyConnectedException e) {
                throw new IllegalArgumentException("Connected and packet address differ");
            } catch (ClosedChannelException e) {
                throw new SocketException("Socket closed", e);
            }
        }
    }

    @Override
    public void receive(final DatagramPacket p) throws IOException {
        synchronized (p) {
            if (!channel.isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            try {
                DatagramPackets.receive(channel, p, timeoutMs, false);
            } catch (ClosedChannelException e) {
                throw new SocketException("Socket closed", e);
            }
        }
    }

    @Override
    public InetAddress getLocalAddress() {
        if (isClosed()) {
            return null;
        }
        final InetSocketAddress local = localAddress();
        return (local != null ? local : new InetSocketAddress(0)).getAddress();
    }

    @Override
    public int getLocalPort() {
        if (isClosed()) {
            return -1;
        }
        final InetSocketAddress local = localAddress();
        return local != null ? local.getPort() : 0;
    }

    @Override
    public void setSoTimeout(final int timeout) throws SocketException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        timeoutMs = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        return timeoutMs;
    }

    private <T> void set(final SocketOption<T> name, final T value) throws SocketException {
        AdaptorErrors.setOption(channel, name, value);
    }

    private <T> T get(final SocketOption<T> name) throws SocketException {
        return AdaptorErrors.getOption(channel, name);
    }

    @Override
    public void setSendBufferSize(final int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("Invalid send size");
        }
        set(StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return get(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setReceiveBufferSize(final int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("Invalid receive size");
        }
        set(StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return get(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setReuseAddress(final boolean on) throws SocketException {
        set(StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return get(StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public void setBroadcast(final boolean on) throws SocketException {
        set(StandardSocketOptions.SO_BROADCAST, on);
    }

    @Override
    public boolean getBroadcast() throws SocketException {
        return get(StandardSocketOptions.SO_BROADCAST);
    }

    @Override
    public void setTrafficClass(final int tc) throws SocketException {
        set(StandardSocketOptions.IP_TOS, tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return get(StandardSocketOptions.IP_TOS);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    @Override
    public DatagramChannel getChannel() {
        return channel;
    }

    @Override
    public <T> DatagramSocket setOption(final SocketOption<T> name, final T value) throws IOException {
        channel.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(final SocketOption<T> name) throws IOException {
        return channel.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return channel.supportedOptions();
    }

    @Override
    public void joinGroup(final SocketAddress mcastaddr, final NetworkInterface netIf) throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        memberships.join(channel, mcastaddr, netIf);
    }

    @Override
    public void leaveGroup(final SocketAddress mcastaddr, final NetworkInterface netIf) throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        memberships.leave(channel, mcastaddr, netIf);
    }
}
