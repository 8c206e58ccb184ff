package dev.vos.client.net;

import dev.vos.client.DomainClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * UDP through the net domain's {@code DatagramChannel}, scenario by scenario against the JDK's default provider over
 * loopback: what a program sees (sizes, senders, texts, nulls of a receive with nothing there, exception classes)
 * must be the same. What only one provider can do (the domain's bind policy) is tested on its own.
 */
@Timeout(120)
class DatagramDifferentialTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    static Path dir;
    private static NetDomain domain;
    private static DomainClient client;
    private static SelectorProvider vos;

    @BeforeAll
    static void start() throws IOException {
        domain = NetDomain.start(dir);
        client = domain.client();
        vos = new VosSelectorProvider(client);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        client.close();
        domain.close();
    }

    private interface Scenario {
        void run(SelectorProvider provider, List<String> seen) throws Exception;
    }

    private interface Step {
        Object run() throws Exception;
    }

    private static void same(final Scenario scenario) throws Exception {
        final List<String> expected = new ArrayList<>();
        scenario.run(SelectorProvider.provider(), expected);
        final List<String> actual = new ArrayList<>();
        scenario.run(vos, actual);
        assertEquals(expected, actual, "the default provider saw " + expected + ", the net domain's " + actual);
    }

    private static String attempt(final Step step) {
        try {
            return String.valueOf(step.run());
        } catch (Exception e) {
            return e.getClass().getName();
        }
    }

    private static DatagramChannel bound(final SelectorProvider provider) throws IOException {
        final DatagramChannel channel = provider.openDatagramChannel();
        channel.bind(new InetSocketAddress(LOOPBACK, 0));
        return channel;
    }

    private static ByteBuffer text(final String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String got(final ByteBuffer buffer) {
        buffer.flip();
        return StandardCharsets.UTF_8.decode(buffer).toString();
    }

    @Test
    void datagrams_carryTheirSender_andWhatDoesNotFitIsDiscarded() throws Exception {
        same((provider, seen) -> {
            try (DatagramChannel a = bound(provider); DatagramChannel b = bound(provider)) {
                final SocketAddress aAt = a.getLocalAddress();
                seen.add("sent=" + a.send(text("ping"), b.getLocalAddress()));
                ByteBuffer in = ByteBuffer.allocate(100);
                final SocketAddress from = b.receive(in);
                seen.add("from a=" + from.equals(aAt) + " text=" + got(in));
                b.configureBlocking(false);
                seen.add("nothing there=" + b.receive(ByteBuffer.allocate(100)));
                b.configureBlocking(true);
                a.send(text("0123456789"), b.getLocalAddress());
                a.send(text("next"), b.getLocalAddress());
                in = ByteBuffer.allocate(4);
                b.receive(in);
                seen.add("truncated=" + got(in));
                in = ByteBuffer.allocate(100);
                b.receive(in);
                seen.add("then the next datagram, the rest discarded=" + got(in));
                seen.add("empty sent=" + a.send(ByteBuffer.allocate(0), b.getLocalAddress()));
                in = ByteBuffer.allocate(100);
                seen.add("empty from a=" + b.receive(in).equals(aAt) + " bytes=" + in.position());
                seen.add("open=" + a.isOpen() + " connected=" + a.isConnected());
            }
        });
    }

    @Test
    void connect_readWrite_otherDestinationsRefused_thenDisconnect() throws Exception {
        same((provider, seen) -> {
            try (DatagramChannel a = bound(provider);
                 DatagramChannel b = bound(provider);
                 DatagramChannel other = bound(provider)) {
                a.connect(b.getLocalAddress());
                seen.add("connected=" + a.isConnected() + " remote="
                        + a.getRemoteAddress().equals(b.getLocalAddress()));
                seen.add("written=" + a.write(text("to b")));
                ByteBuffer in = ByteBuffer.allocate(100);
                seen.add("b from a=" + b.receive(in).equals(a.getLocalAddress()) + " " + got(in));
                b.send(text("back"), a.getLocalAddress());
                in = ByteBuffer.allocate(100);
                seen.add("read=" + a.read(in) + " " + got(in));
                seen.add("send elsewhere: " + attempt(() -> a.send(text("x"), other.getLocalAddress())));
                seen.add("gathered=" + a.write(new ByteBuffer[] {text("ab"), text("cd")}));
                in = ByteBuffer.allocate(100);
                b.receive(in);
                seen.add("one datagram=" + got(in));
                a.disconnect();
                seen.add("after disconnect connected=" + a.isConnected() + " remote=" + a.getRemoteAddress());
                seen.add("read: " + attempt(() -> a.read(ByteBuffer.allocate(4))));
                seen.add("write: " + attempt(() -> a.write(text("x"))));
                seen.add("send elsewhere now=" + a.send(text("y"), other.getLocalAddress()));
                in = ByteBuffer.allocate(100);
                other.receive(in);
                seen.add("other got=" + got(in));
            }
        });
    }

    @Test
    void aSelector_reportsADatagramArriving_andClosedChannelsAreClosed() throws Exception {
        same((provider, seen) -> {
            try (DatagramChannel a = bound(provider);
                 DatagramChannel b = bound(provider);
                 Selector selector = provider.openSelector()) {
                b.configureBlocking(false);
                final SelectionKey key = b.register(selector, SelectionKey.OP_READ);
                seen.add("nothing yet=" + selector.selectNow());
                a.send(text("wake"), b.getLocalAddress());
                seen.add("selected=" + selector.select(10_000) + " readable=" + key.isReadable());
                selector.selectedKeys().clear();
                final ByteBuffer in = ByteBuffer.allocate(100);
                b.receive(in);
                seen.add("received=" + got(in));
                seen.add("then nothing=" + b.receive(ByteBuffer.allocate(100)));
                b.register(selector, SelectionKey.OP_WRITE);
                seen.add("writable=" + selector.select(10_000) + " " + key.isWritable());
                seen.add("option SO_RCVBUF set and read back="
                        + (a.setOption(StandardSocketOptions.SO_RCVBUF, 65536)
                        .getOption(StandardSocketOptions.SO_RCVBUF) > 0));
                a.close();
                seen.add("send on closed: " + attempt(() -> a.send(text("x"), b.getLocalAddress())));
                seen.add("receive on closed: " + attempt(() -> a.receive(ByteBuffer.allocate(1))));
            }
        });
    }

    @Test
    void anUnboundChannelsSend_bindsToTheWildcard_whichTheDomainsPolicyRefuses() throws Exception {
        try (DatagramChannel b = bound(vos); DatagramChannel unbound = vos.openDatagramChannel()) {
            assertThrows(BindException.class, () -> unbound.send(text("x"), b.getLocalAddress()),
                    "net0 allows 127.0.0.1 and ::1 only: the default provider's automatic bind to 0.0.0.0 is refused");
            assertNull(unbound.getLocalAddress(), "and it stays unbound");
            unbound.bind(new InetSocketAddress(LOOPBACK, 0));
            assertEquals(1, unbound.send(text("x"), b.getLocalAddress()), "bound to an allowed address, it sends");
            assertThrows(UnsupportedOperationException.class, unbound::socket);
        }
    }
}
