package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Pollset;
import dev.vos.net.protocol.NetCalls.Recvfrom;
import dev.vos.net.protocol.NetCalls.Sendto;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.client.CallSlot;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.vos.net.domain.NetRing.LOOPBACK;
import static dev.vos.net.domain.NetRing.expectOk;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.*;

/**
 * UDP through the domain: datagrams to and from a socket of the host's own stack (the JDK's default
 * {@code DatagramSocket}), with their senders' addresses; connect and its dissolution; a receive that waits; the
 * spec's bind policy held against the kernel's automatic bind to the wildcard address; and a short datagram that does
 * not hide the next one from a pollset.
 */
@Timeout(60)
class DatagramCallsTest {

    private static final int PAYLOAD_ADDR = 60_000; // where the sockaddr goes in the payload, past any buffer here

    static long udp(NetRing ring) throws Exception {
        return expectOk(NetCalls.Socket.call(ring.client, SockaddrLayout.AF_INET, NetCalls.SOCK_DGRAM), "socket");
    }

    private static long sendTo(NetRing ring, long fd, String text, InetSocketAddress to) throws Exception {
        try (CallSlot slot = ring.client.acquire()) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            slot.data().asSlice(0, bytes.length).copyFrom(MemorySegment.ofArray(bytes));
            if (to == null) {
                return Sendto.call(slot, fd, slot.dataOffset(), bytes.length, 0, 0, 0);
            }
            int n = SockaddrLayout.encode(to, slot.data().asSlice(PAYLOAD_ADDR));
            return Sendto.call(slot, fd, slot.dataOffset(), bytes.length, 0, slot.dataOffset() + PAYLOAD_ADDR, n);
        }
    }

    /** One datagram received: its text and sender, or the errno's name. */
    record Received(long result, String text, InetSocketAddress from) {
    }

    static Received receiveFrom(NetRing ring, long fd, int max, long flags) throws Exception {
        try (CallSlot slot = ring.client.acquire()) {
            long r = Recvfrom.call(slot, fd, slot.dataOffset(), max, flags, slot.dataOffset() + PAYLOAD_ADDR,
                    SockaddrLayout.MAX_BYTES);
            if (r < 0) {
                return new Received(r, Errno.describe(r), null);
            }
            String text = new String(slot.data().asSlice(0, r).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
            return new Received(r, text, SockaddrLayout.decode(slot.data().asSlice(PAYLOAD_ADDR),
                    SockaddrLayout.MAX_BYTES));
        }
    }

    private static int pollIn(NetRing ring, long fd) throws Exception {
        try (CallSlot slot = ring.client.acquire()) {
            slot.data().set(JAVA_LONG_UNALIGNED, NetCalls.POLLSET_ENTRY_FD_OFFSET, fd);
            slot.data().set(JAVA_INT_UNALIGNED, NetCalls.POLLSET_ENTRY_EVENTS_OFFSET, NetCalls.POLLIN);
            long r = Pollset.call(slot, slot.dataOffset(), 1, NetCalls.NO_WAIT);
            return r < 0 ? (int) r : slot.data().get(JAVA_INT_UNALIGNED, NetCalls.POLLSET_ENTRY_REVENTS_OFFSET);
        }
    }

    @Test
    void datagramsGoBothWays_withTheirSendersAddress() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1);
             DatagramSocket host = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            host.setSoTimeout(10_000);
            long fd = udp(ring);
            assertEquals(0, ring.bind(fd, new InetSocketAddress(LOOPBACK, 0)));
            InetSocketAddress mine = ring.localAddress(fd);
            InetSocketAddress hosts = (InetSocketAddress) host.getLocalSocketAddress();

            assertEquals(5, sendTo(ring, fd, "hello", hosts));
            DatagramPacket got = new DatagramPacket(new byte[100], 100);
            host.receive(got);
            assertEquals("hello", new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8));
            assertEquals(mine, got.getSocketAddress(), "sent from the socket's own address");

            assertEquals(-Errno.EAGAIN, receiveFrom(ring, fd, 100, NetCalls.NO_WAIT).result());
            CompletableFuture<Received> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return receiveFrom(ring, fd, 100, 0);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, Thread::startVirtualThread);
            Thread.sleep(200);
            assertFalse(waiting.isDone(), "a receive waits for its datagram");
            host.send(new DatagramPacket("back".getBytes(StandardCharsets.UTF_8), 4, mine));
            Received back = waiting.get(10, TimeUnit.SECONDS);
            assertEquals("back", back.text());
            assertEquals(hosts, back.from());
        }
    }

    @Test
    void aShortDatagram_doesNotHideTheNextFromAPollset_andAnEmptyOneIsNoEnd() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1);
             DatagramSocket host = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            long fd = udp(ring);
            assertEquals(0, ring.bind(fd, new InetSocketAddress(LOOPBACK, 0)));
            InetSocketAddress mine = ring.localAddress(fd);
            host.send(new DatagramPacket(new byte[] {'a'}, 1, mine));
            host.send(new DatagramPacket(new byte[] {'b'}, 1, mine));
            host.send(new DatagramPacket(new byte[0], 0, mine));
            Thread.sleep(200); // all three queued, their edges taken
            assertEquals("a", receiveFrom(ring, fd, 100, 0).text(), "1 byte of 100 asked: short, yet not the last");
            assertEquals(NetCalls.POLLIN, pollIn(ring, fd) & NetCalls.POLLIN, "the next datagram is still there");
            assertEquals("b", receiveFrom(ring, fd, 100, 0).text());
            assertEquals(0, receiveFrom(ring, fd, 100, 0).result(), "the empty datagram");
            assertEquals(-Errno.EAGAIN, receiveFrom(ring, fd, 100, NetCalls.NO_WAIT).result(),
                    "and nothing after it: an empty datagram is no end of a stream");
            assertEquals(0, pollIn(ring, fd) & NetCalls.POLLIN, "nor does a pollset say so once a receive found none");
        }
    }

    /** Also: urgent data is TCP's, so on a UDP socket, with an address or without, EOPNOTSUPP and nothing sent. */
    @Test
    void connect_givesAPeer_andAfUnspecDissolvesIt() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1);
             DatagramSocket host = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            host.setSoTimeout(10_000);
            long fd = udp(ring);
            InetSocketAddress hosts = (InetSocketAddress) host.getLocalSocketAddress();
            assertEquals(0, ring.connect(fd, hosts, 0), "never waits");
            assertEquals(hosts, ring.peerAddress(fd));
            byte[] no = "no".getBytes(StandardCharsets.UTF_8);
            assertEquals(-Errno.EOPNOTSUPP, ring.send(fd, no, NetCalls.URGENT), "urgent, to the peer");
            try (CallSlot slot = ring.client.acquire()) {
                int n = SockaddrLayout.encode(hosts, slot.data().asSlice(PAYLOAD_ADDR));
                assertEquals(-Errno.EOPNOTSUPP, Sendto.call(slot, fd, slot.dataOffset(), 2, NetCalls.URGENT,
                        slot.dataOffset() + PAYLOAD_ADDR, n), "urgent, to an address");
            }
            assertEquals(-Errno.EINVAL, ring.send(fd, no, 8), "a flag the protocol does not have");
            assertEquals(3, sendTo(ring, fd, "one", null), "no address: to the peer");
            DatagramPacket got = new DatagramPacket(new byte[100], 100);
            host.receive(got);
            assertEquals("one", new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8),
                    "the first datagram the host sees: none of the refused sends");
            assertEquals(ring.localAddress(fd), got.getSocketAddress());
            assertFalse(ring.localAddress(fd).getAddress().isAnyLocalAddress(), "connect bound the route's address");

            try (CallSlot slot = ring.client.acquire()) {
                slot.data().fill((byte) 0); // family AF_UNSPEC
                assertEquals(0, NetCalls.Connect.call(slot, fd, slot.dataOffset(), 16, 0));
            }
            assertEquals(-Errno.EDESTADDRREQ, sendTo(ring, fd, "two", null), "no peer any more: the kernel's answer");
        }
    }

    @Test
    void anUnboundSocketsSendTo_isRefused_whenTheSpecDoesNotAllowTheWildcard() throws Exception {
        InetSocketAddress somewhere = new InetSocketAddress(LOOPBACK, 9);
        try (NetRing ring = NetRing.open(NetRing.table(Map.of(NetCallTableProvider.BIND, "127.0.0.1")), 1)) {
            long fd = udp(ring);
            assertEquals(-Errno.EADDRNOTAVAIL, sendTo(ring, fd, "x", somewhere),
                    "the kernel would bind it to 0.0.0.0 first");
            assertEquals(0, ring.localAddress(fd).getPort(), "and nothing was bound");
            assertEquals(0, ring.bind(fd, new InetSocketAddress(LOOPBACK, 0)));
            assertEquals(1, sendTo(ring, fd, "x", somewhere), "bound to an allowed address, it sends");
            long tcp = ring.socket();
            assertEquals(-Errno.EINVAL, sendTo(ring, tcp, "x", somewhere), "a stream takes no destination");
            assertEquals(-Errno.EINVAL, receiveFrom(ring, tcp, 10, NetCalls.NO_WAIT).result(),
                    "nor gives a sender");
        }
        try (NetRing ring = NetRing.open(NetRing.table(Map.of(NetCallTableProvider.BIND, "0.0.0.0")), 1)) {
            assertEquals(1, sendTo(ring, udp(ring), "x", somewhere), "a spec that lists the wildcard allows it");
        }
    }
}
