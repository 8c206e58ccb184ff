package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Getsockopt;
import dev.vos.net.protocol.NetCalls.Setsockopt;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static dev.vos.net.domain.NetRing.LOOPBACK;
import static dev.vos.net.domain.NetRing.expectOk;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The socket calls against real sockets on the loopback interface, the other end a plain java.net socket. */
@Timeout(60)
class SocketCallsTest {

    @Test
    void aListenerInTheDomain_acceptsAJavaClient_andEchoes() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long listener = ring.listener();
            InetSocketAddress bound = ring.localAddress(listener);
            assertEquals(LOOPBACK, bound.getAddress());
            assertTrue(bound.getPort() > 0, "the kernel picked a port: " + bound);
            try (Socket peer = new Socket(LOOPBACK, bound.getPort())) {
                NetRing.Accepted accepted = ring.accept(listener, 0);
                expectOk(accepted.fd(), "accept");
                assertEquals(peer.getLocalSocketAddress(), accepted.peer(), "accept wrote the peer's sockaddr");
                assertEquals(peer.getLocalSocketAddress(), ring.peerAddress(accepted.fd()));
                peer.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                assertEquals("ping", ring.recv(accepted.fd(), 100, 0));
                assertEquals(4, ring.send(accepted.fd(), "pong".getBytes(StandardCharsets.US_ASCII), 0));
                assertEquals("pong", new String(peer.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
                assertEquals(0, NetCalls.Shutdown.call(ring.client, accepted.fd(), NetCalls.SHUT_WR));
                assertEquals(-1, peer.getInputStream().read(), "the peer reads the end of the stream");
                peer.shutdownOutput();
                assertEquals("", ring.recv(accepted.fd(), 100, 0), "and the domain reads it: 0 bytes");
                assertEquals(0, NetCalls.Close.call(ring.client, accepted.fd()));
            }
        }
    }

    @Test
    void aConnectFromTheDomain_reachesAJavaServer_andARefusalIsEconnrefused() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1);
             ServerSocket server = new ServerSocket(0, 4, LOOPBACK)) {
            long fd = expectOk(ring.socket(), "socket");
            assertEquals(0, ring.connect(fd, (InetSocketAddress) server.getLocalSocketAddress(), 0));
            try (Socket accepted = server.accept()) {
                assertEquals(accepted.getRemoteSocketAddress(), ring.localAddress(fd));
                assertEquals(5, ring.send(fd, "hello".getBytes(StandardCharsets.US_ASCII), 0));
                InputStream in = accepted.getInputStream();
                assertEquals("hello", new String(in.readNBytes(5), StandardCharsets.US_ASCII));
                OutputStream out = accepted.getOutputStream();
                out.write("back".getBytes(StandardCharsets.US_ASCII));
                assertEquals("back", ring.recv(fd, 4, NetCalls.PEEK), "peek leaves the bytes queued");
                assertEquals("back", ring.recv(fd, 4, 0));
            }
            // A port bound and not listening: connects to it are refused, and no one else can take it meanwhile.
            try (Socket holder = new Socket()) {
                holder.bind(new InetSocketAddress(LOOPBACK, 0));
                long other = expectOk(ring.socket(), "socket");
                assertEquals(-Errno.ECONNREFUSED,
                        ring.connect(other, (InetSocketAddress) holder.getLocalSocketAddress(), 0));
            }
        }
    }

    @Test
    void ipv6Loopback_isServedToo() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        try (ServerSocket probe = new ServerSocket(0, 1, v6)) {
            assumeTrue(probe.getInetAddress() instanceof Inet6Address, "no IPv6 loopback here");
        } catch (java.io.IOException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e.getMessage());
        }
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long listener = expectOk(ring.socket(SockaddrLayout.AF_INET6), "socket");
            assertEquals(0, ring.bind(listener, new InetSocketAddress(v6, 0)));
            assertEquals(0, NetCalls.Listen.call(ring.client, listener, 4));
            InetSocketAddress bound = ring.localAddress(listener);
            assertEquals(v6, bound.getAddress());
            try (Socket peer = new Socket(v6, bound.getPort())) {
                long fd = expectOk(ring.accept(listener, 0).fd(), "accept");
                assertEquals(peer.getLocalSocketAddress(), ring.peerAddress(fd));
                peer.getOutputStream().write(6);
                assertEquals("\u0006", ring.recv(fd, 10, 0));
            }
        }
    }

    @Test
    void theJdksExtendedOptions_roundTrip_theKernelJudgesTheirRange_andAValueBeyondAnIntIsRefused() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long fd = expectOk(ring.socket(), "socket");
            assertEquals(7200, Getsockopt.call(ring.client, fd, NetCalls.OPT_TCP_KEEPIDLE), "the kernel's default");
            for (int option : new int[] {NetCalls.OPT_TCP_KEEPIDLE, NetCalls.OPT_TCP_KEEPINTERVAL,
                    NetCalls.OPT_TCP_KEEPCOUNT}) {
                assertEquals(0, Setsockopt.call(ring.client, fd, option, 17), "set " + option);
                assertEquals(17, Getsockopt.call(ring.client, fd, option), "get " + option);
                for (long bad : new long[] {0, -1, Integer.MIN_VALUE, 40_000}) {
                    assertEquals(-Errno.EINVAL, Setsockopt.call(ring.client, fd, option, bad), "the kernel: " + bad);
                }
                // (1 << 32) + 5 cut to an int is 5, a value the kernel takes: the domain must refuse it whole.
                for (long bad : new long[] {(1L << 32) + 5, Integer.MAX_VALUE + 1L, Long.MIN_VALUE}) {
                    assertEquals(-Errno.EINVAL, Setsockopt.call(ring.client, fd, option, bad), "no int: " + bad);
                }
                assertEquals(17, Getsockopt.call(ring.client, fd, option), "a refused value changed nothing");
            }
            assertEquals(-Errno.EINVAL, Setsockopt.call(ring.client, fd, NetCalls.OPT_TCP_KEEPCOUNT, 128));
            assertEquals(0, Setsockopt.call(ring.client, fd, NetCalls.OPT_TCP_QUICKACK, 1));
            assertEquals(1, Getsockopt.call(ring.client, fd, NetCalls.OPT_TCP_QUICKACK));
            assertEquals(-Errno.EINVAL, Setsockopt.call(ring.client, fd, NetCalls.OPT_TCP_QUICKACK, 2));
            assertEquals(0, Getsockopt.call(ring.client, fd, NetCalls.OPT_SO_INCOMING_NAPI_ID), "no packet yet");
            assertEquals(-Errno.ENOPROTOOPT, Setsockopt.call(ring.client, fd, NetCalls.OPT_SO_INCOMING_NAPI_ID, 1),
                    "read only");
        }
    }

    @Test
    void dontFragment_isPathMtuDiscoveryDoOrDont_andReadsSetOnlyWhenDo() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            for (int family : new int[] {SockaddrLayout.AF_INET, SockaddrLayout.AF_INET6}) {
                long fd = expectOk(NetCalls.Socket.call(ring.client, family, NetCalls.SOCK_DGRAM), "socket");
                assertEquals(0, Getsockopt.call(ring.client, fd, NetCalls.OPT_IP_DONTFRAGMENT),
                        "the kernel's default (IP_PMTUDISC_WANT) is not DO");
                assertEquals(0, Setsockopt.call(ring.client, fd, NetCalls.OPT_IP_DONTFRAGMENT, 1));
                assertEquals(1, Getsockopt.call(ring.client, fd, NetCalls.OPT_IP_DONTFRAGMENT));
                assertEquals(-Errno.EINVAL, Setsockopt.call(ring.client, fd, NetCalls.OPT_IP_DONTFRAGMENT, 3),
                        "no other discovery mode through this option");
                assertEquals(1, Getsockopt.call(ring.client, fd, NetCalls.OPT_IP_DONTFRAGMENT));
                assertEquals(0, Setsockopt.call(ring.client, fd, NetCalls.OPT_IP_DONTFRAGMENT, 0));
                assertEquals(0, Getsockopt.call(ring.client, fd, NetCalls.OPT_IP_DONTFRAGMENT));
            }
        }
    }

    @Test
    void theStandardSocketOptions_roundTrip_andOthersAreRefused() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long fd = expectOk(ring.socket(), "socket");
            for (int option : new int[] {NetCalls.OPT_SO_KEEPALIVE, NetCalls.OPT_SO_REUSEADDR,
                    NetCalls.OPT_SO_REUSEPORT, NetCalls.OPT_TCP_NODELAY}) {
                assertEquals(0, Setsockopt.call(ring.client, fd, option, 1), "set " + option);
                assertEquals(1, Getsockopt.call(ring.client, fd, option), "get " + option);
                assertEquals(0, Setsockopt.call(ring.client, fd, option, 0));
                assertEquals(0, Getsockopt.call(ring.client, fd, option));
                assertEquals(-Errno.EINVAL, Setsockopt.call(ring.client, fd, option, 2), "a switch is 0 or 1");
            }
            assertEquals(0, Setsockopt.call(ring.client, fd, NetCalls.OPT_SO_RCVBUF, 65536));
            assertEquals(2 * 65536, Getsockopt.call(ring.client, fd, NetCalls.OPT_SO_RCVBUF), "Linux doubles it");
            assertEquals(-Errno.EINVAL, Setsockopt.call(ring.client, fd, NetCalls.OPT_SO_SNDBUF, -1));
            assertEquals(0, Setsockopt.call(ring.client, fd, NetCalls.OPT_IP_TOS, 0x10));
            assertEquals(0x10, Getsockopt.call(ring.client, fd, NetCalls.OPT_IP_TOS));
            assertEquals(NetCalls.LINGER_OFF, Getsockopt.call(ring.client, fd, NetCalls.OPT_SO_LINGER));
            assertEquals(0, Setsockopt.call(ring.client, fd, NetCalls.OPT_SO_LINGER, 0));
            assertEquals(0, Getsockopt.call(ring.client, fd, NetCalls.OPT_SO_LINGER));
            assertEquals(-Errno.EINVAL, Setsockopt.call(ring.client, fd, NetCalls.OPT_SO_LINGER, 5),
                    "a positive linger would make close wait in the domain");
            assertEquals(0, Getsockopt.call(ring.client, fd, NetCalls.OPT_SO_ERROR));
            assertEquals(-Errno.ENOPROTOOPT, Setsockopt.call(ring.client, fd, NetCalls.OPT_SO_ERROR, 0));
            assertEquals(-Errno.ENOPROTOOPT, Setsockopt.call(ring.client, fd, NetCalls.OPT_IPV6_V6ONLY, 1),
                    "an IPv4 socket has no IPV6_V6ONLY");
            for (long option : new long[] {0, -1, NetCalls.OPT_LAST + 1, Long.MIN_VALUE, Long.MAX_VALUE}) {
                assertEquals(-Errno.ENOPROTOOPT, Setsockopt.call(ring.client, fd, option, 1), "option " + option);
                assertEquals(-Errno.ENOPROTOOPT, Getsockopt.call(ring.client, fd, option), "option " + option);
            }
        }
    }
}
