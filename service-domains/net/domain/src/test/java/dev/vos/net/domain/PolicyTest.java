package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Bind;
import dev.vos.net.protocol.NetCalls.Listen;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.client.CallSlot;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

import static dev.vos.net.domain.NetRing.LOOPBACK;
import static dev.vos.net.domain.NetRing.expectOk;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

/** What the spec's net.bind and the per-session cap allow, and nothing more. */
@Timeout(60)
class PolicyTest {

    @Test
    void bindOutsideNetBind_isEaddrnotavail_asTheKernelAnswersForAForeignAddress() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(Map.of(NetCallTableProvider.BIND, "127.0.0.1")), 1)) {
            long fd = expectOk(ring.socket(), "socket");
            for (String refused : new String[] {"0.0.0.0", "127.0.0.2", "10.0.0.1"}) {
                assertEquals(-Errno.EADDRNOTAVAIL, ring.bind(fd, new InetSocketAddress(
                        InetAddress.getByName(refused), 0)), refused);
            }
            assertEquals(-Errno.EADDRNOTAVAIL, Listen.call(ring.client, fd, 1),
                    "listen on an unbound socket would bind it to the wildcard address");
            long v6 = expectOk(ring.socket(SockaddrLayout.AF_INET6), "socket");
            assertEquals(-Errno.EADDRNOTAVAIL, ring.bind(v6, new InetSocketAddress(InetAddress.getByName("::1"), 0)),
                    "::1 is not in this spec's net.bind");
            assertEquals(-Errno.EADDRNOTAVAIL, bindMapped(ring, v6), "nor is 127.0.0.1 mapped into IPv6");
            assertEquals(0, ring.bind(fd, new InetSocketAddress(LOOPBACK, 0)), "the listed address binds");
            assertEquals(0, Listen.call(ring.client, fd, 1));
        }
    }

    /** bind to {@code ::ffff:127.0.0.1}, written byte by byte (Java reads that address as an Inet4Address). */
    private static long bindMapped(NetRing ring, long fd) throws Exception {
        try (CallSlot slot = ring.client.acquire()) {
            MemorySegment data = slot.data();
            data.asSlice(0, SockaddrLayout.IN6_BYTES).fill((byte) 0);
            data.set(JAVA_BYTE, SockaddrLayout.FAMILY_OFFSET, (byte) SockaddrLayout.AF_INET6);
            byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
            MemorySegment.copy(mapped, 0, data, JAVA_BYTE, SockaddrLayout.IN6_ADDR_OFFSET, mapped.length);
            return Bind.call(slot, fd, slot.dataOffset(), SockaddrLayout.IN6_BYTES);
        }
    }

    @Test
    void aSockaddrRewrittenAfterTheCheck_isNotWhatIsBound() throws Exception {
        // The address is copied out of the payload before it is checked: a client racing to rewrite it after the
        // check binds what was checked or nothing. The flip is between 127.0.0.1 (allowed) and 127.0.0.2, which the
        // kernel would bind (all of 127/8 is local) but the policy refuses: a check of the shared bytes followed by
        // a bind from them would sooner or later bind 127.0.0.2.
        try (NetRing ring = NetRing.open(NetRing.table(Map.of(NetCallTableProvider.BIND, "127.0.0.1")), 2)) {
            for (int i = 0; i < 200; i++) {
                long fd = expectOk(ring.socket(), "socket");
                try (CallSlot slot = ring.client.acquire()) {
                    MemorySegment data = slot.data();
                    int n = SockaddrLayout.encode(new InetSocketAddress(LOOPBACK, 0), data);
                    Thread flipper = Thread.ofPlatform().start(() -> {
                        for (int k = 0; k < 2_000; k++) {
                            data.set(JAVA_BYTE, SockaddrLayout.IN_ADDR_OFFSET + 3, (byte) (k % 2 == 0 ? 2 : 1));
                        }
                    });
                    long r = Bind.call(slot, fd, slot.dataOffset(), n);
                    flipper.join();
                    if (r == 0) {
                        assertEquals(LOOPBACK, ring.localAddress(fd).getAddress(), "what was checked was bound");
                    } else {
                        assertEquals(-Errno.EADDRNOTAVAIL, r);
                    }
                }
                assertEquals(0, NetCalls.Close.call(ring.client, fd));
            }
        }
    }

    @Test
    void aSessionHoldingItsCap_getsEmfile_forASocketAndForAnAccept() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(Map.of(NetCallTableProvider.MAX_SOCKETS_PER_SESSION, "3")),
                1)) {
            long listener = ring.listener();
            long second = expectOk(ring.socket(), "socket");
            assertEquals(0, ring.connect(second, ring.localAddress(listener), 0));
            long third = expectOk(ring.accept(listener, 0).fd(), "accept");
            assertEquals(-Errno.EMFILE, ring.socket(), "three is the cap");
            long fourth;
            try (java.net.Socket peer = new java.net.Socket(LOOPBACK, ring.localAddress(listener).getPort())) {
                assertEquals(-Errno.EMFILE, ring.accept(listener, 0).fd(), "the accepted connection is closed again");
                assertEquals(-1, peer.getInputStream().read(), "and its peer sees it end");
            }
            assertEquals(0, NetCalls.Close.call(ring.client, third));
            fourth = expectOk(ring.socket(), "a slot is free again");
            assertNotEquals(third, fourth, "a closed number is not handed out again");
            assertEquals(SocketTable.FIRST + 3, fourth & 0xFFFF_FFFFL, "the refused ones took no number");
        }
    }
}
