package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Pollset;
import dev.vos.net.protocol.NetCalls.Wake;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.DeferredCall;
import dev.vos.ring.server.ServerCall;
import dev.vos.sys.Errno;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * pollset, waker and wake: what a client's {@code Selector} waits with. A pollset looks at every entry once, from
 * what each socket is known ready for ({@link NetSocket#known}: kept from the epoll's edges and the calls' own
 * would-blocks, so a look costs no system call); if none is, it takes the edges the epoll holds (one trap) and looks
 * again; if still none, it parks one observer on each entry's socket, all answering the one deferred call: the
 * first socket that becomes ready (or closes) answers it, the others' entries are dropped at their next edge or park.
 * A waker is a descriptor of the session (an eventfd, so that its number is a real one, closed like a socket's)
 * carrying a pending-wake flag: wake sets it and answers a pollset parked on it at once; the look that reports it
 * readable clears it, so that a wake is used once.
 *
 * <p>Lock order: a socket's monitor, then a pollset's {@link Group} monitor; a group never takes a socket's. So an
 * edge on one socket of a pollset never waits for another socket's monitor.
 */
final class PollSets {

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
                waker.markWaker(number);
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
            long error = waker.wakerError();
            if (error != 0) {
                return error;
            }
            waker.wake();
            waker.retryWaiters(); // answers a pollset parked on it now, on this worker
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
        PollEntries read = PollEntries.read(entries, n);
        if (read == null) {
            return -Errno.EINVAL;
        }
        long[] fds = read.fds();
        int[] events = read.events();
        SocketTable table = sockets(call);
        NetSocket[] sockets = new NetSocket[n];
        for (int i = 0; i < n; i++) {
            sockets[i] = table.get(fds[i]);
        }
        int[] found = new int[n];
        int ready = lookAll(sockets, events, found);
        if (ready == 0) {
            // Nothing known ready: take the edges the epoll holds (one trap for all), and look again.
            table.loop().drainNow();
            ready = lookAll(sockets, events, found);
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

    /** Looks at every entry, its events found into {@code found}; returns how many are ready. */
    private static int lookAll(NetSocket[] sockets, int[] events, int[] found) {
        int ready = 0;
        for (int i = 0; i < sockets.length; i++) {
            found[i] = look(sockets[i], events[i]);
            if (found[i] != 0) {
                ready++;
            }
        }
        return ready;
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

    /**
     * {@link #look} under the socket's monitor, from what the socket is known ready for (no system call): a waker's
     * pending wake is used by the look that reports it. Only an error or hang-up among the known bits costs a
     * poll(2), which replaces them: both are rare, and an unconnected socket's first edge reports a hang-up that a
     * connect then makes stale.
     */
    static int lookLocked(NetSocket socket, int events) {
        if (socket.isClosed()) {
            return NetCalls.POLLNVAL;
        }
        if (socket.isWaker()) {
            return socket.takeWake() ? NetCalls.POLLIN : 0;
        }
        int known = socket.known();
        if ((known & (NetCalls.POLLERR | NetCalls.POLLHUP)) != 0) {
            long r = NetHandlers.pollOnce(socket, PollEntries.ASKABLE);
            if (r < 0 && r != -Errno.EAGAIN) {
                return NetCalls.POLLERR;
            }
            socket.polled(r < 0 ? 0 : (int) r);
            known = socket.known();
        }
        return known & (events | NetCalls.POLLERR | NetCalls.POLLHUP);
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
