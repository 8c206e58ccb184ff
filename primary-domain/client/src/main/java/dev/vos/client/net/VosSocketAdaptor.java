package dev.vos.client.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;

/**
 * {@link VosSocketChannel#socket()}: a {@code Socket} over the channel, as the default provider's
 * {@code SocketAdaptor}, for what programs ask of it beside the channel (the JDK's {@code HttpServer} asks an
 * exchange's addresses through it, and sets {@code TCP_NODELAY} through it; Netty sets its {@code ChannelOption}s
 * and asks whether input is shut through it): addresses, state, shutdowns, options, close, and its streams (blocking
 * mode only, as the default's, with SO_TIMEOUT on reads), and its own bind and connect (with a timeout), which are
 * the channel's with the default adaptor's exceptions ({@code SocketException("Already bound")} ...).
 *
 * <p><b>SO_TIMEOUT.</b> A timed read is the channel's {@link VosSocketChannel#readWithin readWithin}: it never waits in
 * the domain (the domain keeps no timers, and a call in the ring cannot be taken back); it reads what is there
 * without waiting, and while nothing is, waits on a selector of its own for the rest of the timeout, then reads
 * again; {@code SocketTimeoutException("Read timed out")} when the time is up, as the default's. The program's
 * channel stays blocking, and unregistered, throughout.
 */
final class VosSocketAdaptor extends Socket {

    private final VosSocketChannel channel;
    private volatile int timeoutMs;

    VosSocketAdaptor(final VosSocketChannel channel) throws SocketException {
        super(NoSocketImpl.INSTANCE);
        this.channel = channel;
    }

    /**
     * The channel's connect, waiting at most {@code timeout} ms (0: no limit), as the default adaptor: the channel
     * must be blocking; a failed or timed-out connect closes it.
     */
    @Override
    public void connect(final SocketAddress remote, final int timeout) throws IOException {
        if (remote == null) {
            throw new IllegalArgumentException("connect: The address can't be null");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative");
        }
        if (!channel.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        try {
            channel.connectWithin(ChannelAddresses.destination(remote), timeout);
        } catch (java.nio.channels.AsynchronousCloseException e) {
            throw e;
        } catch (java.nio.channels.ClosedChannelException e) {
            // the default's blockingConnect ends a connect on a channel that is not open so
            throw new java.nio.channels.AsynchronousCloseException();
        } catch (RuntimeException | IOException e) {
            throw translated(e, true);
        }
    }

    /** The channel's bind (null: an ephemeral port of the wildcard address), as the default adaptor. */
    @Override
    public void bind(final SocketAddress local) throws IOException {
        try {
            channel.bind(local);
        } catch (RuntimeException | IOException e) {
            throw translated(e, false);
        }
    }

    /**
     * What the default adaptor throws for a channel's exception ({@code sun.nio.ch.Net.translateException}): an
     * I/O exception as it is; the channel's state exceptions as {@code SocketException}s with the default's texts,
     * an unresolved address as {@code UnknownHostException} on connect; any other runtime exception as it is.
     */
    private static IOException translated(final Exception e, final boolean connecting) {
        return switch (e) {
            case IOException io -> io;
            case java.nio.channels.UnresolvedAddressException u when connecting -> new java.net.UnknownHostException();
            default -> AdaptorErrors.socketException(e);
        };
    }

    /**
     * The channel's bytes as a stream, as the default provider's adaptor gives them: the channel must be in blocking
     * mode ({@code IllegalBlockingModeException} otherwise); closing the stream closes the channel.
     */
    @Override
    public InputStream getInputStream() throws IOException {
        checkStreams();
        if (channel.isInputShutdown()) {
            throw new SocketException("Socket input is shutdown");
        }
        return new InputStream() {
            @Override
            public int read() throws IOException {
                final byte[] one = new byte[1];
                final int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(final byte[] b, final int off, final int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (len == 0) {
                    return 0;
                }
                blockingOnly();
                // blocking: some bytes, or -1 at the end; with SO_TIMEOUT, within it (see the class comment)
                return channel.readWithin(ByteBuffer.wrap(b, off, len), timeoutMs);
            }

            @Override
            public int available() throws IOException {
                return channel.available(); // as the default adaptor's stream: the channel's exceptions
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        checkStreams();
        if (channel.isOutputShutdown()) {
            throw new SocketException("Socket output is shutdown");
        }
        return new OutputStream() {
            @Override
            public void write(final int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(final byte[] b, final int off, final int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                blockingOnly();
                final ByteBuffer src = ByteBuffer.wrap(b, off, len);
                while (src.hasRemaining()) {
                    channel.write(src); // blocking: all of it
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    /** The default adaptor's checks before it hands out a stream. */
    private void checkStreams() throws SocketException {
        if (!channel.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        if (!channel.isConnected()) {
            throw new SocketException("Socket is not connected");
        }
    }

    private void blockingOnly() {
        if (!channel.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
    }

    private InetSocketAddress remote() {
        try {
            return channel.isOpen() && channel.isConnected() ? (InetSocketAddress) channel.getRemoteAddress() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private InetSocketAddress local() {
        try {
            return channel.isOpen() ? (InetSocketAddress) channel.getLocalAddress() : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public InetAddress getInetAddress() {
        final InetSocketAddress remote = remote();
        return remote == null ? null : remote.getAddress();
    }

    @Override
    public int getPort() {
        final InetSocketAddress remote = remote();
        return remote == null ? 0 : remote.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return remote();
    }

    @Override
    public InetAddress getLocalAddress() {
        final InetSocketAddress local = local();
        return local == null ? new InetSocketAddress(0).getAddress() : local.getAddress();
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

    @Override
    public SocketChannel getChannel() {
        return channel;
    }

    @Override
    public boolean isConnected() {
        return channel.isConnected();
    }

    @Override
    public boolean isBound() {
        return local() != null;
    }

    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        channel.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public boolean isInputShutdown() {
        return !channel.isOpen() || channel.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return !channel.isOpen() || channel.isOutputShutdown();
    }

    @Override
    public void setSoTimeout(final int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        timeoutMs = timeout; // kept for getSoTimeout: the adaptor has no stream a timeout would apply to
    }

    @Override
    public int getSoTimeout() {
        return timeoutMs;
    }

    private <T> void set(final SocketOption<T> name, final T value) throws SocketException {
        AdaptorErrors.setOption(channel, name, value);
    }

    private <T> T get(final SocketOption<T> name) throws SocketException {
        return AdaptorErrors.getOption(channel, name);
    }

    @Override
    public void setTcpNoDelay(final boolean on) throws SocketException {
        set(StandardSocketOptions.TCP_NODELAY, on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return get(StandardSocketOptions.TCP_NODELAY);
    }

    @Override
    public void setKeepAlive(final boolean on) throws SocketException {
        set(StandardSocketOptions.SO_KEEPALIVE, on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return get(StandardSocketOptions.SO_KEEPALIVE);
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

    /** As the default provider's adaptor: off is -1, and a negative linger with {@code on} is off too. */
    @Override
    public void setSoLinger(final boolean on, final int linger) throws SocketException {
        set(StandardSocketOptions.SO_LINGER, on ? linger : -1);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return get(StandardSocketOptions.SO_LINGER);
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
    public void setTrafficClass(final int tc) throws SocketException {
        set(StandardSocketOptions.IP_TOS, tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return get(StandardSocketOptions.IP_TOS);
    }

    @Override
    public <T> Socket setOption(final SocketOption<T> name, final T value) throws IOException {
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
        final InetSocketAddress remote = remote();
        return remote == null ? "Socket[unconnected]" : "Socket[addr=" + remote.getAddress() + ",port="
                + remote.getPort() + ",localport=" + getLocalPort() + "]";
    }
}
