package dev.vos.client.net;

import dev.vos.client.DomainClient;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.client.CallSource;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;

/**
 * A {@link SelectorProvider} whose TCP channels live in a net domain: unmodified code that opens a
 * {@code SocketChannel} or {@code ServerSocketChannel} gets one whose socket calls the domain executes. Installed for
 * a whole JVM with
 *
 * <pre>
 * java -Djava.nio.channels.spi.SelectorProvider=dev.vos.client.net.VosSelectorProvider -cp ... app.Main
 * </pre>
 *
 * <p>The JDK makes it with no arguments; it then finds its domain as the {@code vos://} file system provider finds
 * its: the system property {@code vos.net.socket} (an agent's socket, for a domain run by hand), else the domain
 * named by {@code vos.net.domain} (default {@code net0}) in the state directory {@code vos.stateDir}, else
 * {@code $VOS_STATE_DIR}, else vos's default. Nothing is attached until the first channel is opened.
 *
 * <p><b>Served:</b> {@code SocketChannel} (bind, connect, read, write, shutdownInput/Output, close, local and
 * remote address, the TCP {@code StandardSocketOptions}), {@code ServerSocketChannel} (bind, accept, close, its
 * options) and {@code DatagramChannel} (UDP: bind, send, receive, connect, disconnect, read, write, its options,
 * multicast), blocking and non-blocking, IPv4 and IPv6, the three channels' {@code socket()} adaptors, Unix domain
 * sockets ({@code StandardProtocolFamily.UNIX}: stream channels, in the directories the domain's {@code net.unix}
 * names), and a {@link #openSelector() Selector} over them all. As the default provider, a {@code DatagramChannel}
 * of the Unix family is {@code UnsupportedOperationException}.
 * {@link #openPipe()} is a pipe in this JVM that the selector takes beside the domain's sockets.
 */
public final class VosSelectorProvider extends SelectorProvider {

    /** The system property naming an agent socket to use directly. */
    public static final String SOCKET_PROPERTY = "vos.net.socket";
    /** The system property naming the net domain in the state directory. */
    public static final String DOMAIN_PROPERTY = "vos.net.domain";
    /** The domain used when {@link #DOMAIN_PROPERTY} is not set. */
    public static final String DEFAULT_DOMAIN = "net0";

    private final NetClient client;

    /** The provider the JDK makes: its domain from the system properties (see the class comment). */
    public VosSelectorProvider() {
        this(fromProperties());
    }

    /** A provider whose channels use {@code net}, a client of a net domain the caller made and keeps. */
    public VosSelectorProvider(final DomainClient net) {
        this(net.domain(), net);
    }

    /** A provider whose channels use {@code calls}, the ring of the net domain {@code domain}. */
    public VosSelectorProvider(final String domain, final CallSource calls) {
        this.client = new NetClient(domain, calls);
    }

    private static DomainClient fromProperties() {
        final String socket = System.getProperty(SOCKET_PROPERTY);
        final String domain = System.getProperty(DOMAIN_PROPERTY, DEFAULT_DOMAIN);
        if (socket != null && !socket.isBlank()) {
            return DomainClient.forSocket(domain, Path.of(socket), DomainClient.Options.DEFAULT);
        }
        return DomainClient.forDomain(DomainClient.stateDirFromEnvironment(), domain, DomainClient.Options.DEFAULT);
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return new VosSocketChannel(this, client, SockaddrLayout.AF_INET);
    }

    @Override
    public SocketChannel openSocketChannel(final ProtocolFamily family) throws IOException {
        return new VosSocketChannel(this, client, familyOf(family));
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return new VosServerSocketChannel(this, client, SockaddrLayout.AF_INET);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(final ProtocolFamily family) throws IOException {
        return new VosServerSocketChannel(this, client, familyOf(family));
    }

    private static int familyOf(final ProtocolFamily family) {
        if (family == StandardProtocolFamily.UNIX) {
            return SockaddrLayout.AF_UNIX;
        }
        return ipFamilyOf(family);
    }

    private static int ipFamilyOf(final ProtocolFamily family) {
        if (family == StandardProtocolFamily.INET) {
            return SockaddrLayout.AF_INET;
        }
        if (family == StandardProtocolFamily.INET6) {
            return SockaddrLayout.AF_INET6;
        }
        throw new UnsupportedOperationException("Protocol family not supported"); // the default provider's words
    }

    @Override
    public AbstractSelector openSelector() {
        return new VosSelector(this, client);
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return new VosDatagramChannel(this, client, SockaddrLayout.AF_INET);
    }

    @Override
    public DatagramChannel openDatagramChannel(final ProtocolFamily family) throws IOException {
        return new VosDatagramChannel(this, client, ipFamilyOf(family)); // no Unix datagrams, as the default's
    }

    /** A pipe in this JVM whose ends a selector of this provider waits on beside sockets ({@link VosPipe}). */
    @Override
    public Pipe openPipe() {
        return new VosPipe(this);
    }
}
