package dev.vos.client.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.vos.client.net.Outcomes.attempt;
import static org.junit.jupiter.api.Assertions.*;

/**
 * UDP through the net domain's {@code DatagramChannel}, scenario by scenario against the JDK's default provider over
 * loopback: what a program sees (sizes, senders, texts, nulls of a receive with nothing there, exception classes)
 * must be the same. What only one provider can do (the domain's bind policy) is tested on its own.
 */
@Timeout(120)
class DatagramDifferentialTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @RegisterExtension
    static final Net0Fixture NET0 = new Net0Fixture();

    private interface Scenario {
        void run(SelectorProvider provider, List<String> seen) throws Exception;
    }

    private static void same(final Scenario scenario) throws Exception {
        final List<String> expected = new ArrayList<>();
        scenario.run(SelectorProvider.provider(), expected);
        final List<String> actual = new ArrayList<>();
        scenario.run(NET0.provider(), actual);
        assertEquals(expected, actual, "the default provider saw " + expected + ", the net domain's " + actual);
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

    /** What {@code channel} receives within 10 s (it is left non-blocking), or "nothing". */
    private static String receiveWithin(final DatagramChannel channel) throws Exception {
        channel.configureBlocking(false);
        final ByteBuffer in = ByteBuffer.allocate(100);
        final long end = System.nanoTime() + 10_000_000_000L;
        while (channel.receive(in) == null) {
            if (System.nanoTime() > end) {
                return "nothing";
            }
            Thread.sleep(5);
        }
        return got(in);
    }

    @Test
    void connect_readWrite_otherDestinationsRefused_thenDisconnect() throws Exception {
        same((provider, seen) -> {
            try (DatagramChannel a = bound(provider);
                 DatagramChannel b = bound(provider);
                 DatagramChannel other = bound(provider)) {
                final SocketAddress aAt = a.getLocalAddress();
                a.connect(b.getLocalAddress());
                seen.add("connected=" + a.isConnected() + " remote="
                        + a.getRemoteAddress().equals(b.getLocalAddress()));
                seen.add("written=" + a.write(text("to b")));
                ByteBuffer in = ByteBuffer.allocate(100);
                seen.add("b from a=" + b.receive(in).equals(a.getLocalAddress()) + " " + got(in));
                b.send(text("back"), a.getLocalAddress());
                seen.add("read into a read-only buffer: " + attempt(() -> a.read(ByteBuffer.allocate(100)
                        .asReadOnlyBuffer())));
                in = ByteBuffer.allocate(100);
                seen.add("read, the datagram not lost=" + a.read(in) + " " + got(in));
                seen.add("send elsewhere: " + attempt(() -> a.send(text("x"), other.getLocalAddress())));
                seen.add("gathered=" + a.write(new ByteBuffer[] {text("ab"), text("cd")}));
                in = ByteBuffer.allocate(100);
                b.receive(in);
                seen.add("one datagram=" + got(in));
                a.disconnect();
                seen.add("after disconnect connected=" + a.isConnected() + " remote=" + a.getRemoteAddress());
                seen.add("read: " + attempt(() -> a.read(ByteBuffer.allocate(4))));
                seen.add("read into a read-only buffer, not connected: " + attempt(() -> a.read(new ByteBuffer[] {
                    ByteBuffer.allocate(4).asReadOnlyBuffer()})));
                seen.add("write: " + attempt(() -> a.write(text("x"))));
                seen.add("send elsewhere now=" + a.send(text("y"), other.getLocalAddress()));
                in = ByteBuffer.allocate(100);
                seen.add("other got from a's first address=" + other.receive(in).equals(aAt) + " " + got(in));
                other.send(text("to a's first address"), aAt);
                seen.add("a got=" + receiveWithin(a)); // Linux's disconnect drops an ephemeral port: bound again

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
        try (DatagramChannel b = bound(NET0.provider());
             DatagramChannel unbound = NET0.provider().openDatagramChannel()) {
            assertThrows(BindException.class, () -> unbound.send(text("x"), b.getLocalAddress()),
                    "net0 allows 127.0.0.1 and ::1 only: the default provider's automatic bind to 0.0.0.0 is refused");
            assertNull(unbound.getLocalAddress(), "and it stays unbound");
            unbound.bind(new InetSocketAddress(LOOPBACK, 0));
            assertEquals(1, unbound.send(text("x"), b.getLocalAddress()), "bound to an allowed address, it sends");
        }
    }

    private static final InetAddress GROUP = InetAddress.ofLiteral("239.255.78.1");

    @Test
    void multicast_joinBlockUnblockDrop_andItsOptions_asTheDefaultProviders() throws Exception {
        final NetworkInterface lo = NetworkInterface.getByInetAddress(LOOPBACK);
        same((provider, seen) -> {
            try (DatagramChannel r = provider.openDatagramChannel(StandardProtocolFamily.INET);
                 DatagramChannel s = provider.openDatagramChannel(StandardProtocolFamily.INET)) {
                r.bind(new InetSocketAddress(GROUP, 0));
                final InetSocketAddress to = new InetSocketAddress(GROUP,
                        ((InetSocketAddress) r.getLocalAddress()).getPort());
                seen.add("bound to the group=" + ((InetSocketAddress) r.getLocalAddress()).getAddress());
                final MembershipKey key = r.join(GROUP, lo);
                seen.add("key=" + key.group() + " " + key.networkInterface().getName() + " " + key.sourceAddress()
                        + " valid=" + key.isValid() + " its channel=" + (key.channel() == r));
                seen.add("join again, the same key=" + (r.join(GROUP, lo) == key));
                seen.add("then from one source=" + attempt(() -> r.join(GROUP, lo, LOOPBACK)));
                s.bind(new InetSocketAddress(LOOPBACK, 0));
                seen.add("interface at first=" + s.getOption(StandardSocketOptions.IP_MULTICAST_IF));
                s.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
                seen.add("interface=" + s.getOption(StandardSocketOptions.IP_MULTICAST_IF).getName());
                seen.add("interface null=" + attempt(() -> s.setOption(StandardSocketOptions.IP_MULTICAST_IF, null)));
                seen.add("ttl=" + s.getOption(StandardSocketOptions.IP_MULTICAST_TTL)
                        + " loop=" + s.getOption(StandardSocketOptions.IP_MULTICAST_LOOP)
                        + " broadcast=" + s.getOption(StandardSocketOptions.SO_BROADCAST));
                s.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 3);
                s.setOption(StandardSocketOptions.SO_BROADCAST, true);
                seen.add("ttl=" + s.getOption(StandardSocketOptions.IP_MULTICAST_TTL)
                        + " broadcast=" + s.getOption(StandardSocketOptions.SO_BROADCAST));
                seen.add("ttl 256=" + attempt(() -> s.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 256)));
                seen.add("options=" + s.supportedOptions().containsAll(List.of(StandardSocketOptions.IP_MULTICAST_IF,
                        StandardSocketOptions.IP_MULTICAST_TTL, StandardSocketOptions.IP_MULTICAST_LOOP)));

                s.send(text("to the group"), to);
                ByteBuffer in = ByteBuffer.allocate(100);
                seen.add("from s=" + r.receive(in).equals(s.getLocalAddress()) + " text=" + got(in));
                seen.add("block=" + (key.block(LOOPBACK) == key) + " again=" + (key.block(LOOPBACK) == key));
                s.send(text("blocked"), to);
                key.unblock(LOOPBACK);
                seen.add("unblock again=" + attempt(() -> key.unblock(LOOPBACK)));
                seen.add("block the wildcard=" + attempt(() -> key.block(InetAddress.ofLiteral("0.0.0.0"))));
                s.send(text("unblocked"), to);
                in = ByteBuffer.allocate(100);
                r.receive(in);
                seen.add("next=" + got(in));

                key.drop();
                key.drop();
                seen.add("dropped: valid=" + key.isValid() + " block=" + attempt(() -> key.block(LOOPBACK)));
                final MembershipKey one = r.join(GROUP, lo, LOOPBACK);
                seen.add("from one source=" + one.sourceAddress() + " block=" + attempt(() -> one.block(LOOPBACK))
                        + " any source now=" + attempt(() -> r.join(GROUP, lo)));
                s.send(text("from the source"), to);
                in = ByteBuffer.allocate(100);
                r.receive(in);
                seen.add("next=" + got(in));
                seen.add("no group=" + attempt(() -> r.join(LOOPBACK, lo)));
                seen.add("an IPv6 group=" + attempt(() -> r.join(InetAddress.ofLiteral("ff15::78"), lo)));
                seen.add("a null source=" + attempt(() -> r.join(GROUP, lo, null)));
                seen.add("a multicast source=" + attempt(() -> r.join(GROUP, lo, GROUP)));
                r.close();
                seen.add("closed: valid=" + one.isValid() + " join=" + attempt(() -> r.join(GROUP, lo)));
            }
        });
    }

    @Test
    void multicast_anIpv6ChannelJoinsIpv4Groups_andNamesItsInterfaceByIndex() throws Exception {
        final NetworkInterface lo = NetworkInterface.getByInetAddress(LOOPBACK);
        same((provider, seen) -> {
            try (DatagramChannel r = provider.openDatagramChannel(StandardProtocolFamily.INET6)) {
                final MembershipKey key = r.join(GROUP, lo);
                seen.add("joined=" + key.isValid() + " group=" + key.group());
                key.drop();
                seen.add("dropped=" + !key.isValid());
                seen.add("an IPv6 group=" + attempt(() -> r.join(InetAddress.ofLiteral("ff15::78"), lo).isValid()));
                seen.add("interface at first=" + r.getOption(StandardSocketOptions.IP_MULTICAST_IF));
                r.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
                seen.add("interface=" + r.getOption(StandardSocketOptions.IP_MULTICAST_IF).getName());
                r.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
                seen.add("loop=" + r.getOption(StandardSocketOptions.IP_MULTICAST_LOOP));
            }
        });
    }
}
