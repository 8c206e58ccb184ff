package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Ready;
import dev.vos.net.protocol.NetCalls.Watch;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.client.CallSlot;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.vos.net.domain.NetRing.LOOPBACK;
import static dev.vos.net.domain.NetRing.expectOk;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.*;

/**
 * watch and ready: a waker's interest set is kept between calls; ready answers the members found ready (level), waits
 * without a worker, is answered by an edge, a wake or the waker's close; bad entries are refused and change nothing.
 */
@Timeout(60)
class InterestSetTest {

    private static final long STILL_WAITING_MS = 300;
    private static final int IN = NetCalls.POLLIN;

    /** A call's result, and each entry's descriptor and events found (watch: revents; ready: what it wrote). */
    private record Answer(long result, long[] fds, int[] revents) {
    }

    private static Answer watch(NetRing ring, long waker, long[] fds, int[] events) throws Exception {
        try (CallSlot slot = ring.client.acquire()) {
            NetRing.putEntries(slot.data(), fds, events);
            long r = Watch.call(slot, waker, slot.dataOffset(), fds.length);
            return read(slot, r, fds.length);
        }
    }

    private static Answer ready(NetRing ring, long waker, int room, long flags) throws Exception {
        try (CallSlot slot = ring.client.acquire()) {
            long r = Ready.call(slot, waker, slot.dataOffset(), room, flags);
            return read(slot, r, r > 0 ? (int) r : 0);
        }
    }

    private static Answer read(CallSlot slot, long result, int count) {
        long[] fds = new long[count];
        int[] revents = new int[count];
        for (int i = 0; i < count; i++) {
            long at = (long) i * NetCalls.POLLSET_ENTRY_BYTES;
            fds[i] = slot.data().get(JAVA_LONG_UNALIGNED, at + NetCalls.POLLSET_ENTRY_FD_OFFSET);
            revents[i] = slot.data().get(JAVA_INT_UNALIGNED, at + NetCalls.POLLSET_ENTRY_REVENTS_OFFSET);
        }
        return new Answer(result, fds, revents);
    }

    private static CompletableFuture<Answer> waiting(NetRing ring, long waker) {
        return NetRing.onVirtualThread(() -> ready(ring, waker, 64, 0));
    }

    private static void assertStillWaiting(CompletableFuture<?> call) throws Exception {
        NetRing.assertStillWaiting(call, "ready", STILL_WAITING_MS);
    }

    /** {@code n} accepted connections of {@code ring}, their peers in {@code peers}. */
    private static long[] connections(NetRing ring, Socket[] peers) throws Exception {
        long listener = ring.listener();
        int port = ring.localAddress(listener).getPort();
        long[] fds = new long[peers.length];
        for (int i = 0; i < peers.length; i++) {
            peers[i] = new Socket(LOOPBACK, port);
            fds[i] = expectOk(ring.accept(listener, 0).fd(), "accept");
        }
        return fds;
    }

    private static void closeAll(Socket[] peers) throws Exception {
        for (Socket s : peers) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void ready_waitsWithoutAWorker_answersTheMemberAPeerWroteTo_andIsLevelTriggered() throws Exception {
        Socket[] peers = new Socket[3];
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long[] fds = connections(ring, peers);
            long waker = expectOk(NetCalls.Waker.call(ring.client), "waker");
            Answer watched = watch(ring, waker, fds, new int[] {IN, IN, IN});
            assertEquals(3, watched.result());
            assertArrayEquals(new int[3], watched.revents(), "each applied");
            assertEquals(0, ready(ring, waker, 64, NetCalls.NO_WAIT).result(), "nothing ready, NO_WAIT");

            CompletableFuture<Answer> answer = waiting(ring, waker);
            assertStillWaiting(answer);
            assertEquals(0, ring.client.call(CoreCalls.NOP), "the only worker is free meanwhile");
            peers[1].getOutputStream().write('x');
            Answer got = answer.get(10, TimeUnit.SECONDS);
            assertEquals(1, got.result());
            assertEquals(fds[1], got.fds()[0]);
            assertEquals(IN, got.revents()[0] & IN);

            Answer again = ready(ring, waker, 64, 0);
            assertEquals(1, again.result(), "level: the byte is still there");
            assertEquals(fds[1], again.fds()[0]);
            assertEquals("x", ring.recv(fds[1], 10, 0));
            assertEquals(0, ready(ring, waker, 64, NetCalls.NO_WAIT).result(), "read: no longer ready");
        } finally {
            closeAll(peers);
        }
    }

    @Test
    void aWake_answersAWaitingReady_aWakeBeforeItIsKept_once_andTheWakersCloseAnswersEbadf() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long waker = expectOk(NetCalls.Waker.call(ring.client), "waker");
            CompletableFuture<Answer> answer = waiting(ring, waker);
            assertStillWaiting(answer);
            assertEquals(0, NetCalls.Wake.call(ring.client, waker));
            Answer woken = answer.get(10, TimeUnit.SECONDS);
            assertEquals(1, woken.result());
            assertEquals(waker, woken.fds()[0], "the waker itself is the entry");
            assertEquals(IN, woken.revents()[0]);

            assertEquals(0, NetCalls.Wake.call(ring.client, waker));
            assertEquals(0, NetCalls.Wake.call(ring.client, waker));
            assertEquals(1, ready(ring, waker, 64, 0).result(), "two wakes before it: answered at once, once");
            assertEquals(0, ready(ring, waker, 64, NetCalls.NO_WAIT).result(), "and the wakes were used");

            CompletableFuture<Answer> closing = waiting(ring, waker);
            assertStillWaiting(closing);
            assertEquals(0, NetCalls.Close.call(ring.client, waker));
            assertEquals(-Errno.EBADF, closing.get(10, TimeUnit.SECONDS).result(), "its waker closed");
            assertEquals(-Errno.EBADF, ready(ring, waker, 64, NetCalls.NO_WAIT).result());
        }
    }

    @Test
    void aMemberTakenOutOrClosed_isNoLongerReported_aCloseEndsAWait_andRoomOneTakesTurns() throws Exception {
        Socket[] peers = new Socket[3];
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long[] fds = connections(ring, peers);
            long waker = expectOk(NetCalls.Waker.call(ring.client), "waker");
            watch(ring, waker, fds, new int[] {IN, IN, IN});
            for (Socket peer : peers) {
                peer.getOutputStream().write('x');
            }
            awaitReady(ring, waker, 3);

            Answer first = ready(ring, waker, 1, 0);
            Answer second = ready(ring, waker, 1, 0);
            Answer third = ready(ring, waker, 1, 0);
            assertEquals(3, java.util.stream.LongStream.of(first.fds()[0], second.fds()[0], third.fds()[0])
                    .distinct().count(), "room 1, three ready: each reported in turn, none starves");

            assertEquals(1, watch(ring, waker, new long[] {fds[0]}, new int[] {0}).result(), "events 0: out");
            assertEquals(0, NetCalls.Close.call(ring.client, fds[1]));
            Answer left = ready(ring, waker, 64, 0);
            assertEquals(1, left.result(), "the member taken out and the one closed are not reported");
            assertEquals(fds[2], left.fds()[0]);

            assertEquals(1, watch(ring, waker, new long[] {fds[0]}, new int[] {IN}).result(), "back in");
            assertEquals(2, ready(ring, waker, 64, 0).result(), "ready at once: it joined ready");

            assertEquals("x", ring.recv(fds[0], 10, 0));
            assertEquals("x", ring.recv(fds[2], 10, 0));
            CompletableFuture<Answer> waiting = waiting(ring, waker);
            assertStillWaiting(waiting);
            assertEquals(0, NetCalls.Close.call(ring.client, fds[2]));
            Answer closed = waiting.get(10, TimeUnit.SECONDS);
            assertEquals(1, closed.result(), "a member closed while ready waits answers it");
            assertEquals(fds[2], closed.fds()[0]);
            assertEquals(NetCalls.POLLNVAL, closed.revents()[0]);
            assertEquals(0, ready(ring, waker, 64, NetCalls.NO_WAIT).result(), "and it is gone");
        } finally {
            closeAll(peers);
        }
    }

    /** Waits (bounded) until a ready call of {@code waker} reports {@code count} members. */
    private static void awaitReady(NetRing ring, long waker, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ready(ring, waker, 64, 0).result() < count) {
            assertTrue(System.nanoTime() < deadline, count + " members never ready together");
            Thread.sleep(5);
        }
    }

    @Test
    void hostileEntries_areRefusedClearly_andChangeNothing() throws Exception {
        Socket[] peers = new Socket[2];
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long[] fds = connections(ring, peers);
            long waker = expectOk(NetCalls.Waker.call(ring.client), "waker");
            peers[0].getOutputStream().write('x');
            assertEquals(-Errno.EINVAL, watch(ring, waker, fds, new int[] {IN, 0x40}).result(),
                    "an event outside POLLIN|POLLOUT");
            Thread.sleep(100); // the byte is in
            assertEquals(0, ready(ring, waker, 64, NetCalls.NO_WAIT).result(), "the refused call changed nothing");

            Answer mixed = watch(ring, waker, new long[] {fds[0], fds[1] + 1000, waker}, new int[] {IN, IN, IN});
            assertEquals(1, mixed.result(), "only the session's own socket applied");
            assertArrayEquals(new int[] {0, NetCalls.POLLNVAL, NetCalls.POLLNVAL}, mixed.revents(),
                    "a number never handed out, and a waker, are NVAL");
            Answer one = ready(ring, waker, 64, 0);
            assertEquals(1, one.result());
            assertEquals(fds[0], one.fds()[0]);

            assertEquals(-Errno.EINVAL, Watch.call(ring.client, waker, 0, 0), "no entries");
            assertEquals(-Errno.EINVAL, Watch.call(ring.client, waker, 0, NetCalls.MAX_POLLSET_ENTRIES + 1));
            assertEquals(-Errno.EFAULT, Watch.call(ring.client, waker, Long.MAX_VALUE - 8, 1));
            assertEquals(-Errno.EINVAL, Watch.call(ring.client, fds[1], 0, 1), "a socket is no waker");
            assertEquals(-Errno.EBADF, Watch.call(ring.client, waker + 1000, 0, 1));
            assertEquals(-Errno.EINVAL, Ready.call(ring.client, waker, 0, 0, 0), "no room");
            assertEquals(-Errno.EINVAL, Ready.call(ring.client, waker, 0, 1, 0x2), "an unknown flag");
            assertEquals(-Errno.EFAULT, Ready.call(ring.client, waker, Long.MAX_VALUE - 8, 1, 0));
            assertEquals(-Errno.EINVAL, Ready.call(ring.client, fds[1], 0, 1, 0), "a socket is no waker");

            assertEquals("x", ring.recv(fds[0], 10, 0));
            CompletableFuture<Answer> first = waiting(ring, waker);
            assertStillWaiting(first);
            assertEquals(-Errno.EBUSY, ready(ring, waker, 64, 0).result(), "one waits already");
            assertEquals(0, NetCalls.Wake.call(ring.client, waker));
            assertEquals(1, first.get(10, TimeUnit.SECONDS).result(), "the first still answered");
        } finally {
            closeAll(peers);
        }
    }
}
