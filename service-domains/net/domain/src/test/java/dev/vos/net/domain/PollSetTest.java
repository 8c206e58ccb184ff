package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Pollset;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.client.CallSlot;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.vos.net.domain.NetRing.LOOPBACK;
import static dev.vos.net.domain.NetRing.expectOk;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.*;

/**
 * pollset waits on many sockets in one call and holds no worker meanwhile; a wake answers it, even a wake that came
 * first; closing one of its sockets answers it with that entry POLLNVAL.
 */
@Timeout(60)
class PollSetTest {

    private static final long STILL_WAITING_MS = 300;

    /** One pollset over {@code fds} (each asked {@code events[i]}): the answer, and every entry's events found. */
    private record Answer(long result, int[] revents) {
    }

    private static Answer pollset(NetRing ring, long[] fds, int[] events, long flags) throws Exception {
        try (CallSlot slot = ring.client.acquire()) {
            NetRing.putEntries(slot.data(), fds, events);
            long r = Pollset.call(slot, slot.dataOffset(), fds.length, flags);
            int[] found = new int[fds.length];
            for (int i = 0; i < fds.length; i++) {
                found[i] = slot.data().get(JAVA_INT_UNALIGNED, (long) i * NetCalls.POLLSET_ENTRY_BYTES
                        + NetCalls.POLLSET_ENTRY_REVENTS_OFFSET);
            }
            return new Answer(r, found);
        }
    }

    private static CompletableFuture<Answer> waiting(NetRing ring, long[] fds, int[] events) {
        return NetRing.onVirtualThread(() -> pollset(ring, fds, events, 0));
    }

    private static void assertStillWaiting(CompletableFuture<?> call) throws Exception {
        NetRing.assertStillWaiting(call, "the pollset", STILL_WAITING_MS);
    }

    /**
     * A pollset over {@code fds} (the listener first) that is still waiting after {@link #STILL_WAITING_MS}. The
     * listener may still be reported ready once more: the readiness loop can reap the edge of a connection accepted
     * already after the accept that cleared the bit (stale-set, as docs/network.md allows a selector: an accept then
     * finds nothing). Such an answer, the listener alone with an empty queue behind it, is asked again, at most 3
     * times; any other answer fails the test. Once in a full build (load 2 to 7) the look answered 0 and the waiting
     * pollset answered the listener right after it.
     */
    private static CompletableFuture<Answer> waitingPastAStaleListener(NetRing ring, long[] fds, int[] in)
            throws Exception {
        for (int round = 0; round < 3; round++) {
            CompletableFuture<Answer> answer = waiting(ring, fds, in);
            Answer early;
            try {
                early = answer.get(STILL_WAITING_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException expected) {
                return answer; // waiting, as it should
            }
            int[] others = early.revents().clone();
            others[0] = 0;
            assertEquals(1, early.result(), "answered early: only a stale listener may be");
            assertArrayEquals(new int[fds.length], others, "answered early: only the listener may be");
            assertEquals(-Errno.EAGAIN, ring.accept(fds[0], NetCalls.NO_WAIT).fd(), "a stale listener: no one queued");
        }
        return fail("the pollset was answered early 3 times");
    }

    @Test
    void aPollsetOverManySockets_waitsWithoutAWorker_andAnswersTheOneThatBecameReady() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long listener = ring.listener();
            int port = ring.localAddress(listener).getPort();
            try (Socket a = new Socket(LOOPBACK, port); Socket b = new Socket(LOOPBACK, port)) {
                long fa = expectOk(ring.accept(listener, 0).fd(), "accept");
                long fb = expectOk(ring.accept(listener, 0).fd(), "accept");
                long waker = expectOk(NetCalls.Waker.call(ring.client), "waker");
                long[] fds = {listener, fa, fb, waker};
                int[] in = {NetCalls.POLLIN, NetCalls.POLLIN, NetCalls.POLLIN, NetCalls.POLLIN};
                // The listener may be known readable still: an accept that waited for its connection took it at the
                // edge, which leaves the bit set (stale-set, as docs/network.md allows; nothing tells the domain the
                // queue is empty without a trap). A selector's caller clears it the way this test does: an accept
                // that finds nothing (EAGAIN). Once in CI the bit was set here, and the look answered 1.
                assertEquals(-Errno.EAGAIN, ring.accept(listener, NetCalls.NO_WAIT).fd(), "the queue is empty");
                Answer none = pollset(ring, fds, in, NetCalls.NO_WAIT);
                assertEquals(0, none.result(), "nothing ready, NO_WAIT");
                assertArrayEquals(new int[4], none.revents());

                CompletableFuture<Answer> answer = waitingPastAStaleListener(ring, fds, in);
                assertEquals(0, ring.client.call(CoreCalls.NOP), "the only worker is free meanwhile");
                b.getOutputStream().write('x');
                Answer got = answer.get(10, TimeUnit.SECONDS);
                assertEquals(1, got.result());
                assertEquals(0, got.revents()[1]);
                assertEquals(NetCalls.POLLIN, got.revents()[2] & NetCalls.POLLIN);

                // Level, not edge: the byte is still there, so the next pollset answers at once.
                assertEquals(1, pollset(ring, fds, in, 0).result());
                assertEquals("x", ring.recv(fb, 10, 0));
                assertEquals(0, pollset(ring, fds, in, NetCalls.NO_WAIT).result());
            }
        }
    }

    @Test
    void aWake_answersAWaitingPollset_andAWakeBeforeThePollsetIsKeptForIt_once() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long listener = ring.listener();
            long waker = expectOk(NetCalls.Waker.call(ring.client), "waker");
            long[] fds = {listener, waker};
            int[] in = {NetCalls.POLLIN, NetCalls.POLLIN};

            CompletableFuture<Answer> answer = waiting(ring, fds, in);
            assertStillWaiting(answer);
            assertEquals(0, NetCalls.Wake.call(ring.client, waker));
            Answer woken = answer.get(10, TimeUnit.SECONDS);
            assertEquals(1, woken.result());
            assertArrayEquals(new int[] {0, NetCalls.POLLIN}, woken.revents());

            assertEquals(0, NetCalls.Wake.call(ring.client, waker));
            assertEquals(0, NetCalls.Wake.call(ring.client, waker));
            assertArrayEquals(new int[] {0, NetCalls.POLLIN}, pollset(ring, fds, in, 0).revents(),
                    "two wakes before it: the pollset answers at once");
            assertEquals(0, pollset(ring, fds, in, NetCalls.NO_WAIT).result(), "and the wakes were used");

            assertEquals(-Errno.EINVAL, NetCalls.Wake.call(ring.client, listener), "a socket is no waker");
            assertEquals(-Errno.EBADF, NetCalls.Wake.call(ring.client, waker + 1000));
            assertEquals(-Errno.ENOTSOCK, NetCalls.Getsockopt.call(ring.client, waker, NetCalls.OPT_SO_RCVBUF),
                    "a socket call on a waker is the kernel's ENOTSOCK");
        }
    }

    @Test
    void closingASocketOfAWaitingPollset_answersItWithThatEntryNval_andBadEntriesAreRefused() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long listener = ring.listener();
            long other = ring.listener();
            long[] fds = {listener, other};
            int[] in = {NetCalls.POLLIN, NetCalls.POLLIN};
            CompletableFuture<Answer> answer = waiting(ring, fds, in);
            assertStillWaiting(answer);
            assertEquals(0, NetCalls.Close.call(ring.client, other));
            Answer got = answer.get(10, TimeUnit.SECONDS);
            assertEquals(1, got.result());
            assertArrayEquals(new int[] {0, NetCalls.POLLNVAL}, got.revents());

            assertArrayEquals(new int[] {0, NetCalls.POLLNVAL}, pollset(ring, fds, in, 0).revents(),
                    "a descriptor not the session's is NVAL at once");
            assertEquals(-Errno.EINVAL, pollset(ring, new long[] {listener}, new int[] {0x40}, 0).result());
            assertEquals(-Errno.EINVAL, Pollset.call(ring.client, 0, 0, 0), "no entries");
            assertEquals(-Errno.EINVAL, Pollset.call(ring.client, 0, NetCalls.MAX_POLLSET_ENTRIES + 1, 0));
            assertEquals(-Errno.EFAULT, Pollset.call(ring.client, Long.MAX_VALUE - 8, 1, 0));
        }
    }

    @Test
    void aPollsetWokenAgainAndAgain_answersEachTime() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long quiet = ring.listener();
            long waker = expectOk(NetCalls.Waker.call(ring.client), "waker");
            long[] fds = {quiet, waker};
            int[] in = {NetCalls.POLLIN, NetCalls.POLLIN};
            for (int round = 0; round < 5; round++) {
                CompletableFuture<Answer> answer = waiting(ring, fds, in);
                assertStillWaiting(answer);
                assertEquals(0, NetCalls.Wake.call(ring.client, waker));
                assertEquals(1, answer.get(10, TimeUnit.SECONDS).result());
            }
            assertTrue(ring.server.callsDeferred() >= 5, "each waited, deferred");
        }
    }

    /**
     * A pollset looks at what each socket is known ready for, not at the kernel: a receive that drained the bytes
     * clears readable, and the end of the stream that came before them must survive that clear (no further edge
     * comes for it).
     */
    @Test
    void theEndOfTheStream_staysReadable_afterAReceiveDrainedTheBytesBeforeIt() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long listener = ring.listener();
            int port = ring.localAddress(listener).getPort();
            try (Socket peer = new Socket(LOOPBACK, port)) {
                long fd = expectOk(ring.accept(listener, 0).fd(), "accept");
                long[] fds = {fd};
                int[] in = {NetCalls.POLLIN};
                peer.getOutputStream().write("abc".getBytes());
                peer.shutdownOutput();
                assertEquals(1, pollset(ring, fds, in, 0).result(), "the bytes");
                Thread.sleep(STILL_WAITING_MS); // the FIN's edge is taken by the readiness loop meanwhile
                assertEquals("abc", ring.recv(fd, 100, 0), "a short receive: the queue is empty after it");
                Answer end = pollset(ring, fds, in, NetCalls.NO_WAIT);
                assertEquals(1, end.result(), "the end of the stream is still readable");
                assertEquals(NetCalls.POLLIN, end.revents()[0] & NetCalls.POLLIN);
                assertEquals("", ring.recv(fd, 100, 0), "and a receive reads it");
            }
        }
    }

    /**
     * An unconnected stream socket is writable and hung up, as the kernel says; once connect is under way neither
     * holds, and a pollset asking for POLLOUT answers when the connection is made, without the stale hang-up.
     */
    @Test
    void aConnectingSocket_isWritableOnceConnected_andNoLongerHungUp() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long listener = ring.listener();
            long fd = ring.socket();
            long[] fds = {fd};
            int[] out = {NetCalls.POLLOUT};
            Answer unconnected = pollset(ring, fds, out, NetCalls.NO_WAIT);
            assertEquals(NetCalls.POLLOUT | NetCalls.POLLHUP, unconnected.revents()[0], "as poll(2) says");
            long r = ring.connect(fd, ring.localAddress(listener), NetCalls.NO_WAIT);
            assertTrue(r == 0 || r == -Errno.EINPROGRESS, "connect: " + r);
            Answer connected = pollset(ring, fds, out, 0);
            assertEquals(1, connected.result());
            assertEquals(NetCalls.POLLOUT, connected.revents()[0]);
        }
    }
}
