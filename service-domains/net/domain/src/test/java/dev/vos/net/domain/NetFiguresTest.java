package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.KindFigure;
import dev.vos.ring.server.ServerStats;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.vos.net.domain.NetRing.LOOPBACK;
import static dev.vos.net.domain.NetRing.expectOk;
import static org.junit.jupiter.api.Assertions.*;

/**
 * What the net domain counts for its operators, against real sockets on loopback: bytes sent and received (the
 * ring's bytes written and read, sendto and recvfrom being marked as transfers), errors by errno (the ring's, for
 * calls answered at once and for parked ones), and the kind's own figures: open sockets, accepted connections,
 * refused connects. Every figure is read after the call that moved it returned, so nothing here waits on time.
 */
@Timeout(60)
class NetFiguresTest {

    private static long figure(CallTable table, KindFigure figure) {
        return table.figures().get(figure);
    }

    @Test
    void theTable_registersTheNetFigures_andMarksSendAndReceiveAsTransfers() {
        CallTable table = NetRing.table();
        assertEquals(Map.of(KindFigure.NET_SOCKETS_OPEN, 0L, KindFigure.NET_CONNECTIONS_ACCEPTED, 0L,
                KindFigure.NET_CONNECTIONS_REFUSED, 0L), table.figures(), "all three, at 0, before any call");
        assertEquals(CallTable.Transfer.WRITE, table.transfer(NetCalls.SENDTO));
        assertEquals(CallTable.Transfer.READ, table.transfer(NetCalls.RECVFROM));
        assertEquals(CallTable.Transfer.NONE, table.transfer(NetCalls.ACCEPT));
    }

    @Test
    void bytesSentAndReceived_areTheRingsBytesWrittenAndRead_parkedReceivesToo() throws Exception {
        CallTable table = NetRing.table();
        try (NetRing ring = NetRing.open(table, 2);
             ServerSocket server = new ServerSocket(0, 4, LOOPBACK)) {
            long fd = expectOk(ring.socket(), "socket");
            assertEquals(0, ring.connect(fd, (InetSocketAddress) server.getLocalSocketAddress(), 0));
            try (Socket peer = server.accept()) {
                byte[] out = new byte[3000];
                Arrays.fill(out, (byte) 'x');
                assertEquals(3000, ring.send(fd, out, 0));
                InputStream in = peer.getInputStream();
                assertEquals(3000, in.readNBytes(3000).length);

                ServerStats before = ring.server.stats();
                assertEquals(3000, before.bytesWritten(), "what sendto returned");
                assertEquals(0, before.bytesRead());

                // A receive with nothing queued parks in the domain, and is answered from the readiness loop's thread:
                // its bytes are counted all the same.
                CompletableFuture<String> parked = CompletableFuture.supplyAsync(() -> {
                    try {
                        return ring.recv(fd, 100, 0);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                peer.getOutputStream().write("seventeen bytes!!".getBytes());
                assertEquals("seventeen bytes!!", parked.get());
                assertEquals("-EAGAIN", ring.recv(fd, 100, NetCalls.NO_WAIT));
                ServerStats after = ring.server.stats();
                assertEquals(17, after.bytesRead());
                assertEquals(3000, after.bytesWritten());
                assertEquals(1, after.errorsByErrno()[Errno.EAGAIN], "the NO_WAIT receive's answer, by errno");
            }
        }
    }

    @Test
    void acceptedConnections_andOpenSockets_countEverySession() throws Exception {
        CallTable table = NetRing.table();
        try (NetRing one = NetRing.open(table, 1)) {
            long listener = one.listener();
            assertEquals(1, figure(table, KindFigure.NET_SOCKETS_OPEN), "the listener");
            int port = one.localAddress(listener).getPort();
            try (Socket a = new Socket(LOOPBACK, port); Socket b = new Socket(LOOPBACK, port)) {
                long first = expectOk(one.accept(listener, 0).fd(), "accept");
                expectOk(one.accept(listener, 0).fd(), "accept");
                assertEquals(2, figure(table, KindFigure.NET_CONNECTIONS_ACCEPTED));
                assertEquals(3, figure(table, KindFigure.NET_SOCKETS_OPEN));
                assertEquals(-Errno.EAGAIN, one.accept(listener, NetCalls.NO_WAIT).fd());
                assertEquals(2, figure(table, KindFigure.NET_CONNECTIONS_ACCEPTED), "an accept that got none");

                try (NetRing two = NetRing.open(table, 1)) {
                    expectOk(two.socket(), "socket");
                    expectOk(two.socket(), "socket");
                    assertEquals(5, figure(table, KindFigure.NET_SOCKETS_OPEN), "the domain's, all sessions");
                }
                assertEquals(3, figure(table, KindFigure.NET_SOCKETS_OPEN), "a session's end closes its sockets");
                assertEquals(0, NetCalls.Close.call(one.client, first));
                assertEquals(-Errno.EBADF, NetCalls.Close.call(one.client, first));
                assertEquals(2, figure(table, KindFigure.NET_SOCKETS_OPEN), "a close, counted once");
            }
        }
        assertEquals(0, figure(table, KindFigure.NET_SOCKETS_OPEN));
        assertEquals(2, figure(table, KindFigure.NET_CONNECTIONS_ACCEPTED), "a counter: it never goes down");
    }

    @Test
    void aSocketOverTheSessionsCap_isNeverCountedOpen() throws Exception {
        CallTable table = NetRing.table(Map.of(NetCallTableProvider.MAX_SOCKETS_PER_SESSION, "1"));
        try (NetRing ring = NetRing.open(table, 1)) {
            expectOk(ring.socket(), "socket");
            assertEquals(-Errno.EMFILE, ring.socket());
            assertEquals(1, figure(table, KindFigure.NET_SOCKETS_OPEN));
            assertEquals(1, ring.server.stats().errorsByErrno()[Errno.EMFILE]);
        }
    }

    @Test
    void aRefusedConnect_isCountedRefused_andByItsErrno_aConnectThatSucceedsIsNot() throws Exception {
        CallTable table = NetRing.table();
        try (NetRing ring = NetRing.open(table, 1);
             ServerSocket server = new ServerSocket(0, 4, LOOPBACK);
             Socket holder = new Socket()) {
            // A port bound and not listening: connects to it are refused, and no one else can take it meanwhile.
            holder.bind(new InetSocketAddress(LOOPBACK, 0));
            for (int i = 0; i < 3; i++) {
                long fd = expectOk(ring.socket(), "socket");
                assertEquals(-Errno.ECONNREFUSED,
                        ring.connect(fd, (InetSocketAddress) holder.getLocalSocketAddress(), 0));
            }
            long fd = expectOk(ring.socket(), "socket");
            assertEquals(0, ring.connect(fd, (InetSocketAddress) server.getLocalSocketAddress(), 0));
            server.accept().close();
            assertEquals(3, figure(table, KindFigure.NET_CONNECTIONS_REFUSED));
            assertEquals(0, figure(table, KindFigure.NET_CONNECTIONS_ACCEPTED), "accepted counts inbound only");
            assertEquals(3, ring.server.stats().errorsByErrno()[Errno.ECONNREFUSED]);
        }
    }
}
