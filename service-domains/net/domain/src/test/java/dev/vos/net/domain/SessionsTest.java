package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Getsockopt;
import dev.vos.ring.server.CallTable;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;

import static dev.vos.net.domain.NetRing.LOOPBACK;
import static dev.vos.net.domain.NetRing.expectOk;
import static org.junit.jupiter.api.Assertions.*;

/** Sockets belong to the session that made them, and die with it. */
@Timeout(60)
class SessionsTest {

    @Test
    void aSocketOfOneSession_isEbadfInAnother_evenAtTheSameIndex() throws Exception {
        CallTable table = NetRing.table();
        try (NetRing one = NetRing.open(table, 1); NetRing two = NetRing.open(table, 1)) {
            long a = one.listener();
            long b = expectOk(two.socket(), "socket");
            assertEquals(a & 0xFFFF_FFFFL, b & 0xFFFF_FFFFL, "each session numbers from 3");
            assertNotEquals(a, b, "but the numbers differ: each session has its own nonce");
            assertEquals(-Errno.EBADF, two.accept(a, NetCalls.NO_WAIT).fd());
            assertEquals(-Errno.EBADF, Getsockopt.call(two.client, a, NetCalls.OPT_SO_REUSEADDR));
            assertEquals("-EBADF", two.recv(a, 10, NetCalls.NO_WAIT));
            assertEquals(-Errno.EBADF, NetCalls.Close.call(two.client, a));
            assertEquals(-Errno.EAGAIN, one.accept(a, NetCalls.NO_WAIT).fd(), "session two's close did nothing");
            assertEquals(-Errno.EBADF, NetCalls.Close.call(one.client, b), "nor can one close two's");
        }
    }

    @Test
    void aStaleNumber_onANewSession_namesNothingThere() throws Exception {
        CallTable table = NetRing.table();
        long stale;
        try (NetRing first = NetRing.open(table, 1)) {
            stale = first.listener();
        }
        try (NetRing second = NetRing.open(table, 1)) {
            long fresh = second.listener();
            assertEquals(stale & 0xFFFF_FFFFL, fresh & 0xFFFF_FFFFL, "the index is reused");
            assertEquals(-Errno.EBADF, second.accept(stale, NetCalls.NO_WAIT).fd());
            assertEquals(-Errno.EBADF, NetCalls.Close.call(second.client, stale));
            assertEquals(-Errno.EAGAIN, second.accept(fresh, NetCalls.NO_WAIT).fd(), "still open");
        }
    }

    @Test
    void endingASession_closesItsSockets_soItsPortRefusesConnections() throws Exception {
        CallTable table = NetRing.table();
        InetSocketAddress address;
        try (NetRing other = NetRing.open(table, 1)) {
            long kept = other.listener();
            NetRing one = NetRing.open(table, 1);
            address = one.localAddress(one.listener());
            try (Socket s = new Socket(LOOPBACK, address.getPort())) {
                assertTrue(s.isConnected(), "the session's listener accepts while the session lives");
            }
            one.close();
            assertThrows(ConnectException.class, () -> new Socket(LOOPBACK, address.getPort()).close(),
                    "the session ended and its listening socket was closed with it");
            try (Socket s = new Socket(LOOPBACK, other.localAddress(kept).getPort())) {
                assertTrue(s.isConnected(), "another session's socket lives on");
            }
        }
    }
}
