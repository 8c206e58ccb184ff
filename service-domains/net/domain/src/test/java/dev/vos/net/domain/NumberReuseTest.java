package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Close;
import dev.vos.net.protocol.NetCalls.Recvfrom;
import dev.vos.ring.client.CallBatch;
import dev.vos.ring.client.CallSlot;
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
 * The attack of a close racing a call of the same session: thread A uses socket 5, thread B closes 5, thread C opens
 * a socket. Were C's socket numbered 5 again (the kernel's lowest free descriptor), A's call, still in the ring or
 * between A's check of its channel and its submission, would run on C's socket: read C's bytes, or wait there for
 * good. A number is not handed out twice in a session ({@code SessionNumbers}), so A's call is EBADF, the answer to
 * a call on a closed descriptor (the client's {@code AsynchronousCloseException}).
 */
@Timeout(60)
class NumberReuseTest {

    @Test
    void aParkedReceive_whoseSocketAnotherThreadCloses_isEbadf_andItsLateCallsNeverReachTheNextSocket()
            throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 2)) {
            long listener = ring.listener();
            int port = ring.localAddress(listener).getPort();
            try (Socket peerOfA = new Socket(LOOPBACK, port); Socket peerOfC = new Socket(LOOPBACK, port)) {
                long a = expectOk(ring.accept(listener, 0).fd(), "accept");
                long deferredBefore = ring.server.callsDeferred();
                CompletableFuture<String> parked = onVirtualThread(() -> ring.recv(a, 100, 0)); // thread A
                awaitDeferred(ring, deferredBefore + 1);

                assertEquals(0L, onVirtualThread(() -> Close.call(ring.client, a))
                        .get(10, TimeUnit.SECONDS)); // thread B
                assertEquals("-EBADF", parked.get(10, TimeUnit.SECONDS), "the parked receive is answered EBADF");

                long c = onVirtualThread(() -> ring.accept(listener, 0).fd()).get(10, TimeUnit.SECONDS); // thread C
                expectOk(c, "accept");
                assertNotEquals(a, c, "a closed number is not handed out again");
                peerOfC.getOutputStream().write("for C".getBytes(StandardCharsets.US_ASCII));

                // Thread A's late calls: its channel looked open when it checked, before B's close.
                assertEquals("-EBADF", ring.recv(a, 100, 0), "never C's bytes, never a wait on C's socket");
                assertEquals(-Errno.EBADF, ring.send(a, "from A".getBytes(StandardCharsets.US_ASCII), 0));
                assertEquals(-Errno.EBADF, Close.call(ring.client, a), "nor can A close C's socket");
                assertEquals("for C", ring.recv(c, 100, 0), "C's bytes are C's");
                assertEquals(-1, peerOfA.getInputStream().read(), "A's connection ended with the close");
            }
        }
    }

    @Test
    void aReceiveStillInTheRing_behindAClose_andAnOpen_isEbadf() throws Exception {
        // One worker takes the batch's calls in the order they were queued: the receive is in flight (queued, not
        // executed) while the close and the accept that would have reused its number run.
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long listener = ring.listener();
            int port = ring.localAddress(listener).getPort();
            try (Socket peerOfA = new Socket(LOOPBACK, port); Socket peerOfC = new Socket(LOOPBACK, port)) {
                long a = expectOk(ring.accept(listener, 0).fd(), "accept");
                peerOfC.getOutputStream().write("for C".getBytes(StandardCharsets.US_ASCII));
                awaitAcceptable(ring, listener);
                try (CallBatch batch = ring.client.acquireBatch(3)) {
                    Close.call(batch.queueing(0), a);
                    NetCalls.Accept.call(batch.queueing(1), listener, 0, 0, NetCalls.NO_WAIT);
                    CallSlot late = batch.slot(2);
                    Recvfrom.call(batch.queueing(2), a, late.dataOffset(), 100, NetCalls.NO_WAIT, 0, 0);
                    batch.submit();
                    assertEquals(0, batch.await(0), "close");
                    long c = expectOk(batch.await(1), "accept");
                    assertNotEquals(a, c);
                    assertEquals(-Errno.EBADF, batch.await(2), "the receive in flight found its socket closed");
                    assertEquals("for C", ring.recv(c, 100, 0));
                }
            }
        }
    }

    @Test
    void manyClosesAndOpens_neverGiveANumberTwice() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            java.util.Set<Long> seen = new java.util.HashSet<>();
            for (int i = 0; i < 200; i++) {
                long fd = expectOk(ring.socket(), "socket");
                assertTrue(seen.add(fd), "number " + Long.toHexString(fd) + " handed out twice");
                assertEquals(0, Close.call(ring.client, fd));
            }
        }
    }

    /** Waits (bounded) until the session's server has deferred {@code count} calls: the receive is parked. */
    private static void awaitDeferred(NetRing ring, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ring.server.callsDeferred() < count) {
            assertTrue(System.nanoTime() < deadline, "the receive was never parked");
            Thread.sleep(5);
        }
    }

    /** Waits (bounded) until {@code listener} has a connection to accept. */
    private static void awaitAcceptable(NetRing ring, long listener) throws Exception {
        long ready = NetCalls.Poll.call(ring.client, listener, NetCalls.POLLIN, 0);
        assertEquals(NetCalls.POLLIN, ready & NetCalls.POLLIN, Errno.describe(ready));
    }
}
