package dev.vos.client.net;

import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32;

import static dev.vos.client.net.Outcomes.attempt;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The same small scenarios on the JDK's default provider and on the net domain's, over loopback: each scenario
 * records what a program would see (bytes, end of stream, the exception classes), and the two records must be
 * equal. A scenario that only one provider could pass (the domain's bind policy) is tested on its own.
 */
@Timeout(120)
class NetDifferentialTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @RegisterExtension
    static final Net0Fixture NET0 = new Net0Fixture();

    /** A scenario: what it saw, one line per step. */
    private interface Scenario {
        void run(SelectorProvider provider, List<String> seen) throws Exception;
    }

    private static List<String> outcome(final SelectorProvider provider, final Scenario scenario) throws Exception {
        final List<String> seen = new ArrayList<>();
        scenario.run(provider, seen);
        return seen;
    }

    private static void same(final Scenario scenario) throws Exception {
        final List<String> expected = outcome(SelectorProvider.provider(), scenario);
        final List<String> actual = outcome(NET0.provider(), scenario);
        assertEquals(expected, actual, "the default provider saw " + expected + ", the net domain's " + actual);
    }

    /** A scenario on one connection: the listener, the connecting end and the accepted end. */
    private interface ConnectedScenario {
        void run(ServerSocketChannel server, SocketChannel c, SocketChannel s, List<String> seen) throws Exception;
    }

    /** {@link #same}, each provider's run given a connection of its own channels over loopback. */
    private static void sameConnected(final ConnectedScenario scenario) throws Exception {
        same((provider, seen) -> {
            try (ServerSocketChannel server = listener(provider);
                 SocketChannel c = provider.openSocketChannel()) {
                c.connect(server.getLocalAddress());
                try (SocketChannel s = server.accept()) {
                    scenario.run(server, c, s, seen);
                }
            }
        });
    }

    private static ServerSocketChannel listener(final SelectorProvider provider) throws IOException {
        final ServerSocketChannel server = provider.openServerSocketChannel();
        server.bind(new InetSocketAddress(LOOPBACK, 0));
        return server;
    }

    private static String readAll(final SocketChannel channel, final int count) throws IOException {
        final ByteBuffer buffer = ByteBuffer.allocate(count);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                break;
            }
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    /**
     * Scattering reads and gathering writes of a connection and of a pipe: the bytes of three buffers arrive whole
     * and in order through scattering reads; on a connection, one read of bytes already there fills every buffer it
     * can, as {@code readv} does (the pipe's reads may stop short: the test gathers them until all are there); a
     * read into a read-only buffer is refused before it takes a byte; a buffer array with no room reads 0, bad
     * offsets throw as the default's, the end of the stream reads -1, and a closed channel throws the default's
     * exception.
     */
    @Test
    void scatteringReadsAndGatheringWrites_ofAConnectionAndAPipe_asTheDefault() throws Exception {
        sameConnected((server, c, s, seen) -> {
            final ByteBuffer[] three = {text("alpha-"), text("beta-"), text("gamma")};
            seen.add("wrote " + c.write(three) + ", left " + three[2].remaining());
            seen.add("arrived " + availableOnceAtLeast(s.socket().getInputStream(), 16));
            final ByteBuffer[] pair = {ByteBuffer.allocate(3), ByteBuffer.allocate(4)};
            seen.add("one scattering read of what is there fills both: " + s.read(pair) + " "
                    + pair[0].position() + "+" + pair[1].position());
            seen.add("into a read-only buffer: " + attempt(() -> s.read(ByteBuffer.allocate(4).asReadOnlyBuffer())));
            seen.add("with a read-only buffer among them: " + attempt(() -> s.read(new ByteBuffer[] {
                ByteBuffer.allocate(2), ByteBuffer.allocate(2).asReadOnlyBuffer()})));
            seen.add("read back, nothing lost " + scatterAll(s::read, 9));
            seen.add("no room: " + s.read(new ByteBuffer[] {ByteBuffer.allocate(0), ByteBuffer.allocate(0)}));
            seen.add("bad offset: " + attempt(() -> s.read(new ByteBuffer[1], 1, 1)));
            seen.add("bad length: " + attempt(() -> c.write(new ByteBuffer[1], 0, 2)));
            c.shutdownOutput();
            seen.add("at the end: " + s.read(new ByteBuffer[] {ByteBuffer.allocate(4)}));
            c.close();
            seen.add("closed: " + attempt(() -> c.write(new ByteBuffer[] {text("x")})));
            seen.add("closed, into a read-only buffer: " + attempt(() -> c.read(new ByteBuffer[] {
                ByteBuffer.allocate(4).asReadOnlyBuffer()})));
        });
        same((provider, seen) -> {
            final Pipe pipe = provider.openPipe();
            try (Pipe.SourceChannel source = pipe.source();
                 Pipe.SinkChannel sink = pipe.sink()) {
                seen.add("wrote " + sink.write(new ByteBuffer[] {text("one-"), text("two-"), text("three")}));
                seen.add("read back " + scatterAll(source::read, 13));
                seen.add("into a read-only buffer: " + attempt(() -> source.read(ByteBuffer.allocate(4)
                        .asReadOnlyBuffer())));
                seen.add("no room: " + source.read(new ByteBuffer[] {ByteBuffer.allocate(0)}));
                seen.add("bad offset: " + attempt(() -> source.read(new ByteBuffer[2], 3, 0)));
                sink.close();
                seen.add("at the end: " + source.read(new ByteBuffer[] {ByteBuffer.allocate(4)}));
                source.close();
                seen.add("closed: " + attempt(() -> source.read(new ByteBuffer[] {ByteBuffer.allocate(4)})));
                seen.add("closed, into a read-only buffer: " + attempt(() -> source.read(new ByteBuffer[] {
                    ByteBuffer.allocate(4).asReadOnlyBuffer()})));
            }
        });
    }

    private static ByteBuffer text(final String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private interface ScatteringRead {
        long read(ByteBuffer[] dsts) throws IOException;
    }

    /** Reads {@code count} bytes through scattering reads into pairs of small buffers, and returns them as text. */
    private static String scatterAll(final ScatteringRead read, final int count) throws IOException {
        final StringBuilder got = new StringBuilder();
        while (got.length() < count) {
            final ByteBuffer[] pair = {ByteBuffer.allocate(3), ByteBuffer.allocate(4)};
            if (read.read(pair) < 0) {
                break;
            }
            for (ByteBuffer b : pair) {
                got.append(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
            }
        }
        return got.toString();
    }

    /**
     * {@code available()} of a channel's socket stream: 0 before any bytes, then what arrived (asked until it is all
     * there: loopback delivers at once, but not in the same instant), less what was read, 0 after shutdownInput,
     * and the channel's exception once closed.
     */
    @Test
    void available_ofTheAdaptorsStream_countsWhatArrivedAndNotRead() throws Exception {
        same((provider, seen) -> {
            try (ServerSocketChannel server = listener(provider);
                 SocketChannel c = provider.openSocketChannel()) {
                c.connect(server.getLocalAddress());
                final SocketChannel s = server.accept();
                final InputStream in = s.socket().getInputStream();
                seen.add("before any bytes: " + in.available());
                c.write(ByteBuffer.wrap(new byte[100]));
                seen.add("after 100 bytes: " + availableOnceAtLeast(in, 100));
                seen.add("read " + in.readNBytes(40).length + ", then: " + in.available());
                s.shutdownInput();
                seen.add("after shutdownInput: " + in.available());
                s.close();
                seen.add("closed: " + attempt(in::available));
            }
        });
    }

    /**
     * A channel's socket adaptor bound and connected through the adaptor itself (a program handed
     * {@code channel.socket()}): the misuse it refuses, the port it binds, the bytes, and a refused connect, each
     * with the default adaptor's exception and text, and the channel's state after.
     */
    @Test
    void adaptorBindAndConnect_asTheDefaultAdaptors() throws Exception {
        final SocketAddress refused;
        try (ServerSocketChannel probe = SelectorProvider.provider().openServerSocketChannel()) {
            probe.bind(new InetSocketAddress(LOOPBACK, 0));
            refused = probe.getLocalAddress();
        }
        same((provider, seen) -> {
            try (ServerSocketChannel server = listener(provider);
                 SocketChannel c = provider.openSocketChannel()) {
                final Socket a = c.socket();
                seen.add("connect null: " + told(() -> a.connect(null)));
                seen.add("connect negative: " + told(() -> a.connect(server.getLocalAddress(), -1)));
                a.bind(new InetSocketAddress(LOOPBACK, 0));
                final int channelPort = ((InetSocketAddress) c.getLocalAddress()).getPort();
                seen.add("bound=" + a.isBound() + ", loopback=" + a.getLocalAddress().isLoopbackAddress()
                        + ", the channel's port=" + (channelPort == a.getLocalPort()));
                seen.add("bind again: " + told(() -> a.bind(new InetSocketAddress(LOOPBACK, 0))));
                a.connect(server.getLocalAddress(), 5_000);
                seen.add("connected=" + a.isConnected() + "," + c.isConnected());
                try (SocketChannel s = server.accept()) {
                    seen.add("peer port is the bound one: "
                            + (((InetSocketAddress) s.getRemoteAddress()).getPort() == a.getLocalPort()));
                    a.getOutputStream().write("hi".getBytes(StandardCharsets.UTF_8));
                    seen.add("server read=" + readAll(s, 2));
                }
                seen.add("connect again: " + told(() -> a.connect(server.getLocalAddress())));
                c.close();
                seen.add("connect closed: " + told(() -> a.connect(server.getLocalAddress())));
            }
            try (SocketChannel c = provider.openSocketChannel()) {
                // the class only: the domain's message says more than "Connection refused" (where it came from)
                seen.add("refused: " + told(() -> c.socket().connect(refused, 5_000)).split(":")[0]
                        + ", open=" + c.isOpen());
            }
            try (SocketChannel c = provider.openSocketChannel()) {
                c.configureBlocking(false);
                seen.add("non-blocking: " + told(() -> c.socket().connect(refused)));
            }
        });
    }

    /**
     * A server channel's socket adaptor accepting (a program handed {@code serverChannel.socket()}): the accepted
     * socket, its bytes both ways, an accept that times out (SO_TIMEOUT) and leaves the channel open, and the
     * misuse it refuses, each as the default adaptor.
     */
    @Test
    void serverAdaptorAccept_asTheDefaultAdaptors() throws Exception {
        same((provider, seen) -> {
            try (ServerSocketChannel server = listener(provider);
                 SocketChannel c = provider.openSocketChannel()) {
                final java.net.ServerSocket adaptor = server.socket();
                c.connect(server.getLocalAddress());
                try (Socket s = adaptor.accept()) {
                    seen.add("accepted: connected=" + s.isConnected() + ", peer is the client="
                            + s.getRemoteSocketAddress().equals(c.getLocalAddress()));
                    c.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
                    seen.add("read=" + new String(s.getInputStream().readNBytes(4), StandardCharsets.UTF_8));
                    s.getOutputStream().write("pong".getBytes(StandardCharsets.UTF_8));
                    seen.add("client read=" + readAll(c, 4));
                }
                adaptor.setSoTimeout(200);
                seen.add("nobody connects: " + told(adaptor::accept) + ", open=" + server.isOpen());
                server.configureBlocking(false);
                seen.add("non-blocking: " + told(adaptor::accept));
            }
            try (ServerSocketChannel unbound = provider.openServerSocketChannel()) {
                seen.add("unbound: " + told(() -> unbound.socket().accept()));
            }
        });
    }

    /** What {@code action} threw, class and message ("ok" if nothing). */
    private static String told(final Action action) {
        try {
            action.run();
            return "ok";
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    /** What a scenario saw of one plain {@code Socket}, unconnected when handed over. */
    private interface SocketScenario {
        List<String> run(Socket socket) throws Exception;
    }

    /** {@code scenario} on the JDK's own {@code Socket} impl and on the net domain's: the same outcome. */
    private void sameAsTheJdksSocket(final SocketScenario scenario) throws Exception {
        final List<String> expected = scenario.run(new Socket());
        final List<String> actual = scenario.run(new NetSocket(new VosSocketImpl(NET0.provider(), false)));
        assertEquals(expected, actual, "the JDK's socket saw " + expected + ", the net domain's " + actual);
    }

    /** {@code available()} of a plain {@code Socket}: the JDK's own impl against the net domain's. */
    @Test
    void available_ofASocket_countsWhatArrivedAndNotRead_asTheJdksOwnSocket() throws Exception {
        sameAsTheJdksSocket(NetDifferentialTest::socketAvailable);
    }

    private static List<String> socketAvailable(final Socket socket) throws Exception {
        final List<String> seen = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            socket.connect(server.getLocalSocketAddress(), 5_000);
            try (Socket peer = server.accept()) {
                final InputStream in = socket.getInputStream();
                seen.add("before any bytes: " + in.available());
                peer.getOutputStream().write(new byte[100]);
                seen.add("after 100 bytes: " + availableOnceAtLeast(in, 100));
                seen.add("read " + in.readNBytes(40).length + ", then: " + in.available());
                socket.shutdownInput();
                seen.add("after shutdownInput: " + in.available());
                socket.close();
                seen.add("closed: " + attempt(in::available));
            }
        } finally {
            socket.close();
        }
        return seen;
    }

    /**
     * Urgent data of a plain {@code Socket} ({@code sendUrgentData}, {@code setOOBInline}): sent to a peer that drops
     * it from the stream (the default) and received inline once asked for, as the JDK's own impl does.
     */
    @Test
    void urgentData_sentAndReceivedInline_asTheJdksOwnSocket() throws Exception {
        sameAsTheJdksSocket(NetDifferentialTest::urgentData);
    }

    private static List<String> urgentData(final Socket socket) throws Exception {
        final List<String> seen = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            seen.add("unconnected " + attempt(() -> {
                socket.sendUrgentData('!');
                return "sent";
            }));
            socket.connect(server.getLocalSocketAddress(), 5_000);
            socket.setSoTimeout(10_000);
            try (Socket peer = server.accept()) {
                seen.add("inline at first " + socket.getOOBInline());
                final OutputStream out = socket.getOutputStream();
                out.write("ab".getBytes(StandardCharsets.US_ASCII));
                socket.sendUrgentData('!');
                out.write("cd".getBytes(StandardCharsets.US_ASCII));
                socket.shutdownOutput();
                seen.add("a peer not inline reads " + new String(peer.getInputStream().readAllBytes(),
                        StandardCharsets.US_ASCII));
                socket.setOOBInline(true);
                seen.add("inline now " + socket.getOOBInline());
                final OutputStream back = peer.getOutputStream();
                back.write("xy".getBytes(StandardCharsets.US_ASCII));
                peer.sendUrgentData('#');
                back.write("z".getBytes(StandardCharsets.US_ASCII));
                peer.close();
                seen.add("inline, it reads " + new String(socket.getInputStream().readAllBytes(),
                        StandardCharsets.US_ASCII));
                seen.add("after its output shut " + attempt(() -> {
                    socket.sendUrgentData('!');
                    return "sent";
                }));
            }
        } finally {
            socket.close();
        }
        seen.add("closed " + attempt(() -> {
            socket.sendUrgentData('!');
            return "sent";
        }));
        return seen;
    }

    /** A {@code Socket} over a given impl (the constructor is protected), as the impl factory would make it. */
    private static final class NetSocket extends Socket {
        NetSocket(final VosSocketImpl impl) throws IOException {
            super(impl);
        }
    }

    /** {@code in.available()}, asked until it is at least {@code want} (at most 5 s): what it then was. */
    private static int availableOnceAtLeast(final InputStream in, final int want) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int n;
        while ((n = in.available()) < want && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        return n;
    }

    @Test
    void echo_bothDirections_thenTheEndOfStreamAfterShutdownOutput() throws Exception {
        same((provider, seen) -> {
            try (ServerSocketChannel server = listener(provider);
                 SocketChannel c = provider.openSocketChannel()) {
                seen.add("connect=" + c.connect(server.getLocalAddress()));
                try (SocketChannel s = server.accept()) {
                    seen.add("connected=" + c.isConnected() + "," + s.isConnected());
                    seen.add("remote=local:" + c.getRemoteAddress().equals(server.getLocalAddress()));
                    seen.add("peer=" + s.getRemoteAddress().equals(c.getLocalAddress()));
                    seen.add("written=" + c.write(ByteBuffer.wrap("hello, net0".getBytes(StandardCharsets.UTF_8))));
                    final String got = readAll(s, 11);
                    seen.add("server read=" + got);
                    s.write(ByteBuffer.wrap(got.toUpperCase().getBytes(StandardCharsets.UTF_8)));
                    seen.add("client read=" + readAll(c, 11));
                    c.shutdownOutput();
                    seen.add("after shutdownOutput server reads " + s.read(ByteBuffer.allocate(4)));
                    seen.add("write after shutdownOutput: "
                            + attempt(() -> c.write(ByteBuffer.wrap(new byte[1]))));
                    c.shutdownInput();
                    seen.add("read after shutdownInput: " + c.read(ByteBuffer.allocate(4)));
                }
            }
        });
    }

    @Test
    void oneMebibyte_arrivesWhole() throws Exception {
        final byte[] data = new byte[1 << 20];
        new java.util.Random(12).nextBytes(data);
        sameConnected((server, c, s, seen) -> {
            final CompletableFuture<Integer> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    final int n = c.write(ByteBuffer.wrap(data));
                    c.shutdownOutput();
                    return n;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            final CRC32 crc = new CRC32();
            long total = 0;
            final ByteBuffer buffer = ByteBuffer.allocateDirect(70_000);
            for (int n; (n = s.read(buffer.clear())) >= 0; ) {
                crc.update(buffer.flip());
                total += n;
            }
            seen.add("sent=" + sent.get(60, TimeUnit.SECONDS) + " received=" + total + " crc="
                    + crc.getValue());
        });
    }

    @Test
    void aConnectionResetBeforeAccept_isAcceptedWithItsPeer_andItsReadIsTheReset() throws Exception {
        // Netty met this: a client that closed with an RST while its connection still waited in the backlog. The
        // kernel's accept takes it, but it has no peer any more (getpeername is ENOTCONN): the default provider
        // names the peer from accept's own address, and its accept succeeds; the read then meets the reset.
        same((provider, seen) -> {
            try (ServerSocketChannel server = listener(provider)) {
                final SocketChannel c = provider.openSocketChannel();
                c.connect(server.getLocalAddress());
                final SocketAddress local = c.getLocalAddress();
                c.setOption(StandardSocketOptions.SO_LINGER, 0);
                c.close(); // an RST: over loopback it has reached the waiting connection when close returns
                try (SocketChannel s = server.accept()) {
                    seen.add("peer=" + s.getRemoteAddress().equals(local));
                    seen.add("read: " + attempt(() -> s.read(ByteBuffer.allocate(1))));
                }
            }
        });
    }

    @Test
    void refusedConnect_isConnectException_andClosesTheChannel() throws Exception {
        final int port;
        try (ServerSocketChannel probe = SelectorProvider.provider().openServerSocketChannel()) {
            probe.bind(new InetSocketAddress(LOOPBACK, 0));
            port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        same((provider, seen) -> {
            final SocketChannel c = provider.openSocketChannel();
            seen.add("connect: " + attempt(() -> c.connect(new InetSocketAddress(LOOPBACK, port))));
            seen.add("open after: " + c.isOpen());
            seen.add("read after: " + attempt(() -> c.read(ByteBuffer.allocate(1))));
        });
    }

    @Test
    void bindToAPortInUse_isBindException_andMisuseIsTheJdksExceptions() throws Exception {
        same((provider, seen) -> {
            try (ServerSocketChannel first = listener(provider);
                 ServerSocketChannel second = provider.openServerSocketChannel();
                 ServerSocketChannel unbound = provider.openServerSocketChannel();
                 SocketChannel unconnected = provider.openSocketChannel()) {
                seen.add("in use: " + attempt(() -> second.bind(first.getLocalAddress())));
                seen.add("again: " + attempt(() -> first.bind(new InetSocketAddress(LOOPBACK, 0))));
                seen.add("accept unbound: " + attempt(unbound::accept));
                seen.add("unbound local: " + unbound.getLocalAddress());
                seen.add("read unconnected: " + attempt(() -> unconnected.read(ByteBuffer.allocate(1))));
                seen.add("write unconnected: " + attempt(() -> unconnected.write(ByteBuffer.allocate(1))));
                seen.add("shutdown unconnected: " + attempt(unconnected::shutdownInput));
                seen.add("remote unconnected: " + unconnected.getRemoteAddress());
                seen.add("local unconnected: " + unconnected.getLocalAddress());
                seen.add("finishConnect: " + attempt(unconnected::finishConnect));
            }
        });
    }

    @Test
    void aClosedChannel_throwsClosedChannelException() throws Exception {
        same((provider, seen) -> {
            try (ServerSocketChannel server = listener(provider)) {
                final SocketChannel c = provider.openSocketChannel();
                c.connect(server.getLocalAddress());
                server.accept().close();
                c.close();
                c.close();
                server.close();
                seen.add("read: " + attempt(() -> c.read(ByteBuffer.allocate(1))));
                seen.add("write: " + attempt(() -> c.write(ByteBuffer.allocate(1))));
                seen.add("remote: " + attempt(c::getRemoteAddress));
                seen.add("local: " + attempt(c::getLocalAddress));
                seen.add("option: " + attempt(() -> c.getOption(StandardSocketOptions.TCP_NODELAY)));
                seen.add("connect: " + attempt(() -> c.connect(new InetSocketAddress(LOOPBACK, 1))));
                seen.add("accept: " + attempt(server::accept));
                seen.add("open: " + c.isOpen() + "," + server.isOpen());
            }
        });
    }

    /**
     * The adaptors of closed channels (a program handed {@code channel.socket()} that outlives the channel): each
     * option through them is the default adaptor's {@code SocketException("Socket is closed")}, class and text.
     */
    @Test
    void theAdaptorsOfClosedChannels_refuseTheirOptions_asTheDefaultAdaptors() throws Exception {
        same((provider, seen) -> {
            final ServerSocketChannel server = listener(provider);
            final SocketChannel c = provider.openSocketChannel();
            c.connect(server.getLocalAddress());
            server.accept().close();
            final Socket socket = c.socket();
            final ServerSocket serverSocket = server.socket();
            c.close();
            server.close();
            seen.add("tcpNoDelay: " + told(() -> socket.setTcpNoDelay(true)));
            seen.add("keepAlive: " + told(socket::getKeepAlive));
            seen.add("linger: " + told(() -> socket.setSoLinger(true, 1)));
            seen.add("sendBuffer: " + told(socket::getSendBufferSize));
            seen.add("option: " + told(() -> socket.getOption(StandardSocketOptions.TCP_NODELAY)));
            seen.add("server reuseAddress: " + told(() -> serverSocket.setReuseAddress(true)));
            seen.add("server receiveBuffer: " + told(serverSocket::getReceiveBufferSize));
            seen.add("server option: " + told(() -> serverSocket.getOption(StandardSocketOptions.SO_RCVBUF)));
        });
    }

    @Test
    void closeFromAnotherThread_endsABlockedReadAndAccept_withAsynchronousCloseException() throws Exception {
        sameConnected((server, c, s, seen) -> {
            seen.add("read: " + blockedThenClosed(() -> c.read(ByteBuffer.allocate(8)), c::close));
            seen.add("accept: " + blockedThenClosed(server::accept, server::close));
            seen.add("peer sees: " + s.read(ByteBuffer.allocate(8)));
        });
    }

    private interface Closer {
        void close() throws IOException;
    }

    /** Runs {@code blocked} on a thread, closes from this one once it has waited, and says how it ended. */
    private static String blockedThenClosed(final Outcomes.Step blocked, final Closer closer) throws Exception {
        final CompletableFuture<String> ended = new CompletableFuture<>();
        final Thread t = Thread.ofPlatform().start(() -> ended.complete(attempt(blocked)));
        Thread.sleep(300);
        final boolean stillBlocked = !ended.isDone();
        closer.close();
        final String how = ended.get(10, TimeUnit.SECONDS); // the blocked call must return
        t.join(5_000);
        return "waited=" + stillBlocked + " then " + how;
    }

    @Test
    void socketOptions_roundTrip() throws Exception {
        same((provider, seen) -> {
            try (ServerSocketChannel server = listener(provider);
                 SocketChannel c = provider.openSocketChannel()) {
                // The standard ones; the JDK's extended options are the next test's.
                for (java.net.SocketOption<?> o : List.of(StandardSocketOptions.SO_RCVBUF,
                        StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
                        StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_LINGER)) {
                    seen.add(o + " server/client: " + server.supportedOptions().contains(o) + "/"
                            + c.supportedOptions().contains(o));
                }
                seen.add("server reuseaddr: " + server.getOption(StandardSocketOptions.SO_REUSEADDR));
                c.connect(server.getLocalAddress());
                server.accept().close();
                seen.add("nodelay: " + c.getOption(StandardSocketOptions.TCP_NODELAY));
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                c.setOption(StandardSocketOptions.SO_RCVBUF, 65_536);
                c.setOption(StandardSocketOptions.SO_SNDBUF, 131_072);
                seen.add("nodelay: " + c.getOption(StandardSocketOptions.TCP_NODELAY));
                seen.add("keepalive: " + c.getOption(StandardSocketOptions.SO_KEEPALIVE));
                seen.add("rcvbuf: " + c.getOption(StandardSocketOptions.SO_RCVBUF));
                seen.add("sndbuf: " + c.getOption(StandardSocketOptions.SO_SNDBUF));
                seen.add("linger: " + c.getOption(StandardSocketOptions.SO_LINGER));
                seen.add("unsupported: " + attempt(() -> c.getOption(StandardSocketOptions.IP_MULTICAST_TTL)));
                seen.add("bad value: " + attempt(() -> c.setOption(StandardSocketOptions.SO_RCVBUF, -1)));
            }
        });
    }

    @Test
    void theJdksExtendedOptions_asTheDefaultProviderServesThem() throws Exception {
        final List<java.net.SocketOption<?>> extended = List.of(ExtendedSocketOptions.TCP_KEEPIDLE,
                ExtendedSocketOptions.TCP_KEEPINTERVAL, ExtendedSocketOptions.TCP_KEEPCOUNT,
                ExtendedSocketOptions.TCP_QUICKACK, ExtendedSocketOptions.SO_INCOMING_NAPI_ID,
                ExtendedSocketOptions.IP_DONTFRAGMENT);
        same((provider, seen) -> {
            try (ServerSocketChannel server = listener(provider);
                 SocketChannel c = provider.openSocketChannel()) {
                for (java.net.SocketOption<?> o : extended) {
                    seen.add(o + " server/client: " + server.supportedOptions().contains(o) + "/"
                            + c.supportedOptions().contains(o));
                }
                for (java.net.SocketOption<Integer> o : List.of(ExtendedSocketOptions.TCP_KEEPIDLE,
                        ExtendedSocketOptions.TCP_KEEPINTERVAL, ExtendedSocketOptions.TCP_KEEPCOUNT)) {
                    seen.add(o + " default: " + c.getOption(o));
                    for (int value : new int[] {1, 100, 127, 128, 32_767, 32_768, 0, -1, Integer.MAX_VALUE}) {
                        seen.add(o + "=" + value + ": " + attempt(() -> c.setOption(o, value).getOption(o)));
                    }
                    seen.add(o + "=null: " + attempt(() -> c.setOption(o, null)));
                }
                seen.add("quickack: " + c.getOption(ExtendedSocketOptions.TCP_QUICKACK));
                c.setOption(ExtendedSocketOptions.TCP_QUICKACK, false);
                seen.add("quickack off: " + c.getOption(ExtendedSocketOptions.TCP_QUICKACK));
                seen.add("napi: " + c.getOption(ExtendedSocketOptions.SO_INCOMING_NAPI_ID));
                seen.add("napi set: " + withMessage(() -> c.setOption(ExtendedSocketOptions.SO_INCOMING_NAPI_ID, 1)));
                seen.add("dontfragment: " + withMessage(() -> c.getOption(ExtendedSocketOptions.IP_DONTFRAGMENT)));
                // Set on the listener, the accepted socket inherits it (the kernel copies the listener's).
                server.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 45);
                seen.add("server keepidle: " + server.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
                c.connect(server.getLocalAddress());
                try (SocketChannel s = server.accept()) {
                    seen.add("accepted keepidle: " + s.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
                    seen.add("via socket(): " + s.socket().getOption(ExtendedSocketOptions.TCP_KEEPCOUNT));
                }
            }
            final SocketChannel closed = provider.openSocketChannel();
            closed.close();
            seen.add("closed: " + withMessage(() -> closed.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 5)));
            try (DatagramChannel d = provider.openDatagramChannel()) {
                seen.add("datagram dontfragment: " + d.getOption(ExtendedSocketOptions.IP_DONTFRAGMENT));
                d.setOption(ExtendedSocketOptions.IP_DONTFRAGMENT, true);
                seen.add("datagram dontfragment set: " + d.getOption(ExtendedSocketOptions.IP_DONTFRAGMENT));
                d.setOption(ExtendedSocketOptions.IP_DONTFRAGMENT, false);
                seen.add("datagram dontfragment unset: " + d.getOption(ExtendedSocketOptions.IP_DONTFRAGMENT));
                seen.add("datagram napi: " + d.getOption(ExtendedSocketOptions.SO_INCOMING_NAPI_ID));
                seen.add("datagram keepidle: " + withMessage(() -> d.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)));
            }
        });
    }

    /** What {@code step} gave, or its exception's class and message (the JDK's own words are part of the contract). */
    private static String withMessage(final Outcomes.Step step) {
        try {
            return String.valueOf(step.run());
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    @Test
    void theSocketAdaptor_showsShutdownsAndServesTheOptionsNettySetsThroughIt() throws Exception {
        // Netty asks socket().isInputShutdown() after its shutdownInput (half closure), and sets SO_LINGER,
        // SO_REUSEADDR and IP_TOS through the adaptor's own setters (ChannelOption.SO_LINGER ...).
        sameConnected((server, c, s, seen) -> {
            final Socket a = c.socket();
            seen.add("shut before: " + a.isInputShutdown() + "," + a.isOutputShutdown());
            c.shutdownInput();
            seen.add("input shut: " + a.isInputShutdown() + "," + a.isOutputShutdown());
            c.shutdownOutput();
            seen.add("both shut: " + a.isInputShutdown() + "," + a.isOutputShutdown());
            seen.add("linger: " + attempt(a::getSoLinger));
            seen.add("set linger: " + attempt(() -> {
                a.setSoLinger(true, 0);
                return a.getSoLinger();
            }));
            seen.add("linger off: " + attempt(() -> {
                a.setSoLinger(false, 0);
                return a.getSoLinger();
            }));
            seen.add("reuseaddr: " + attempt(() -> {
                a.setReuseAddress(true);
                return a.getReuseAddress();
            }));
            seen.add("traffic class: " + attempt(() -> {
                a.setTrafficClass(0x10);
                return a.getTrafficClass();
            }));
            seen.add("bad linger: " + attempt(() -> {
                a.setSoLinger(true, -1);
                return a.getSoLinger();
            }));
            seen.add("bad traffic class: " + attempt(() -> {
                a.setTrafficClass(256);
                return a.getTrafficClass();
            }));
            c.close();
            seen.add("closed: " + a.isInputShutdown() + "," + a.isOutputShutdown() + " linger "
                    + attempt(a::getSoLinger));
        });
    }

    @Test
    void bindOutsideNetBind_isBindException() throws Exception {
        // Only the domain's policy refuses this (the kernel would bind 127.0.0.2, a loopback address).
        try (ServerSocketChannel server = NET0.provider().openServerSocketChannel()) {
            assertThrows(java.net.BindException.class,
                    () -> server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0)));
        }
    }

    @Test
    void theSocketAdaptorsStreams_echo_endOfStream_andTheirMisuse() throws Exception {
        same((provider, seen) -> {
            try (ServerSocketChannel server = listener(provider);
                 SocketChannel c = provider.openSocketChannel()) {
                seen.add("not connected: " + attempt(() -> c.socket().getInputStream()));
                c.connect(server.getLocalAddress());
                try (SocketChannel s = server.accept()) {
                    c.socket().getOutputStream().write("through the stream".getBytes(StandardCharsets.UTF_8));
                    seen.add("server read=" + readAll(s, 18));
                    s.write(ByteBuffer.wrap("back".getBytes(StandardCharsets.UTF_8)));
                    s.shutdownOutput();
                    seen.add("client's stream read="
                            + new String(c.socket().getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                    c.configureBlocking(false);
                    seen.add("non-blocking read: " + attempt(() -> c.socket().getInputStream().read()));
                    seen.add("non-blocking write: " + attempt(() -> {
                        c.socket().getOutputStream().write(1);
                        return "written";
                    }));
                    c.configureBlocking(true);
                    c.socket().getOutputStream().close();
                    seen.add("closing the stream closes the channel: " + !c.isOpen());
                    seen.add("closed: " + attempt(() -> c.socket().getInputStream()));
                }
            }
        });
    }
    @Test
    void theSocketAdaptorsStream_readTimesOut_andTheChannelStaysAsItWas() throws Exception {
        sameConnected((server, c, s, seen) -> {
            c.socket().setSoTimeout(200);
            final InputStream in = c.socket().getInputStream();
            final long start = System.nanoTime();
            seen.add("nothing there: " + attempt(in::read));
            seen.add("waited the timeout: " + (System.nanoTime() - start >= 150_000_000L));
            seen.add("after it: blocking " + c.isBlocking() + ", registered " + c.isRegistered()
                    + ", open " + c.isOpen());
            final Thread late = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(50);
                    s.write(ByteBuffer.wrap("late".getBytes(StandardCharsets.UTF_8)));
                } catch (IOException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            final byte[] four = new byte[4];
            seen.add("bytes that come within it: " + attempt(() -> in.readNBytes(four, 0, 4)) + " "
                    + new String(four, StandardCharsets.UTF_8));
            late.join();
            s.shutdownOutput();
            seen.add("then the end: " + attempt(in::read));
            c.socket().setSoTimeout(0);
            seen.add("untimed after: " + attempt(in::read));
        });
    }

    /**
     * Two threads read a plain {@code Socket}'s stream with SO_TIMEOUT set, and one byte comes while both wait: one
     * thread gets it, the other times out ({@link #twoTimedReadersOneByte}), on the JDK's own impl as on the net
     * domain's.
     */
    @Test
    void twoTimedReadsOfASocket_oneByteComes_oneGetsIt_theOtherTimesOut_asTheJdksOwnSocket() throws Exception {
        sameAsTheJdksSocket(NetDifferentialTest::twoTimedReadsOfASocket);
    }

    private static List<String> twoTimedReadsOfASocket(final Socket socket) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            socket.connect(server.getLocalSocketAddress(), 5_000);
            try (Socket peer = server.accept()) {
                return twoTimedReadersOneByte(socket, peer.getOutputStream());
            }
        } finally {
            socket.close();
        }
    }

    /** The same on a channel's socket adaptor: its stream's timed read, beside the default provider's. */
    @Test
    void twoTimedReadsOfTheSocketAdaptorsStream_oneByteComes_oneGetsIt_theOtherTimesOut() throws Exception {
        sameConnected((server, c, s, seen) -> {
            seen.addAll(twoTimedReadersOneByte(c.socket(), s.socket().getOutputStream()));
            seen.add("after it: blocking " + c.isBlocking() + ", registered " + c.isRegistered());
        });
    }

    /**
     * Two threads each {@code read()} {@code socket}'s stream with a SO_TIMEOUT of 1 s; 300 ms later, both still
     * reading, {@code peer} sends one byte. What each ended with, sorted (which thread wins is not the point): the
     * byte, or the class of what it threw. A read still in its call 3 s past its timeout is "hung", and the socket is
     * closed to end it. A timed read whose wait was woken by the byte the other took must wait on for the rest of its
     * timeout, not read without a bound.
     */
    private static List<String> twoTimedReadersOneByte(final Socket socket, final OutputStream peer)
            throws Exception {
        final int timeoutMs = 1_000;
        socket.setSoTimeout(timeoutMs);
        final InputStream in = socket.getInputStream();
        final List<CompletableFuture<String>> ended = new ArrayList<>();
        final List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            final CompletableFuture<String> how = new CompletableFuture<>();
            ended.add(how);
            readers.add(Thread.ofPlatform().start(() -> how.complete(attempt(() -> "byte " + in.read()))));
        }
        Thread.sleep(300);
        final List<String> seen = new ArrayList<>();
        seen.add("both reading when the byte is sent: " + ended.stream().noneMatch(CompletableFuture::isDone));
        peer.write(42);
        peer.flush();
        seen.add("the readers ended with " + outcomes(ended, timeoutMs + 3_000, socket::close, readers));
        return seen;
    }

    /**
     * What each of {@code ended} ended with, sorted, all waited for within {@code ms}: "hung" for one still in its
     * call then, and {@code closer} runs to end it. Then {@code threads} are joined.
     */
    private static List<String> outcomes(final List<CompletableFuture<String>> ended, final long ms,
                                         final Closer closer, final List<Thread> threads) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        final List<String> outcomes = new ArrayList<>();
        for (CompletableFuture<String> how : ended) {
            try {
                outcomes.add(how.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                outcomes.add("hung");
            }
        }
        if (outcomes.contains("hung")) {
            closer.close();
        }
        for (Thread t : threads) {
            t.join(5_000);
        }
        outcomes.sort(null);
        return outcomes;
    }

    /**
     * A read with SO_TIMEOUT while another thread's read without one waits for bytes: the JDK's own impl times the
     * timed one out (the wait for its turn counts against the timeout), then the byte sent ends the untimed one.
     */
    @Test
    void aTimedReadBehindAnUntimedOne_timesOut_asTheJdksOwnSocket() throws Exception {
        sameAsTheJdksSocket(NetDifferentialTest::timedReadBehindAnUntimedOne);
    }

    private static List<String> timedReadBehindAnUntimedOne(final Socket socket) throws Exception {
        final List<String> seen = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            socket.connect(server.getLocalSocketAddress(), 5_000);
            try (Socket peer = server.accept()) {
                final InputStream in = socket.getInputStream();
                final CompletableFuture<String> untimed = new CompletableFuture<>();
                final Thread first = Thread.ofPlatform().start(() -> untimed.complete(oneByte(in)));
                Thread.sleep(300);
                final int timeoutMs = 500;
                socket.setSoTimeout(timeoutMs);
                final CompletableFuture<String> timed = new CompletableFuture<>();
                final Thread second = Thread.ofPlatform().start(() -> timed.complete(oneByte(in)));
                seen.add("the timed read: " + endedWithin(timed, timeoutMs + 3_000));
                peer.getOutputStream().write(42);
                seen.add("the untimed read: " + endedWithin(untimed, 3_000));
                if (!timed.isDone() || !untimed.isDone()) {
                    socket.close(); // ends a read that hangs
                }
                first.join(5_000);
                second.join(5_000);
            }
        } finally {
            socket.close();
        }
        return seen;
    }

    /** What a {@code read()} of {@code in} ended with: the byte, or the class of what it threw. */
    private static String oneByte(final InputStream in) {
        return attempt(() -> "byte " + in.read());
    }

    /** What {@code how} ended with within {@code ms}, or "hung". */
    private static String endedWithin(final CompletableFuture<String> how, final long ms) throws Exception {
        try {
            return how.get(ms, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return "hung";
        }
    }

    /**
     * Two threads accept on a {@code ServerSocket} with SO_TIMEOUT set, and one client connects while both wait:
     * one thread gets it, the other times out ({@link #twoTimedAcceptorsOneClient}), on the JDK's own impl as on the
     * net domain's. A few rounds, since which thread gets there first varies.
     */
    @Test
    void twoTimedAcceptsOfAServerSocket_oneClientComes_oneGetsIt_theOtherTimesOut_asTheJdksOwn() throws Exception {
        final VosSelectorProvider net = NET0.provider();
        for (int round = 0; round < 3; round++) {
            final List<String> expected = twoTimedAccepts(new ServerSocket());
            final List<String> actual = twoTimedAccepts(new NetServerSocket(net));
            assertEquals(expected, actual, "round " + round + ": the JDK's server socket saw " + expected
                    + ", the net domain's " + actual);
        }
    }

    private static List<String> twoTimedAccepts(final ServerSocket server) throws Exception {
        try (server) {
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            final List<String> seen = twoTimedAcceptorsOneClient(server);
            seen.add("after it: closed " + server.isClosed());
            return seen;
        }
    }

    /** The same on a server channel's socket adaptor, beside the default provider's; the channel as it was after. */
    @Test
    void twoTimedAcceptsOfTheServerAdaptor_oneClientComes_oneGetsIt_theOtherTimesOut() throws Exception {
        for (int round = 0; round < 3; round++) {
            same((provider, seen) -> {
                try (ServerSocketChannel server = listener(provider)) {
                    seen.addAll(twoTimedAcceptorsOneClient(server.socket()));
                    seen.add("after it: open " + server.isOpen() + ", blocking " + server.isBlocking()
                            + ", registered " + server.isRegistered());
                }
            });
        }
    }

    /**
     * Two threads each {@code accept()} on {@code server} (bound) with a SO_TIMEOUT of 500 ms; 150 ms later, both
     * still accepting, one client connects. What each ended with, sorted (which thread wins is not the point):
     * "accepted", or the class of what it threw. An accept still in its call 3 s past its timeout is "hung", and
     * the server is closed to end it.
     */
    private static List<String> twoTimedAcceptorsOneClient(final ServerSocket server) throws Exception {
        final int timeoutMs = 500;
        server.setSoTimeout(timeoutMs);
        final List<CompletableFuture<String>> ended = new ArrayList<>();
        final List<Thread> acceptors = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            final CompletableFuture<String> how = new CompletableFuture<>();
            ended.add(how);
            acceptors.add(Thread.ofPlatform().start(() -> how.complete(attempt(() -> {
                try (Socket s = server.accept()) {
                    return "accepted";
                }
            }))));
        }
        Thread.sleep(150);
        final List<String> seen = new ArrayList<>();
        seen.add("both accepting when the client connects: " + ended.stream().noneMatch(CompletableFuture::isDone));
        try (Socket client = new Socket()) {
            client.connect(server.getLocalSocketAddress(), 5_000);
            seen.add("the acceptors ended with " + outcomes(ended, timeoutMs + 3_000, server::close, acceptors));
        }
        return seen;
    }

    /**
     * A close from another thread ends a timed read and a timed accept at once, long before their SO_TIMEOUT, with
     * what the JDK's own impl throws: on a {@code Socket} and a {@code ServerSocket} (the JDK's impl against the net
     * domain's), and on the channels' socket adaptors (the default provider's against the net domain's).
     */
    @Test
    void aCloseFromAnotherThread_endsATimedReadAndATimedAccept_atOnce_asTheJdksOwn() throws Exception {
        final VosSelectorProvider net = NET0.provider();
        final List<String> expected = timedCallsThenClosed(new Socket(), new ServerSocket());
        final List<String> actual = timedCallsThenClosed(new NetSocket(new VosSocketImpl(net, false)),
                new NetServerSocket(net));
        assertEquals(expected, actual, "the JDK's sockets saw " + expected + ", the net domain's " + actual);
        sameConnected((server, c, s, seen) -> {
            final Socket adaptor = c.socket();
            adaptor.setSoTimeout(CLOSED_WITHIN_TIMEOUT_MS);
            seen.add("read: " + timedThenClosed(() -> adaptor.getInputStream().read(), adaptor::close));
            final ServerSocket serverAdaptor = server.socket();
            serverAdaptor.setSoTimeout(CLOSED_WITHIN_TIMEOUT_MS);
            seen.add("accept: " + timedThenClosed(serverAdaptor::accept, serverAdaptor::close));
        });
    }

    /** SO_TIMEOUT of {@link #aCloseFromAnotherThread_endsATimedReadAndATimedAccept_atOnce_asTheJdksOwn}. */
    private static final int CLOSED_WITHIN_TIMEOUT_MS = 8_000;

    private static List<String> timedCallsThenClosed(final Socket socket, final ServerSocket server) throws Exception {
        final List<String> seen = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 50, LOOPBACK)) {
            socket.connect(listener.getLocalSocketAddress(), 5_000);
            try (Socket peer = listener.accept()) {
                socket.setSoTimeout(CLOSED_WITHIN_TIMEOUT_MS);
                seen.add("read: " + timedThenClosed(() -> socket.getInputStream().read(), socket::close));
            }
        }
        server.bind(new InetSocketAddress(LOOPBACK, 0));
        server.setSoTimeout(CLOSED_WITHIN_TIMEOUT_MS);
        seen.add("accept: " + timedThenClosed(server::accept, server::close));
        return seen;
    }

    /**
     * Runs {@code timed} on a thread, closes from this one once it has waited 300 ms, and says how it ended and
     * whether within 2 s of the close (its SO_TIMEOUT is far longer).
     */
    private static String timedThenClosed(final Outcomes.Step timed, final Closer closer) throws Exception {
        final CompletableFuture<String> ended = new CompletableFuture<>();
        final Thread t = Thread.ofPlatform().start(() -> ended.complete(attempt(timed)));
        Thread.sleep(300);
        final boolean stillWaiting = !ended.isDone();
        final long closedAt = System.nanoTime();
        closer.close();
        final String how = ended.get(CLOSED_WITHIN_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
        t.join(5_000);
        return "waited=" + stillWaiting + " then " + how + ", within 2 s of the close: " + (tookMs < 2_000);
    }

    /**
     * A {@code ServerSocket} over a given impl (the constructor is protected), whose accept hands the connection to
     * a fresh client impl of the net domain, as {@link VosSockets#install()}'s factories would.
     */
    private static final class NetServerSocket extends ServerSocket {
        private final VosSelectorProvider net;

        NetServerSocket(final VosSelectorProvider net) {
            super(new VosSocketImpl(net, true));
            this.net = net;
        }

        @Override
        public Socket accept() throws IOException {
            final Socket s = new NetSocket(new VosSocketImpl(net, false));
            implAccept(s);
            return s;
        }
    }
}
