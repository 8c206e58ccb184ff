package dev.vos.client.net;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static dev.vos.client.net.Outcomes.attempt;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Unix domain socket channels on the default provider and through net0, the same scenarios in turn, as
 * {@link NetDifferentialTest} compares TCP: what a program sees must be the same, paths apart (each provider's run
 * names sockets in a directory it may use: a temporary one natively, net0's {@code net.unix} directory through it).
 */
@Timeout(120)
class UnixDifferentialTest {

    @RegisterExtension
    static final Net0Fixture NET0 = new Net0Fixture();

    @TempDir
    Path nativeDir;

    /** A scenario: what it saw, one line per step, given a provider and a directory it may name sockets in. */
    private interface Scenario {
        void run(SelectorProvider provider, Path dir, List<String> seen) throws Exception;
    }

    private void same(final Scenario scenario) throws Exception {
        final List<String> expected = new ArrayList<>();
        scenario.run(SelectorProvider.provider(), nativeDir, expected);
        final List<String> actual = new ArrayList<>();
        scenario.run(NET0.provider(), NET0.unixDir(), actual);
        assertEquals(expected, actual, "the default provider saw " + expected + ", the net domain's " + actual);
    }

    /** An address as a program in {@code dir} would compare it: its name there, "" unnamed, or null. */
    private static String named(final SocketAddress address, final Path dir) {
        if (address == null) {
            return "null";
        }
        final Path path = ((UnixDomainSocketAddress) address).getPath();
        return path.toString().isEmpty() ? "unnamed" : path.startsWith(dir) ? dir.relativize(path).toString()
                : "elsewhere";
    }

    private static Set<String> names(final Set<SocketOption<?>> options) {
        final Set<String> names = new TreeSet<>();
        options.forEach(o -> names.add(o.name()));
        return names;
    }

    /** A Unix channel of {@code provider} connected to {@code path}, as {@code SocketChannel.open(path)} makes one. */
    private static SocketChannel connected(final SelectorProvider provider, final UnixDomainSocketAddress path)
            throws Exception {
        final SocketChannel c = provider.openSocketChannel(StandardProtocolFamily.UNIX);
        c.connect(path);
        return c;
    }

    private static String read(final SocketChannel channel, final int count) throws Exception {
        final ByteBuffer buffer = ByteBuffer.allocate(count);
        while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
            // until count bytes or the end
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    /**
     * A listener and a connection: options, addresses before and after, bytes both ways, the end of the stream,
     * what each refuses (an IP address, the socket adaptor, an option of TCP's), and a second bind of the path.
     */
    @Test
    void aConnection_itsAddressesOptionsAndBytes_asTheDefault() throws Exception {
        same((provider, dir, seen) -> {
            final UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("echo.sock"));
            try (ServerSocketChannel server = provider.openServerSocketChannel(StandardProtocolFamily.UNIX);
                 SocketChannel c = provider.openSocketChannel(StandardProtocolFamily.UNIX)) {
                seen.add("server options " + names(server.supportedOptions()));
                seen.add("server unbound " + named(server.getLocalAddress(), dir));
                seen.add("server accept unbound " + attempt(server::accept));
                seen.add("server socket() " + attempt(server::socket));
                server.bind(path);
                seen.add("server bound " + named(server.getLocalAddress(), dir));
                seen.add("client options " + names(c.supportedOptions()));
                seen.add("client unbound " + named(c.getLocalAddress(), dir) + " " + named(c.getRemoteAddress(), dir));
                seen.add("client socket() " + attempt(c::socket));
                seen.add("client to an IP " + attempt(() -> c.connect(new InetSocketAddress(1))) + " " + c.isOpen());
                seen.add("client TCP_NODELAY " + attempt(() -> c.getOption(StandardSocketOptions.TCP_NODELAY)));
                seen.add("connect " + c.connect(path));
                try (SocketChannel s = server.accept()) {
                    seen.add("accepted " + named(s.getLocalAddress(), dir) + " from " + named(s.getRemoteAddress(),
                            dir));
                    seen.add("client " + named(c.getLocalAddress(), dir) + " to " + named(c.getRemoteAddress(), dir));
                    c.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
                    seen.add("server read " + read(s, 5));
                    s.write(ByteBuffer.wrap("back".getBytes(StandardCharsets.UTF_8)));
                    s.shutdownOutput();
                    seen.add("client read " + read(c, 16));
                    seen.add("SO_LINGER " + c.getOption(StandardSocketOptions.SO_LINGER));
                    c.setOption(StandardSocketOptions.SO_SNDBUF, 65_536);
                    seen.add("SO_SNDBUF " + c.getOption(StandardSocketOptions.SO_SNDBUF));
                }
                try (ServerSocketChannel again = provider.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
                    seen.add("a second bind " + attempt(() -> again.bind(path)));
                }
            }
            // The file stays natively and net0 removes it (docs/network.md): a program removes what is left.
            Files.deleteIfExists(path.getPath());
            seen.add("connect after close " + attempt(() -> provider.openSocketChannel(StandardProtocolFamily.UNIX)
                    .connect(path)));
        });
    }

    /**
     * Connects that fail: no such file, a file that is no socket; each closes the channel. A datagram channel of the
     * Unix family is refused; binds of null name nothing (a client) or a socket of the provider's choosing.
     */
    @Test
    void failedConnects_andBindsOfNull_asTheDefault() throws Exception {
        same((provider, dir, seen) -> {
            final SocketChannel missing = provider.openSocketChannel(StandardProtocolFamily.UNIX);
            seen.add("no file " + attempt(() -> missing.connect(UnixDomainSocketAddress.of(dir.resolve("none"))))
                    + " open " + missing.isOpen());
            final Path file = Files.writeString(dir.resolve("plain"), "not a socket");
            final SocketChannel notSocket = provider.openSocketChannel(StandardProtocolFamily.UNIX);
            seen.add("a plain file " + attempt(() -> notSocket.connect(UnixDomainSocketAddress.of(file)))
                    + " open " + notSocket.isOpen());
            Files.delete(file);
            seen.add("datagram " + attempt(() -> provider.openDatagramChannel(StandardProtocolFamily.UNIX)));
            try (SocketChannel c = provider.openSocketChannel(StandardProtocolFamily.UNIX)) {
                seen.add("client bind(null) " + named(c.bind(null).getLocalAddress(), dir));
            }
            try (ServerSocketChannel s = provider.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
                final Path chosen = ((UnixDomainSocketAddress) s.bind(null).getLocalAddress()).getPath();
                seen.add("server bind(null) names a socket " + Files.exists(chosen));
                try (SocketChannel c = connected(provider, UnixDomainSocketAddress.of(chosen));
                     SocketChannel a = s.accept()) {
                    seen.add("reached " + c.isConnected() + " " + a.isConnected());
                }
                Files.delete(chosen);
            }
        });
    }

    /** A selector waits on a Unix listener, a Unix connection and a TCP listener registered at once. */
    @Test
    void aSelector_overUnixAndTcpChannelsAtOnce_asTheDefault() throws Exception {
        same((provider, dir, seen) -> {
            final UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("select.sock"));
            try (Selector selector = provider.openSelector();
                 ServerSocketChannel unix = provider.openServerSocketChannel(StandardProtocolFamily.UNIX);
                 ServerSocketChannel tcp = provider.openServerSocketChannel()) {
                unix.bind(path).configureBlocking(false).register(selector, SelectionKey.OP_ACCEPT);
                tcp.bind(new InetSocketAddress("127.0.0.1", 0)).configureBlocking(false)
                        .register(selector, SelectionKey.OP_ACCEPT);
                seen.add("nothing ready " + selector.selectNow());
                try (SocketChannel c = connected(provider, path)) {
                    seen.add("ready " + selector.select(10_000) + " unix " + unix.keyFor(selector).isAcceptable());
                    selector.selectedKeys().clear();
                    try (SocketChannel s = unix.accept()) {
                        s.configureBlocking(false).register(selector, SelectionKey.OP_READ);
                        seen.add("nothing to read " + selector.selectNow());
                        c.write(ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8)));
                        seen.add("readable " + selector.select(10_000) + " " + s.keyFor(selector).isReadable());
                    }
                }
            }
        });
    }

    /**
     * A listener of backlog 1 that accepts nothing: non-blocking connects fill its queue, and the next fails at once
     * and closes its channel, as the kernel answers EAGAIN. A blocking connect waits for room and is made once the
     * listener accepts.
     */
    @Test
    void connectsToAFullBacklog_failAtOnceOrWaitForRoom_asTheDefault() throws Exception {
        same((provider, dir, seen) -> {
            final UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("full.sock"));
            final List<SocketChannel> clients = new ArrayList<>();
            try (ServerSocketChannel server = provider.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
                server.bind(path, 1);
                for (int i = 0; i < 4; i++) {
                    final SocketChannel c = provider.openSocketChannel(StandardProtocolFamily.UNIX);
                    clients.add(c);
                    c.configureBlocking(false);
                    seen.add("non-blocking connect " + i + " " + attempt(() -> c.connect(path)) + " open "
                            + c.isOpen());
                }
                final SocketChannel blocking = provider.openSocketChannel(StandardProtocolFamily.UNIX);
                clients.add(blocking);
                final Thread connecting = Thread.ofPlatform().start(() -> seen.add("blocking connect "
                        + attempt(() -> blocking.connect(path))));
                connecting.join(300);
                seen.add("blocking connect waits " + connecting.isAlive());
                server.accept().close(); // room for one
                connecting.join(10_000);
                seen.add("blocking connect done " + !connecting.isAlive() + " " + blocking.isConnected());
            } finally {
                for (SocketChannel c : clients) {
                    c.close();
                }
            }
            Files.deleteIfExists(path.getPath());
        });
    }

    /**
     * SO_PEERCRED names each end's peer as the default provider does: here both ends are this process, and through
     * net0 both are net0's clients, so the user and group are this process's (net0 names them from the client its
     * agent admitted, where the kernel would name net0's process; PeerCredentialsTest in the domain shows two users).
     * Unconnected, listening, set, and closed, it fails as the default provider's does.
     */
    @Test
    void peerCredentials_asTheDefault() throws Exception {
        same((provider, dir, seen) -> {
            final UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("peer.sock"));
            try (ServerSocketChannel server = provider.openServerSocketChannel(StandardProtocolFamily.UNIX);
                 SocketChannel c = provider.openSocketChannel(StandardProtocolFamily.UNIX)) {
                seen.add("unconnected " + attempt(() -> c.getOption(ExtendedSocketOptions.SO_PEERCRED)));
                server.bind(path);
                seen.add("listener " + attempt(() -> server.getOption(ExtendedSocketOptions.SO_PEERCRED)));
                c.connect(path);
                final UnixDomainPrincipal before = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
                seen.add("client's peer before the accept " + before);
                try (SocketChannel s = server.accept()) {
                    final UnixDomainPrincipal peer = s.getOption(ExtendedSocketOptions.SO_PEERCRED);
                    seen.add("accepted's peer " + peer + " uid " + peer.user().hashCode());
                    seen.add("equal to the default provider's own " + peer.equals(SELF));
                    seen.add("set " + attempt(() -> s.setOption(ExtendedSocketOptions.SO_PEERCRED, peer)));
                    seen.add("client's peer after the accept " + c.getOption(ExtendedSocketOptions.SO_PEERCRED));
                }
                c.close();
                seen.add("closed " + attempt(() -> c.getOption(ExtendedSocketOptions.SO_PEERCRED)));
            }
            Files.deleteIfExists(path.getPath());
        });
    }

    /** This process's user and group as the default provider names them: what either end sees of the other. */
    private static final UnixDomainPrincipal SELF = selfPrincipal();

    private static UnixDomainPrincipal selfPrincipal() {
        try {
            final Path dir = Files.createTempDirectory("vos-self-");
            final UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("self.sock"));
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(path);
                try (SocketChannel c = SocketChannel.open(path); SocketChannel s = server.accept()) {
                    return s.getOption(ExtendedSocketOptions.SO_PEERCRED);
                }
            } finally {
                Files.deleteIfExists(path.getPath());
                Files.deleteIfExists(dir);
            }
        } catch (final java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Through net0 a socket's file goes with it: the domain's directory is not the client's to clean. */
    @Test
    void aClosedSocketsFile_isRemovedByNet0() throws Exception {
        final Path path = NET0.unixDir().resolve("gone.sock");
        try (ServerSocketChannel server = NET0.provider().openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            assertTrue(Files.exists(path));
        }
        assertFalse(Files.exists(path));
    }

    /** Through net0, a path outside its directories is refused, and nothing is made there. */
    @Test
    void pathsOutsideTheDomainsDirectory_areRefused() throws Exception {
        final UnixDomainSocketAddress outside = UnixDomainSocketAddress.of(nativeDir.resolve("outside.sock"));
        try (ServerSocketChannel server = NET0.provider().openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            final BindException e = assertThrows(BindException.class, () -> server.bind(outside));
            assertTrue(e.getMessage().contains("EACCES"), e.getMessage());
        }
        assertFalse(Files.exists(outside.getPath()));
        try (ServerSocketChannel native_ = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            native_.bind(outside); // someone listens there, outside net0's directory
            final SocketChannel c = NET0.provider().openSocketChannel(StandardProtocolFamily.UNIX);
            assertThrows(java.net.SocketException.class, () -> c.connect(outside));
            native_.configureBlocking(false);
            assertNull(native_.accept(), "net0 reached no socket outside its directory");
        }
    }
}
