package dev.vos.client.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.ServerSocketChannel;
import java.util.Set;

/**
 * {@link VosServerSocketChannel#socket()}: a {@code ServerSocket} whose every method goes to the channel, as the
 * default provider's {@code ServerSocketAdaptor}. The JDK's {@code HttpServer} binds its channel through it. Its
 * {@link #accept()} is the channel's (blocking mode only), answering the accepted channel's {@code Socket} adaptor;
 * with SO_TIMEOUT it is the channel's {@link VosServerSocketChannel#acceptWithin} (the domain keeps no timers).
 */
final class VosServerSocketAdaptor extends ServerSocket {

    private final VosServerSocketChannel channel;
    private volatile int timeoutMs;

    VosServerSocketAdaptor(final VosServerSocketChannel channel) {
        super(NoSocketImpl.INSTANCE);
        this.channel = channel;
    }

    @Override
    public void bind(final SocketAddress local) throws IOException {
        bind(local, 50);
    }

    @Override
    public void bind(final SocketAddress local, final int backlog) throws IOException {
        try {
            channel.bind(local == null ? new InetSocketAddress(0) : local, backlog);
        } catch (AlreadyBoundException e) {
            throw new SocketException("Already bound"); // the default adaptor's translation
        } catch (ClosedChannelException e) {
            throw new SocketException("Socket is closed");
        }
    }

    private InetSocketAddress local() {
        try {
            return channel.isOpen() ? channel.boundAddress() : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public InetAddress getInetAddress() {
        final InetSocketAddress local = local();
        return local == null ? null : local.getAddress();
    }

    @Override
    public int getLocalPort() {
        final InetSocketAddress local = local();
        return local == null ? -1 : local.getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return local();
    }

    /**
     * The next connection, as the channel accepts it, as its {@code Socket} adaptor: the channel must be blocking;
     * with SO_TIMEOUT, {@code SocketTimeoutException("Accept timed out")} when none comes in time (the channel
     * stays open), as the default adaptor.
     */
    @Override
    public Socket accept() throws IOException {
        if (!channel.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        try {
            return channel.acceptWithin(timeoutMs).socket();
        } catch (NotYetBoundException e) {
            throw new SocketException("Socket is not bound yet"); // the default adaptor's translation
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public ServerSocketChannel getChannel() {
        return channel;
    }

    @Override
    public boolean isBound() {
        return channel.isOpen() && local() != null;
    }

    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    @Override
    public void setSoTimeout(final int timeout) throws SocketException {
        if (!channel.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        timeoutMs = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        if (!channel.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        return timeoutMs;
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
    public void setReceiveBufferSize(final int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("size cannot be 0 or negative");
        }
        set(StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return get(StandardSocketOptions.SO_RCVBUF);
    }

    private <T> void set(final SocketOption<T> name, final T value) throws SocketException {
        AdaptorErrors.setOption(channel, name, value);
    }

    private <T> T get(final SocketOption<T> name) throws SocketException {
        return AdaptorErrors.getOption(channel, name);
    }

    @Override
    public <T> ServerSocket setOption(final SocketOption<T> name, final T value) throws IOException {
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
    public String toString() {
        final InetSocketAddress local = local();
        return local == null ? "ServerSocket[unbound]" : "ServerSocket[addr=" + local.getAddress() + ",localport="
                + local.getPort() + "]";
    }
}
