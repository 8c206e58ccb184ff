package dev.vos.client.net;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketImpl;

/**
 * The impl a {@code ServerSocket} or {@code Socket} must be made with; never used, since every method of the
 * adaptors ({@link VosServerSocketAdaptor}, {@link VosSocketAdaptor}) goes to their channel instead.
 */
final class NoSocketImpl extends SocketImpl {

    static final NoSocketImpl INSTANCE = new NoSocketImpl();

    private NoSocketImpl() {
    }

    private static UnsupportedOperationException unused() {
        return new UnsupportedOperationException("the net provider's socket adaptors have no SocketImpl");
    }

    @Override
    protected void create(final boolean stream) {
        throw unused();
    }

    @Override
    protected void connect(final String host, final int port) {
        throw unused();
    }

    @Override
    protected void connect(final InetAddress address, final int port) {
        throw unused();
    }

    @Override
    protected void connect(final SocketAddress address, final int timeout) {
        throw unused();
    }

    @Override
    protected void bind(final InetAddress host, final int port) {
        throw unused();
    }

    @Override
    protected void listen(final int backlog) {
        throw unused();
    }

    @Override
    protected void accept(final SocketImpl s) {
        throw unused();
    }

    @Override
    protected InputStream getInputStream() {
        throw unused();
    }

    @Override
    protected OutputStream getOutputStream() {
        throw unused();
    }

    @Override
    protected int available() {
        throw unused();
    }

    @Override
    protected void close() {
        // nothing was opened
    }

    @Override
    protected void sendUrgentData(final int data) {
        throw unused();
    }

    @Override
    public void setOption(final int optID, final Object value) {
        throw unused();
    }

    @Override
    public Object getOption(final int optID) {
        throw unused();
    }
}
