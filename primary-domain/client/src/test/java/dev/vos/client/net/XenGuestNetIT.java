package dev.vos.client.net;

import dev.vos.client.DomainClient;
import dev.vos.client.fs.XlCommand;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.agent.XenGuestSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.vos.client.fs.XlCommand.xl;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The network domain as a Xen guest, in the Xen lab's dom0: a guest boots the agent image with {@code vos.agent=net}
 * (its loopback up, {@code net.bind} 127.0.0.1); the state directory records that the domain {@value #DOMAIN} is the
 * Xen guest {@value #XEN_NAME}; and from then on the test uses the JDK's channels through the client's
 * {@link VosSelectorProvider}, whose socket calls the guest executes over the Xen transport. Proves that the sockets
 * are the guest's (a listener bound to 127.0.0.1 in the guest is not on dom0's loopback, and the calls answer the
 * agent's pid in the guest), that bytes cross both ways and a selector wakes on the guest's readiness, that
 * {@code xl destroy} makes a read blocked in the guest fail within the ring's liveness bound, and that new sockets
 * work once the guest is re-created. Writes the figures to {@code $VOS_XEN_LAB_OUT/net-figures.txt}. Named
 * {@code *IT}: never run by {@code ./mvnw verify}; skipped where there is no Xen or no agent image.
 */
@EnabledIf("dev.vos.client.fs.XlCommand#lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class XenGuestNetIT {

    private static final String DOMAIN = "net-x";
    private static final String XEN_NAME = "vos-net";
    /** The agent guest's memory: as the storage guests' (the initramfs does not unpack in 256 MiB). */
    private static final int MEMORY_MB = 384;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** As {@code XenGuestFileSystemIT}'s: the ring's liveness timeout, and a wide margin for an emulated machine. */
    private static final long FAIL_BOUND_MS = XenGuestSession.GEOMETRY.livenessTimeoutNs() / 1_000_000 + 15_000;
    private static final int ROUND_TRIPS = 200;

    private static Path stateDir;
    private static Path cfg;
    private static long agentPid;
    private static DomainClient net;
    private static VosSelectorProvider provider;
    private static final List<String> FIGURES = new ArrayList<>();

    @BeforeAll
    static void bootTheGuestAndRecordIt() throws Exception {
        cfg = XlCommand.agentGuest(XEN_NAME, MEMORY_MB, "vos.agent=net");
        long ms = createAndAwaitTheAgent();
        FIGURES.add("net guest: boot to serving (xl create to the agent's announcement)\t" + ms + " ms");
        stateDir = Files.createDirectories(Path.of("/tmp/vos-state-xen-net"));
        XlCommand.recordGuest(stateDir, DOMAIN, XEN_NAME);
        net = DomainClient.forDomain(stateDir, DOMAIN, DomainClient.Options.DEFAULT);
        provider = new VosSelectorProvider(net);
    }

    @AfterAll
    static void destroyTheGuest() throws Exception {
        if (net != null) {
            net.close();
        }
        XlCommand.xlQuietly("vos-net", "destroy", XEN_NAME);
        String out = System.getenv("VOS_XEN_LAB_OUT");
        if (out != null && !FIGURES.isEmpty()) {
            Files.write(Path.of(out, "net-figures.txt"), FIGURES);
        }
    }

    /** A listener in the guest, a connection to it in the guest, bytes both ways: none of it on dom0's loopback. */
    @Test
    @Order(1)
    void aConnectionInTheGuest_bytesBothWays_andNotOnDom0sLoopback() throws Exception {
        assertEquals(agentPid, net.call(CoreCalls.GETPID), "the guest's agent answers");
        try (ServerSocketChannel server = provider.openServerSocketChannel();
             SocketChannel client = provider.openSocketChannel()) {
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            assertThrows(ConnectException.class, () -> SocketChannel.open(new InetSocketAddress(LOOPBACK, port))
                    .close(), "port " + port + " of dom0's own loopback: the listener is the guest's");
            client.connect(new InetSocketAddress(LOOPBACK, port));
            try (SocketChannel accepted = server.accept()) {
                assertEquals(client.getLocalAddress(), accepted.getRemoteAddress());
                byte[] sent = new byte[100_000]; // several of the guest ring's 16 KiB payloads
                for (int i = 0; i < sent.length; i++) {
                    sent[i] = (byte) (i * 31);
                }
                CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> echoAll(accepted,
                        sent.length));
                client.write(ByteBuffer.wrap(sent));
                ByteBuffer back = ByteBuffer.allocate(sent.length);
                while (back.hasRemaining()) {
                    assertTrue(client.read(back) >= 0, "the stream ended early");
                }
                assertArrayEquals(sent, echoed.get(60, TimeUnit.SECONDS));
                assertArrayEquals(sent, back.array());
            }
        }
    }

    /** Echoes {@code count} bytes back on {@code channel}; returns what it read. */
    private static byte[] echoAll(SocketChannel channel, int count) {
        try {
            ByteBuffer in = ByteBuffer.allocate(count);
            while (in.hasRemaining()) {
                if (channel.read(in) < 0) {
                    break;
                }
            }
            channel.write(in.duplicate().flip());
            return Arrays.copyOf(in.array(), in.position());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A selector over a non-blocking listener and connection in the guest wakes for the accept and the read, and
     * 64-byte request-response round trips through the guest's loopback, against the same on dom0's own: a figure.
     */
    @Test
    @Order(2)
    void aSelectorWakesOnTheGuestsReadiness_andTheRoundTripFigure() throws Exception {
        try (ServerSocketChannel server = provider.openServerSocketChannel();
             Selector selector = provider.openSelector();
             SocketChannel client = provider.openSocketChannel()) {
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            client.connect(server.getLocalAddress());
            assertEquals(1, selector.select(30_000), "the accept's readiness, from the guest's epoll");
            selector.selectedKeys().clear();
            try (SocketChannel accepted = server.accept()) {
                assertNotNull(accepted);
                accepted.configureBlocking(false);
                SelectionKey key = accepted.register(selector, SelectionKey.OP_READ);
                client.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
                assertEquals(1, selector.select(30_000), "the read's readiness");
                assertTrue(selector.selectedKeys().contains(key));
                ByteBuffer got = ByteBuffer.allocate(16);
                assertEquals(4, accepted.read(got));
                key.cancel();
                selector.selectNow();
                accepted.configureBlocking(true);
                double guest = roundTrips(client, accepted);
                double dom0;
                try (ServerSocketChannel local = ServerSocketChannel.open()) {
                    local.bind(new InetSocketAddress(LOOPBACK, 0));
                    try (SocketChannel c = SocketChannel.open(local.getLocalAddress());
                         SocketChannel s = local.accept()) {
                        dom0 = roundTrips(c, s);
                    }
                }
                FIGURES.add(String.format(Locale.ROOT, "64 B request-response over loopback TCP, median of %d\t"
                        + "through the guest %.0f us, dom0's own %.0f us\tratio %.1f", ROUND_TRIPS, guest, dom0,
                        guest / dom0));
                FIGURES.forEach(System.out::println);
            }
        }
    }

    /** The median microseconds of a 64-byte request and its 64-byte answer, {@code client} to {@code server}. */
    private static double roundTrips(SocketChannel client, SocketChannel server) throws Exception {
        CompletableFuture<Void> answering = CompletableFuture.runAsync(() -> {
            try {
                ByteBuffer b = ByteBuffer.allocate(64);
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    b.clear();
                    while (b.hasRemaining() && server.read(b) >= 0) {
                        // the whole request
                    }
                    server.write(b.flip());
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        double[] us = new double[ROUND_TRIPS];
        ByteBuffer b = ByteBuffer.allocate(64);
        for (int i = 0; i < ROUND_TRIPS; i++) {
            long t0 = System.nanoTime();
            b.clear();
            client.write(b);
            b.clear();
            while (b.hasRemaining()) {
                assertTrue(client.read(b) >= 0);
            }
            us[i] = (System.nanoTime() - t0) / 1e3;
        }
        answering.get(60, TimeUnit.SECONDS);
        Arrays.sort(us);
        return us[ROUND_TRIPS / 2];
    }

    /**
     * {@code xl destroy} under a read blocked in the guest: it fails within the bound, never hangs; once the guest is
     * re-created, new channels of the same provider work, on the new generation.
     */
    @Test
    @Order(3)
    void destroyedGuest_aBlockedReadFailsWithinTheBound_andTheRecreatedGuestServes() throws Exception {
        try (ServerSocketChannel server = provider.openServerSocketChannel();
             SocketChannel client = provider.openSocketChannel()) {
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            client.connect(server.getLocalAddress());
            try (SocketChannel accepted = server.accept()) {
                CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
                    try {
                        return accepted.read(ByteBuffer.allocate(16));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(500);
                assertFalse(blocked.isDone(), "the read waits in the guest");
                long t0 = System.nanoTime();
                xl("destroy", XEN_NAME);
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> blocked.get(FAIL_BOUND_MS, TimeUnit.MILLISECONDS));
                long failMs = (System.nanoTime() - t0) / 1_000_000;
                IOException cause = assertInstanceOf(IOException.class, e.getCause().getCause(), e.toString());
                System.out.println("vos-net: xl destroy to the blocked read's failure " + failMs + " ms: " + cause);
                FIGURES.add("net guest: xl destroy to a blocked read failed\t" + failMs + " ms\t" + cause);
            }
        }
        long ms = createAndAwaitTheAgent();
        FIGURES.add("net guest: re-created, boot to serving\t" + ms + " ms");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) { // the client attaches to the new guest once its retry interval has passed
            try (ServerSocketChannel server = provider.openServerSocketChannel();
                 SocketChannel client = provider.openSocketChannel()) {
                server.bind(new InetSocketAddress(LOOPBACK, 0));
                client.connect(server.getLocalAddress());
                try (SocketChannel accepted = server.accept()) {
                    client.write(ByteBuffer.wrap("again".getBytes(StandardCharsets.UTF_8)));
                    ByteBuffer got = ByteBuffer.allocate(5);
                    while (got.hasRemaining() && accepted.read(got) >= 0) {
                        // all five
                    }
                    assertEquals("again", new String(got.array(), StandardCharsets.UTF_8));
                }
                break;
            } catch (IOException e) {
                assertTrue(System.nanoTime() < deadline, "no new socket served 60 s after the guest came back: " + e);
                Thread.sleep(100);
            }
        }
        assertEquals(agentPid, net.call(CoreCalls.GETPID), "the re-created guest's agent answers");
    }

    /** {@code xl create}s the guest and waits for its agent to announce itself serving; the time it took. */
    private static long createAndAwaitTheAgent() throws Exception {
        XlCommand.Serving serving = XlCommand.createAndAwaitTheAgent(cfg, XEN_NAME);
        agentPid = serving.agentPid();
        return serving.ms();
    }
}
