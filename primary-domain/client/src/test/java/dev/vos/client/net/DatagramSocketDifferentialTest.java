package dev.vos.client.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code java.net.DatagramSocket} over {@link VosDatagramSocketImpl}, scenario by scenario against the JDK's own
 * socket over loopback: what a program sees (lengths, texts, senders, exception classes and texts) must be the same.
 * The vos socket is made with {@code DatagramSocket}'s protected constructor, so that both run in this JVM (the
 * factory {@link VosSockets#install()} sets is the JVM's, once); the JDK wraps the impl exactly as it wraps the
 * factory's, in the same legacy socket. {@code VosSocketsTest} runs a program through the factory.
 */
@Timeout(120)
class DatagramSocketDifferentialTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final InetAddress GROUP = InetAddress.ofLiteral("239.255.78.2");

    @RegisterExtension
    static final Net0Fixture NET0 = new Net0Fixture();

    /** A socket of the impl given, as a program gets one from the factory. */
    private static final class ImplSocket extends DatagramSocket {
        ImplSocket(final DatagramSocketImpl impl) {
            super(impl);
            try {
                setBroadcast(true); // as the JDK's factory path does for every socket it makes (createDelegate)
            } catch (SocketException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Makes an unbound socket: the JDK's own, or one over the net domain. */
    private interface Sockets {
        DatagramSocket unbound() throws IOException;

        default DatagramSocket bound() throws IOException {
            final DatagramSocket s = unbound();
            s.bind(new InetSocketAddress(LOOPBACK, 0));
            return s;
        }
    }

    private interface Scenario {
        void run(Sockets sockets, List<String> seen) throws Exception;
    }

    /**
     * Runs {@code scenario} twice over: the JDK's own {@code DatagramSocket} against one over the impl, and the
     * default provider's {@code DatagramChannel.socket()} against net0's channel's ({@link VosDatagramSocketAdaptor}).
     */
    private static void same(final Scenario scenario) throws Exception {
        same(scenario, () -> new DatagramSocket(null), () -> new ImplSocket(new VosDatagramSocketImpl(NET0.provider())),
                "the JDK's socket");
        same(scenario, () -> SelectorProvider.provider().openDatagramChannel().socket(),
                () -> NET0.provider().openDatagramChannel().socket(), "the default channel's socket()");
    }

    private static void same(final Scenario scenario, final Sockets jdk, final Sockets net0, final String what)
            throws Exception {
        final List<String> expected = new ArrayList<>();
        scenario.run(jdk, expected);
        final List<String> actual = new ArrayList<>();
        scenario.run(net0, actual);
        assertEquals(expected, actual, what + " saw " + expected + ", the net domain's " + actual);
    }

    private static String attempt(final Outcomes.Step step) {
        try {
            return String.valueOf(step.run());
        } catch (SocketException e) {
            // The texts of a closed or bound socket's exceptions are the JDK's legacy socket's (it wraps the impl),
            // not its own socket's: the class is compared, and the texts vos writes (of groups) are.
            final boolean ours = e.getMessage() != null && e.getMessage().contains("group");
            return e.getClass().getName() + (ours ? ": " + e.getMessage() : "");
        } catch (IllegalArgumentException e) {
            return e.getClass().getName(); // its texts are the legacy socket's too
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static DatagramPacket packet(final String text, final SocketAddress to) {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return to == null ? new DatagramPacket(bytes, bytes.length) : new DatagramPacket(bytes, bytes.length, to);
    }

    private static String text(final DatagramPacket p) {
        return new String(p.getData(), p.getOffset(), p.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void datagrams_theirSenders_truncation_andAPacketUsedAgain() throws Exception {
        same((sockets, seen) -> {
            try (DatagramSocket a = sockets.bound(); DatagramSocket b = sockets.bound()) {
                seen.add("bound=" + a.isBound() + " local=" + a.getLocalAddress() + " port>0=" + (a.getLocalPort() > 0)
                        + " address=" + a.getLocalSocketAddress().equals(new InetSocketAddress(LOOPBACK,
                        a.getLocalPort())));
                b.setSoTimeout(10_000);
                a.send(packet("ping", b.getLocalSocketAddress()));
                DatagramPacket in = new DatagramPacket(new byte[100], 100);
                b.receive(in);
                seen.add("text=" + text(in) + " length=" + in.getLength() + " from a="
                        + in.getSocketAddress().equals(a.getLocalSocketAddress()));

                a.send(packet("0123456789", b.getLocalSocketAddress()));
                a.send(packet("next", b.getLocalSocketAddress()));
                in = new DatagramPacket(new byte[100], 2, 4);
                b.receive(in);
                seen.add("truncated=" + text(in) + " offset=" + in.getOffset());
                in = new DatagramPacket(new byte[100], 100);
                b.receive(in);
                seen.add("then the next, the rest discarded=" + text(in));

                final DatagramPacket again = new DatagramPacket(new byte[64], 64);
                for (String s : List.of("a longer datagram first", "x", "and a longer one again")) {
                    a.send(packet(s, b.getLocalSocketAddress()));
                    b.receive(again);
                    seen.add("the same packet=" + text(again));
                }
                again.setLength(3);
                a.send(packet("abcdef", b.getLocalSocketAddress()));
                b.receive(again);
                seen.add("after setLength(3)=" + text(again));
                a.send(packet("", b.getLocalSocketAddress()));
                b.receive(in);
                seen.add("empty length=" + in.getLength());

                b.setSoTimeout(200);
                seen.add("timeout=" + b.getSoTimeout() + " receive: " + attempt(() -> {
                    b.receive(new DatagramPacket(new byte[10], 10));
                    return "got one";
                }));
                seen.add("negative timeout: " + attempt(() -> {
                    b.setSoTimeout(-1);
                    return "set";
                }));
            }
        });
    }

    @Test
    void connect_filtersOtherSenders_sendsWithoutAnAddress_andDisconnects() throws Exception {
        same((sockets, seen) -> {
            try (DatagramSocket a = sockets.bound();
                 DatagramSocket b = sockets.bound();
                 DatagramSocket c = sockets.bound()) {
                b.setSoTimeout(10_000);
                a.setSoTimeout(10_000);
                b.connect(a.getLocalSocketAddress());
                seen.add("connected=" + b.isConnected() + " remote=" + b.getRemoteSocketAddress().equals(
                        a.getLocalSocketAddress()) + " port=" + (b.getPort() == a.getLocalPort()));
                c.send(packet("from c, dropped", b.getLocalSocketAddress()));
                a.send(packet("from a", b.getLocalSocketAddress()));
                final DatagramPacket in = new DatagramPacket(new byte[100], 100);
                b.receive(in);
                seen.add("b got=" + text(in));
                b.send(packet("no address", null));
                a.receive(in);
                seen.add("a got=" + text(in) + " from b=" + in.getSocketAddress().equals(b.getLocalSocketAddress()));
                seen.add("to another: " + attempt(() -> {
                    b.send(packet("x", c.getLocalSocketAddress()));
                    return "sent";
                }));
                b.disconnect();
                seen.add("disconnected=" + !b.isConnected() + " remote=" + b.getRemoteSocketAddress());
                b.setSoTimeout(500);
                c.send(packet("from c", b.getLocalSocketAddress()));
                in.setLength(100);
                seen.add("after the disconnect: " + attempt(() -> {
                    b.receive(in);
                    return text(in);
                }));
                a.send(packet("from a", b.getLocalSocketAddress()));
                seen.add("after the disconnect: " + attempt(() -> {
                    b.receive(in);
                    return text(in);
                }));
                seen.add("no address now: " + attempt(() -> {
                    b.send(packet("x", null));
                    return "sent";
                }));
            }
        });
    }

    @Test
    void options_andAClosedSocket() throws Exception {
        same((sockets, seen) -> {
            final DatagramSocket a = sockets.bound();
            a.setReceiveBufferSize(65536);
            a.setSendBufferSize(32768);
            seen.add("rcvbuf=" + a.getReceiveBufferSize() + " sndbuf=" + a.getSendBufferSize());
            seen.add("broadcast=" + a.getBroadcast() + " reuse=" + a.getReuseAddress());
            a.setBroadcast(false);
            a.setReuseAddress(true);
            a.setTrafficClass(0x10);
            seen.add("broadcast=" + a.getBroadcast() + " reuse=" + a.getReuseAddress() + " tos=" + a.getTrafficClass());
            a.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 5);
            seen.add("ttl=" + a.getOption(StandardSocketOptions.IP_MULTICAST_TTL)
                    + " loop=" + a.getOption(StandardSocketOptions.IP_MULTICAST_LOOP));
            seen.add("bind again: " + attempt(() -> {
                a.bind(new InetSocketAddress(LOOPBACK, 0));
                return "bound";
            }));
            a.close();
            seen.add("closed=" + a.isClosed() + " port=" + a.getLocalPort() + " address=" + a.getLocalAddress());
            seen.add("send: " + attempt(() -> {
                a.send(packet("x", new InetSocketAddress(LOOPBACK, 9)));
                return "sent";
            }));
            seen.add("receive: " + attempt(() -> {
                a.receive(new DatagramPacket(new byte[1], 1));
                return "received";
            }));
            seen.add("timeout: " + attempt(() -> {
                a.setSoTimeout(1);
                return "set";
            }));
        });
    }

    @Test
    void multicast_joinAndLeave_byTheDatagramSocketsMethods() throws Exception {
        final NetworkInterface lo = NetworkInterface.getByInetAddress(LOOPBACK);
        same((sockets, seen) -> {
            try (DatagramSocket r = sockets.unbound(); DatagramSocket s = sockets.bound()) {
                r.bind(new InetSocketAddress(GROUP, 0));
                r.setSoTimeout(10_000);
                final InetSocketAddress to = new InetSocketAddress(GROUP, r.getLocalPort());
                r.joinGroup(new InetSocketAddress(GROUP, 0), lo);
                seen.add("join again: " + attempt(() -> {
                    r.joinGroup(new InetSocketAddress(GROUP, 0), lo);
                    return "joined";
                }));
                seen.add("not a group: " + attempt(() -> {
                    r.joinGroup(new InetSocketAddress(LOOPBACK, 0), lo);
                    return "joined";
                }));
                s.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
                seen.add("interface=" + s.getOption(StandardSocketOptions.IP_MULTICAST_IF).getName());
                s.send(packet("to the group", to));
                final DatagramPacket in = new DatagramPacket(new byte[100], 100);
                r.receive(in);
                seen.add("got=" + text(in) + " from s=" + in.getSocketAddress().equals(s.getLocalSocketAddress()));
                r.leaveGroup(new InetSocketAddress(GROUP, 0), lo);
                seen.add("leave again: " + attempt(() -> {
                    r.leaveGroup(new InetSocketAddress(GROUP, 0), lo);
                    return "left";
                }));
                s.send(packet("after the leave", to));
                r.setSoTimeout(300);
                seen.add("after the leave: " + attempt(() -> {
                    r.receive(in);
                    return text(in);
                }));
            }
        });
    }

    @Test
    void theDomainsPolicy_refusesTheWildcardBindOfAnUnboundSocketsSend() throws Exception {
        try (DatagramSocket b = new ImplSocket(new VosDatagramSocketImpl(NET0.provider()))) {
            b.bind(new InetSocketAddress(LOOPBACK, 0));
            final DatagramSocket unbound = new ImplSocket(new VosDatagramSocketImpl(NET0.provider()));
            final SocketException e = assertThrows(SocketException.class,
                    () -> unbound.send(packet("x", b.getLocalSocketAddress())),
                    "net0 allows 127.0.0.1 and ::1 only: the JDK socket's automatic bind to 0.0.0.0 is refused");
            assertInstanceOf(BindException.class, e, e.toString());
            assertFalse(unbound.isBound(), "and it stays unbound");
            unbound.close();
        }
    }
}
