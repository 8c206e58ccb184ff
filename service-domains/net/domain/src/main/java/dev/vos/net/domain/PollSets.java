package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Pollset;
import dev.vos.net.protocol.NetCalls.Wake;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.DeferredCall;
import dev.vos.ring.server.ServerCall;
import dev.vos.sys.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * pollset, waker and wake: what a client's {@code Selector} waits with. A pollset looks at every entry once; if
 * none is ready it parks one observer on each entry's socket, all answering the one deferred call: the first socket
 * that becomes ready (or closes) answers it, the others' entries are dropped at their next edge or park. A waker is
 * an eventfd of the session, watched by the readiness loop like a socket: wake writes it, which answers a pollset
 * parked on it at once (and, through the epoll edge, one that parks on it later finds it readable); a pollset that
 * reports it readable reads it, so that the wake is used once.
 *
 * <p>Lock order: a socket's monitor, then a pollset's {@link Group} monitor; a group never takes a socket's. So an
 * edge on one socket of a pollset never waits for another socket's monitor.
 */
final class PollSets {

    private static final int ASKABLE = NetCalls.POLLIN | NetCalls.POLLOUT;

    private PollSets() {
    }

    /** Registers pollset, waker and wake. */
    static void register(CallTable.Builder table) {
        table.addMayWait(NetCalls.POLLSET, "pollset", PollSets::pollset)
                .add(NetCalls.WAKER, "waker", PollSets::waker)
                .add(NetCalls.WAKE, "wake", PollSets::wake);
    }

    private static SocketTable sockets(ServerCall call) {
        return (SocketTable) call.session();
    }

    private static long waker(ServerCall call) {
        long fd = NetSyscalls.eventfd(NetSyscalls.EFD_NONBLOCK | NetSyscalls.EFD_CLOEXEC);
        if (fd < 0) {
            return fd;
        }
        // AF_INET so that a socket call made on it by mistake reaches the kernel and gets its ENOTSOCK.
        long number = sockets(call).add((int) fd, SockaddrLayout.AF_INET);
        if (number < 0) {
            return number;
        }
        NetSocket waker = sockets(call).get(number);
        if (waker != null) {
            synchronized (waker) {
                waker.markWaker();
            }
        }
        return number;
    }

    private static long wake(ServerCall call) {
        NetSocket waker = sockets(call).get(call.arg(Wake.FD));
        if (waker == null) {
            return -Errno.EBADF;
        }
        synchronized (waker) {
            if (waker.isClosed()) {
                return -Errno.EBADF;
            }
            if (!waker.isWaker()) {
                return -Errno.EINVAL;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment one = arena.allocate(JAVA_LONG_UNALIGNED);
                one.set(JAVA_LONG_UNALIGNED, 0, 1L);
                long r = NetSyscalls.write(waker.kernelFd(), one.address(), Long.BYTES);
                if (r < 0 && r != -Errno.EAGAIN) {
                    return r; // EAGAIN: the counter is at its top, readable already
                }
            }
            waker.retryWaiters(); // answers a pollset parked on it now, on this worker, not at the loop's edge
            return 0;
        }
    }

    private static long pollset(ServerCall call) {
        long count = call.arg(Pollset.COUNT);
        long flags = call.arg(Pollset.FLAGS);
        if (count < 1 || count > NetCalls.MAX_POLLSET_ENTRIES || (flags & ~(long) NetCalls.NO_WAIT) != 0) {
            return -Errno.EINVAL;
        }
        int n = (int) count;
        MemorySegment entries = call.data(call.arg(Pollset.ENTRIES_OFFSET), count * NetCalls.POLLSET_ENTRY_BYTES);
        if (entries == null) {
            return -Errno.EFAULT;
        }
        // Every entry read once, into the domain's memory: the client may rewrite the payload meanwhile.
        long[] fds = new long[n];
        int[] events = new int[n];
        for (int i = 0; i < n; i++) {
            long at = (long) i * NetCalls.POLLSET_ENTRY_BYTES;
            fds[i] = entries.get(JAVA_LONG_UNALIGNED, at + NetCalls.POLLSET_ENTRY_FD_OFFSET);
            events[i] = entries.get(JAVA_INT_UNALIGNED, at + NetCalls.POLLSET_ENTRY_EVENTS_OFFSET);
            if ((events[i] & ~ASKABLE) != 0) {
                return -Errno.EINVAL;
            }
        }
        SocketTable table = sockets(call);
        NetSocket[] sockets = new NetSocket[n];
        int[] found = new int[n];
        int ready = 0;
        for (int i = 0; i < n; i++) {
            sockets[i] = table.get(fds[i]);
            found[i] = look(sockets[i], events[i]);
            if (found[i] != 0) {
                ready++;
            }
        }
        if (ready > 0 || (flags & NetCalls.NO_WAIT) != 0) {
            for (int i = 0; i < n; i++) {
                entries.set(JAVA_INT_UNALIGNED, (long) i * NetCalls.POLLSET_ENTRY_BYTES
                        + NetCalls.POLLSET_ENTRY_REVENTS_OFFSET, found[i]);
            }
            return ready;
        }
        DeferredCall deferred = call.defer();
        deferred.markWaiting(); // before any entry parks; a group answered meanwhile stays COMPLETE (see markWaiting)
        Group group = new Group(deferred, entries, n);
        for (int i = 0; i < n && !group.isDone(); i++) {
            NetSocket socket = sockets[i];
            int index = i;
            int asked = events[i];
            synchronized (socket) {
                // Looked at again under the monitor it parks under: an edge after this look finds the entry parked.
                int now = lookLocked(socket, asked);
                if (now != 0) {
                    group.found(index, now);
                    break;
                }
                socket.parkEntry(group.entry(index), () -> {
                    int r = lookLocked(socket, asked);
                    return r == 0 ? -Errno.EAGAIN : r;
                });
            }
        }
        return ServerCall.DEFERRED;
    }

    /** The events {@code socket} is ready for among {@code events} (and ERR, HUP, NVAL); 0 if none. */
    private static int look(NetSocket socket, int events) {
        if (socket == null) {
            return NetCalls.POLLNVAL;
        }
        synchronized (socket) {
            return lookLocked(socket, events);
        }
    }

    /** {@link #look} under the socket's monitor. A waker found readable is read: its wake is used. */
    private static int lookLocked(NetSocket socket, int events) {
        if (socket.isClosed()) {
            return NetCalls.POLLNVAL;
        }
        if (socket.isWaker()) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment counter = arena.allocate(JAVA_LONG_UNALIGNED);
                return NetSyscalls.read(socket.kernelFd(), counter.address(), Long.BYTES) > 0 ? NetCalls.POLLIN : 0;
            }
        }
        long r = NetHandlers.pollOnce(socket, events);
        if (r == -Errno.EAGAIN) {
            return 0;
        }
        return r < 0 ? NetCalls.POLLERR : (int) r;
    }

    /** One waiting pollset: answered once, by the first of its entries found ready. */
    private static final class Group {
        private final DeferredCall call;
        private final MemorySegment entries;
        private final int count;
        private boolean done;

        Group(DeferredCall call, MemorySegment entries, int count) {
            this.call = call;
            this.entries = entries;
            this.count = count;
        }

        synchronized boolean isDone() {
            return done;
        }

        /**
         * Entry {@code index} is ready for {@code revents}: writes every entry's events found (this one's, 0 for
         * the others) and answers 1, once. Nothing is written after the answer, when the payload is the client's
         * again.
         */
        synchronized void found(int index, int revents) {
            if (done) {
                return;
            }
            done = true;
            for (int i = 0; i < count; i++) {
                entries.set(JAVA_INT_UNALIGNED, (long) i * NetCalls.POLLSET_ENTRY_BYTES
                        + NetCalls.POLLSET_ENTRY_REVENTS_OFFSET, i == index ? revents : 0);
            }
            call.complete(1);
        }

        /** The completion of entry {@code index}: its readiness, or (-EBADF) its socket closed. */
        NetSocket.Completion entry(int index) {
            return new NetSocket.Completion() {
                @Override
                public void complete(long result) {
                    found(index, result < 0 ? NetCalls.POLLNVAL : (int) result);
                }

                @Override
                public boolean abandoned() {
                    return isDone();
                }
            };
        }
    }
}
