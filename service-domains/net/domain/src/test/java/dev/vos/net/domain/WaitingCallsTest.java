package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Poll;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.server.CallTable;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.vos.net.domain.NetRing.LOOPBACK;
import static dev.vos.net.domain.NetRing.expectOk;
import static dev.vos.net.domain.NetRing.onVirtualThread;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A call that would block waits in the domain, not in a worker: with one worker per ring, a receive, an accept or
 * a poll waiting for a peer leaves that worker free for every other call, of the same session and of others.
 */
@Timeout(60)
class WaitingCallsTest {

    /** Long enough that a call which were answered would be; short enough for a test. Generous: the host is loaded. */
    private static final long STILL_WAITING_MS = 300;

    @Test
    void aReceiveThatWaits_holdsNoWorker_andCompletesWhenTheBytesCome() throws Exception {
        CallTable table = NetRing.table();
        try (NetRing ring = NetRing.open(table, 1); NetRing neighbour = NetRing.open(table, 1)) {
            long listener = ring.listener();
            int port = ring.localAddress(listener).getPort();
            try (Socket quiet = new Socket(LOOPBACK, port); Socket busy = new Socket(LOOPBACK, port)) {
                long waiting = expectOk(ring.accept(listener, 0).fd(), "accept");
                long other = expectOk(ring.accept(listener, 0).fd(), "accept");
                CompletableFuture<String> received = onVirtualThread(() -> ring.recv(waiting, 100, 0));
                assertStillWaiting(received);

                // The ring's only worker is free: a call of the same session, and a whole exchange on another socket.
                assertEquals(0, ring.client.call(CoreCalls.NOP));
                busy.getOutputStream().write("busy".getBytes(StandardCharsets.US_ASCII));
                assertEquals("busy", ring.recv(other, 100, 0));
                assertEquals(0, neighbour.client.call(CoreCalls.NOP), "and another session's call");
                assertFalse(received.isDone(), "the waiting receive still waits");

                quiet.getOutputStream().write("late".getBytes(StandardCharsets.US_ASCII));
                assertEquals("late", received.get(10, TimeUnit.SECONDS));
            }
            assertTrue(ring.server.callsDeferred() >= 1, "the receive was deferred, not executed in the worker");
        }
    }

    @Test
    void anAcceptThatWaits_completesWhenAClientConnects() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long listener = ring.listener();
            assertEquals(-Errno.EAGAIN, ring.accept(listener, NetCalls.NO_WAIT).fd(), "nothing to accept yet");
            CompletableFuture<NetRing.Accepted> accepted = onVirtualThread(() -> ring.accept(listener, 0));
            CompletableFuture<Long> readable = onVirtualThread(
                    () -> Poll.call(ring.client, listener, NetCalls.POLLIN, 0));
            assertStillWaiting(accepted);
            assertEquals(0L, Poll.call(ring.client, listener, NetCalls.POLLIN, NetCalls.NO_WAIT));
            try (Socket peer = new Socket(LOOPBACK, ring.localAddress(listener).getPort())) {
                NetRing.Accepted a = accepted.get(10, TimeUnit.SECONDS);
                expectOk(a.fd(), "accept");
                assertEquals(peer.getLocalSocketAddress(), a.peer());
                long ready = readable.get(10, TimeUnit.SECONDS);
                assertEquals(NetCalls.POLLIN, ready & NetCalls.POLLIN, "poll reported the connection: " + ready);
            }
        }
    }

    @Test
    void closingASocket_answersTheCallsWaitingOnIt_withEbadf() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long listener = ring.listener();
            try (Socket peer = new Socket(LOOPBACK, ring.localAddress(listener).getPort())) {
                long fd = expectOk(ring.accept(listener, 0).fd(), "accept");
                CompletableFuture<String> received = onVirtualThread(() -> ring.recv(fd, 100, 0));
                CompletableFuture<NetRing.Accepted> accepting = onVirtualThread(() -> ring.accept(listener, 0));
                assertStillWaiting(received);
                assertStillWaiting(accepting);
                assertEquals(0, NetCalls.Close.call(ring.client, fd));
                assertEquals(0, NetCalls.Close.call(ring.client, listener));
                assertEquals("-EBADF", received.get(10, TimeUnit.SECONDS));
                assertEquals(-Errno.EBADF, accepting.get(10, TimeUnit.SECONDS).fd());
                assertEquals(-1, peer.getInputStream().read(), "the peer sees the connection end");
            }
        }
    }

    @Test
    void aSendIntoAFullBuffer_waits_andCompletesAsThePeerReads() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1); Socket peer = new Socket()) {
            long listener = ring.listener();
            peer.setReceiveBufferSize(4096); // fixed, small buffers at both ends: no autotuning makes room later
            peer.connect(ring.localAddress(listener));
            long fd = expectOk(ring.accept(listener, 0).fd(), "accept");
            assertEquals(0, NetCalls.Setsockopt.call(ring.client, fd, NetCalls.OPT_SO_SNDBUF, 4096));
            byte[] chunk = new byte[16 << 10];
            long sent = 0;
            for (int full = 0; full < 3; ) { // full three times over, 50 ms apart: the kernel has settled
                long r = ring.send(fd, chunk, NetCalls.NO_WAIT);
                if (r > 0) {
                    sent += r;
                    full = 0;
                } else {
                    assertEquals(-Errno.EAGAIN, r, "a full buffer with NO_WAIT");
                    full++;
                    Thread.sleep(50);
                }
            }
            CompletableFuture<Long> waiting = onVirtualThread(() -> ring.send(fd, chunk, 0));
            assertStillWaiting(waiting);
            assertEquals(0, ring.client.call(CoreCalls.NOP), "the worker is free meanwhile");
            assertEquals(sent, peer.getInputStream().readNBytes((int) sent).length);
            assertTrue(waiting.get(10, TimeUnit.SECONDS) > 0, "the send went out once there was room");
        }
    }

    /**
     * A poll for out on a socket no send ever found full: its sends all went whole, then its buffer was cut below
     * what it holds, so the epoll was never asked for its out edges before this poll found it not writable. The poll
     * waits, and completes as the peer reads.
     */
    @Test
    void aPollForOut_onASocketNoSendFoundFull_waits_andCompletesAsThePeerReads() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1); Socket peer = new Socket()) {
            long listener = ring.listener();
            peer.setReceiveBufferSize(4096);
            peer.connect(ring.localAddress(listener));
            long fd = expectOk(ring.accept(listener, 0).fd(), "accept");
            int size = 48 << 10; // a slot holds 64 KiB; the default send buffer takes it whole
            assertEquals(size, ring.send(fd, new byte[size], NetCalls.NO_WAIT));
            assertEquals(0, NetCalls.Setsockopt.call(ring.client, fd, NetCalls.OPT_SO_SNDBUF, 4096));
            CompletableFuture<Long> polling = onVirtualThread(() -> Poll.call(ring.client, fd, NetCalls.POLLOUT, 0));
            assertStillWaiting(polling);
            assertEquals(size, peer.getInputStream().readNBytes(size).length);
            assertEquals(NetCalls.POLLOUT, polling.get(10, TimeUnit.SECONDS) & NetCalls.POLLOUT, "writable now");
        }
    }

    private static void assertStillWaiting(CompletableFuture<?> call) throws Exception {
        NetRing.assertStillWaiting(call, "the call, waiting for its peer,", STILL_WAITING_MS);
    }
}
