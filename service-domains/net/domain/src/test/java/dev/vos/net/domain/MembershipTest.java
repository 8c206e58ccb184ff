package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Membership;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.server.CallTable;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static dev.vos.net.domain.DatagramCallsTest.receiveFrom;
import static dev.vos.net.domain.DatagramCallsTest.udp;
import static dev.vos.net.domain.NetRing.LOOPBACK;
import static dev.vos.net.domain.NetRing.expectOk;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Multicast memberships through the domain: a join on loopback lets a group's datagrams in and a leave stops them;
 * the spec's net.bind decides the interfaces a client may join on; and every malformed request is an errno that
 * changes nothing. Loopback carries IPv4 multicast without its MULTICAST flag, so these run on any host.
 */
@Timeout(60)
class MembershipTest {

    private static final InetAddress GROUP = InetAddress.ofLiteral("239.255.77.1");

    private static int loopbackIndex() throws Exception {
        return NetworkInterface.getByInetAddress(LOOPBACK).getIndex();
    }

    /** A membership call with the request as the client writes it: group, source (null: any). */
    private static long membership(NetRing ring, long fd, int op, InetAddress group, InetAddress source, long index)
            throws Exception {
        try (CallSlot slot = ring.client.acquire()) {
            Membership.request(slot.data(), group, source);
            return Membership.call(slot, fd, op, slot.dataOffset(), NetCalls.MEMBERSHIP_BYTES, index);
        }
    }

    private static void sendToGroup(DatagramSocket sender, String text, int port) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        sender.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(GROUP, port)));
    }

    @Test
    void aJoinOnLoopback_letsTheGroupsDatagramsIn_andALeaveStopsThem() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(Map.of(NetCallTableProvider.BIND, "127.0.0.1")), 1);
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            long fd = udp(ring);
            assertEquals(0, ring.bind(fd, new InetSocketAddress(GROUP, 0)),
                    "a UDP socket may bind a group's address, which is none of the host's");
            int port = ring.localAddress(fd).getPort();
            int lo = loopbackIndex();
            assertEquals(0, membership(ring, fd, NetCalls.MEMBERSHIP_JOIN, GROUP, null, lo));
            sendToGroup(sender, "to the group", port);
            DatagramCallsTest.Received got = receiveFrom(ring, fd, 100, 0);
            assertEquals("to the group", got.text());
            assertEquals(sender.getLocalSocketAddress(), got.from());

            assertEquals(0, membership(ring, fd, NetCalls.MEMBERSHIP_BLOCK, GROUP, LOOPBACK, lo));
            sendToGroup(sender, "blocked", port);
            assertEquals(0, membership(ring, fd, NetCalls.MEMBERSHIP_UNBLOCK, GROUP, LOOPBACK, lo));
            sendToGroup(sender, "unblocked", port);
            assertEquals("unblocked", receiveFrom(ring, fd, 100, 0).text(),
                    "the datagram sent while its source was blocked never arrived");

            assertEquals(0, membership(ring, fd, NetCalls.MEMBERSHIP_LEAVE, GROUP, null, lo));
            assertEquals(-Errno.EADDRNOTAVAIL, membership(ring, fd, NetCalls.MEMBERSHIP_LEAVE, GROUP, null, lo),
                    "a second leave: no such membership, as the kernel answers");
            sendToGroup(sender, "after the leave", port);
            Thread.sleep(100); // loopback delivers at once; this is slack, not a race the test depends on
            assertEquals(-Errno.EAGAIN, receiveFrom(ring, fd, 100, NetCalls.NO_WAIT).result(),
                    "nothing arrives for a group the socket left");

            assertEquals(0, membership(ring, fd, NetCalls.MEMBERSHIP_JOIN, GROUP, LOOPBACK, lo),
                    "a source-specific join");
            sendToGroup(sender, "from the source", port);
            assertEquals("from the source", receiveFrom(ring, fd, 100, 0).text());
        }
    }

    @Test
    void joins_areServedOnlyOnInterfacesHoldingAnAddressTheSpecNames() throws Exception {
        int lo = loopbackIndex();
        try (NetRing ring = NetRing.open(NetRing.table(Map.of(NetCallTableProvider.BIND, "10.255.255.1")), 1)) {
            long fd = udp(ring);
            assertEquals(-Errno.EADDRNOTAVAIL, membership(ring, fd, NetCalls.MEMBERSHIP_JOIN, GROUP, null, lo),
                    "loopback holds no address of this spec's net.bind");
            assertEquals(-Errno.EADDRNOTAVAIL, ring.bind(fd, new InetSocketAddress(LOOPBACK, 0)),
                    "as it may not bind there");
        }
        for (String bind : new String[] {"127.0.0.1", "::1", "0.0.0.0"}) {
            try (NetRing ring = NetRing.open(NetRing.table(Map.of(NetCallTableProvider.BIND, bind)), 1)) {
                long fd = udp(ring);
                assertEquals(0, membership(ring, fd, NetCalls.MEMBERSHIP_JOIN, GROUP, null, lo), bind);
            }
        }
        try (NetRing ring = NetRing.open(NetRing.table(Map.of(NetCallTableProvider.BIND, "127.0.0.1")), 1)) {
            long tcp = expectOk(ring.socket(), "socket");
            assertEquals(-Errno.EADDRNOTAVAIL, ring.bind(tcp, new InetSocketAddress(GROUP, 0)),
                    "a TCP socket binds no group's address");
        }
    }

    @Test
    void malformedRequests_areErrnos_andChangeNothing() throws Exception {
        CallTable table = NetRing.table(Map.of(NetCallTableProvider.BIND, "127.0.0.1"));
        try (NetRing ring = NetRing.open(table, 1); NetRing other = NetRing.open(table, 1)) {
            long fd = udp(ring);
            int lo = loopbackIndex();
            int join = NetCalls.MEMBERSHIP_JOIN;
            for (long op : new long[] {0, 5, -1, Long.MIN_VALUE}) {
                assertEquals(-Errno.EINVAL, membership(ring, fd, (int) op, GROUP, null, lo), "op " + op);
            }
            assertEquals(-Errno.EINVAL, membership(ring, fd, join, LOOPBACK, null, lo), "no multicast group");
            assertEquals(-Errno.EINVAL, membership(ring, fd, join, GROUP, GROUP, lo), "a multicast source");
            assertEquals(-Errno.EINVAL, membership(ring, fd, join, GROUP, InetAddress.ofLiteral("0.0.0.0"), lo),
                    "a wildcard source");
            assertEquals(-Errno.EINVAL, membership(ring, fd, join, GROUP, InetAddress.ofLiteral("::1"), lo),
                    "a source of another family than the group's");
            assertEquals(-Errno.EINVAL, membership(ring, fd, NetCalls.MEMBERSHIP_BLOCK, GROUP, null, lo),
                    "a block names a source");
            for (long index : new long[] {0, -1, 1L << 31, Long.MAX_VALUE, 999_999}) {
                assertEquals(-Errno.ENODEV, membership(ring, fd, join, GROUP, null, index), "index " + index);
            }
            try (CallSlot slot = ring.client.acquire()) {
                MemorySegment request = slot.data().asSlice(0, NetCalls.MEMBERSHIP_BYTES);
                request.fill((byte) 0);
                SockaddrLayout.encode(new InetSocketAddress(GROUP, 0), request);
                for (long length : new long[] {0, NetCalls.MEMBERSHIP_BYTES - 1, NetCalls.MEMBERSHIP_BYTES + 1}) {
                    assertEquals(-Errno.EINVAL, Membership.call(slot, fd, join, slot.dataOffset(), length, lo),
                            "a request of " + length + " bytes");
                }
                for (long offset : new long[] {-1, Long.MAX_VALUE - 8, 1L << 40}) {
                    assertEquals(-Errno.EFAULT, Membership.call(slot, fd, join, offset, NetCalls.MEMBERSHIP_BYTES, lo),
                            "a request at " + offset + ", outside the data area");
                }
                request.set(JAVA_SHORT, NetCalls.MEMBERSHIP_GROUP_OFFSET, (short) 1); // AF_UNIX
                assertEquals(-Errno.EINVAL, Membership.call(slot, fd, join, slot.dataOffset(),
                        NetCalls.MEMBERSHIP_BYTES, lo), "a group of no IP family");
                request.set(JAVA_SHORT, NetCalls.MEMBERSHIP_GROUP_OFFSET, (short) SockaddrLayout.AF_INET);
                request.set(JAVA_SHORT, NetCalls.MEMBERSHIP_SOURCE_OFFSET, (short) 77);
                assertEquals(-Errno.EINVAL, Membership.call(slot, fd, join, slot.dataOffset(),
                        NetCalls.MEMBERSHIP_BYTES, lo), "a source of no IP family");
            }
            long tcp = expectOk(ring.socket(), "socket");
            assertEquals(-Errno.EPROTO, membership(ring, tcp, join, GROUP, null, lo), "a TCP socket joins nothing");
            assertEquals(-Errno.EBADF, membership(other, fd, join, GROUP, null, lo), "another session's socket");
            assertEquals(-Errno.EBADF, membership(ring, 12345, join, GROUP, null, lo), "no socket");
            assertEquals(-Errno.EADDRNOTAVAIL, membership(ring, fd, NetCalls.MEMBERSHIP_LEAVE, GROUP, null, lo),
                    "none of these joined: the socket is a member of nothing");
            assertEquals(0, membership(ring, fd, join, GROUP, null, lo), "and a well-formed join still works");
        }
    }
}
