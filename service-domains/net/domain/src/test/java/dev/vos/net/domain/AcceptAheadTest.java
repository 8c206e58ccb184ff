package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Poll;
import dev.vos.ring.server.CallTable;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.vos.net.domain.NetRing.LOOPBACK;
import static dev.vos.net.domain.NetRing.expectOk;
import static org.junit.jupiter.api.Assertions.*;

/**
 * An accept, once answered, takes the listener's next connection from the kernel and holds it for the next accept
 * (NetHandlers.acceptAhead); a close of an accepted connection is answered before its close(2). What that must not
 * change: the order of connections, what a poll or a selector sees, the session's cap on sockets, what the peers of
 * a closed listener see, and what the peer of a closed connection reads. The kernel's own listen queue is read from
 * {@code /proc/net/tcp} (a listening socket's {@code rx_queue} is its backlog of connections to accept).
 */
@Timeout(60)
class AcceptAheadTest {

    @Test
    void theConnectionBehindAnAcceptedOne_isTakenFromTheKernel_andIsTheNextAccept() throws Exception {
        withQueued(NetRing.table(), 1, 3, (ring, listener, port, peers) -> {
            NetRing.Accepted first = ring.accept(listener, 0);
            expectOk(first.fd(), "accept");
            assertEquals(peers.get(0).getLocalSocketAddress(), first.peer(), "first come, first accepted");
            awaitBacklog(port, 1); // the second taken ahead, after the answer: the kernel holds the third only
            for (int i = 1; i < 3; i++) {
                NetRing.Accepted next = ring.accept(listener, NetCalls.NO_WAIT);
                expectOk(next.fd(), "accept " + i);
                assertEquals(peers.get(i).getLocalSocketAddress(), next.peer(), "in order: " + i);
                peers.get(i).getOutputStream().write('0' + i);
                assertEquals(String.valueOf(i), ring.recv(next.fd(), 10, 0), "the peer's own connection");
            }
            assertEquals(0, backlog(port));
            assertEquals(-Errno.EAGAIN, ring.accept(listener, NetCalls.NO_WAIT).fd(), "none is left");
        });
    }

    @Test
    void aPollOfTheListener_seesTheConnectionHeldAhead_thoughTheKernelsQueueIsEmpty() throws Exception {
        withQueued(NetRing.table(), 1, 2, (ring, listener, port, peers) -> {
            expectOk(ring.accept(listener, 0).fd(), "accept");
            awaitBacklog(port, 0); // the second is held in the domain now
            assertEquals(NetCalls.POLLIN, Poll.call(ring.client, listener, NetCalls.POLLIN, NetCalls.NO_WAIT),
                    "a server that selects before it accepts must see it");
            expectOk(ring.accept(listener, NetCalls.NO_WAIT).fd(), "accept of the one held");
            assertEquals(0L, Poll.call(ring.client, listener, NetCalls.POLLIN, NetCalls.NO_WAIT),
                    "and nothing after it");
        });
    }

    @Test
    void aConnectionHeldAhead_isReset_whenItsListenerCloses_asTheKernelResetsItsBacklog() throws Exception {
        withQueued(NetRing.table(), 1, 3, (ring, listener, port, peers) -> {
            long accepted = expectOk(ring.accept(listener, 0).fd(), "accept");
            awaitBacklog(port, 1); // the second is held ahead, the third in the kernel's backlog
            assertEquals(0, NetCalls.Close.call(ring.client, listener));
            for (int i = 1; i < 3; i++) {
                InputStream in = peers.get(i).getInputStream();
                SocketException reset = assertThrows(SocketException.class, in::read,
                        "peer " + i + (i == 1 ? " (held ahead)" : " (in the kernel's backlog)"));
                assertTrue(reset.getMessage().contains("reset"), reset.getMessage());
            }
            peers.get(0).getOutputStream().write('a');
            assertEquals("a", ring.recv(accepted, 10, 0), "the accepted connection lives on");
        });
    }

    @Test
    void theSessionsCap_countsAConnectionTakenAhead_onlyOnceAnAcceptNumbersIt() throws Exception {
        withQueued(NetRing.table(Map.of(NetCallTableProvider.MAX_SOCKETS_PER_SESSION, "2")), 1, 3,
                (ring, listener, port, peers) -> {
            long first = expectOk(ring.accept(listener, 0).fd(), "accept: the second of two sockets");
            awaitBacklog(port, 1); // the second connection is held ahead, unnumbered: the cap lets it be
            assertEquals(-Errno.EMFILE, ring.accept(listener, NetCalls.NO_WAIT).fd(),
                    "the one held ahead would be a third");
            assertEquals(-1, peers.get(1).getInputStream().read(), "refused at the cap: closed, as before");
            assertEquals(0, NetCalls.Close.call(ring.client, first));
            NetRing.Accepted third = ring.accept(listener, 0);
            expectOk(third.fd(), "accept after a close");
            assertEquals(peers.get(2).getLocalSocketAddress(), third.peer());
        });
    }

    @Test
    void anAcceptedConnectionsClose_isAnsweredBeforeItsFin_andThePeerStillSeesTheEnd() throws Exception {
        withQueued(NetRing.table(), 2, 2, (ring, listener, port, peers) -> {
            for (Socket peer : peers) {
                long fd = expectOk(ring.accept(listener, 0).fd(), "accept");
                assertEquals(1, ring.send(fd, new byte[] {'x'}, 0));
                assertEquals(0, NetCalls.Close.call(ring.client, fd));
                InputStream in = peer.getInputStream();
                assertEquals('x', in.read(), "what was sent before the close arrives");
                assertEquals(-1, in.read(), "then the end, from the close(2) after the answer");
                assertEquals(-Errno.EBADF, NetCalls.Close.call(ring.client, fd), "the number went at once");
            }
        });
    }

    /** A test's body: a ring, its listener and port, and peers connected to it in order. */
    private interface Queued {
        void run(NetRing ring, long listener, int port, List<Socket> peers) throws Exception;
    }

    /**
     * Runs {@code body} on a ring of {@code table} with {@code workers} workers, a listener on 127.0.0.1 and
     * {@code count} peers connected to it, all of them in the kernel's backlog when it starts.
     */
    private static void withQueued(CallTable table, int workers, int count, Queued body) throws Exception {
        try (NetRing ring = NetRing.open(table, workers)) {
            long listener = ring.listener();
            int port = ring.localAddress(listener).getPort();
            List<Socket> peers = connect(port, count);
            try {
                awaitBacklog(port, count);
                body.run(ring, listener, port, peers);
            } finally {
                closeAll(peers);
            }
        }
    }

    private static List<Socket> connect(int port, int count) throws IOException {
        List<Socket> peers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket s = new Socket(LOOPBACK, port);
            s.setSoTimeout(10_000);
            peers.add(s);
        }
        return peers;
    }

    private static void closeAll(List<Socket> peers) throws IOException {
        for (Socket s : peers) {
            s.close();
        }
    }

    /** Waits (at most 5 s) until the kernel's backlog of the listener on {@code port} holds {@code count}. */
    private static void awaitBacklog(int port, int count) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (backlog(port) != count) {
            assertTrue(System.nanoTime() < deadline, "backlog of port " + port + " never reached " + count);
            Thread.sleep(5);
        }
    }

    /** The connections waiting in the kernel's backlog of the IPv4 listener on {@code port}, or -1 for none. */
    private static int backlog(int port) throws IOException {
        String local = String.format(Locale.ROOT, ":%04X", port);
        List<String> lines = Files.readAllLines(Path.of("/proc/net/tcp"));
        for (String line : lines.subList(1, lines.size())) { // after the header
            String[] f = line.trim().split("\\s+");
            if (f[1].endsWith(local) && f[3].equals("0A")) { // st 0A: LISTEN
                return Integer.parseInt(f[4].substring(f[4].indexOf(':') + 1), 16); // tx_queue:rx_queue
            }
        }
        return -1;
    }
}
