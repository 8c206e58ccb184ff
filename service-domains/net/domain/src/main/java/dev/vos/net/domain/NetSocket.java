package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.ring.server.DeferredCall;
import dev.vos.ring.server.ServerCall;
import dev.vos.sys.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * One socket of one session: the kernel descriptor the domain holds (non-blocking), and the calls waiting on it.
 * Everything done on the socket, by a worker or by the readiness loop, is done holding its monitor, and the first
 * thing done is to look whether it is closed: so the kernel descriptor is never used after {@link #close} closed
 * it (where the kernel may have given its number to another session's socket), and a call that parks on the socket
 * cannot miss the readiness event that should complete it (the loop takes the monitor before retrying, so an event
 * that arrives while a call parks is handled after it parked). The system calls made under it never block.
 */
final class NetSocket {

    private static final System.Logger LOG = System.getLogger(NetSocket.class.getName());

    /** One try of a call on the socket: its result, or {@code -EAGAIN} to go on waiting. Run under the monitor. */
    @FunctionalInterface
    interface Attempt {
        long run();
    }

    /**
     * Where a waiting call's answer goes: its deferred call, or one entry of a pollset that waits on many sockets
     * at once (which answers once, for whichever socket is ready first).
     */
    interface Completion {
        /** Takes the answer: a result, or {@code -errno} (EBADF when the socket closes). */
        void complete(long result);

        /** Whether nobody waits for this answer any more (its pollset was answered through another socket). */
        default boolean abandoned() {
            return false;
        }
    }

    /**
     * A call waiting on the socket: retried on each readiness edge until it no longer answers EAGAIN. An observer
     * (poll, pollset) takes nothing from the socket.
     */
    private record Waiter(Completion completion, Attempt attempt, boolean observer) {
    }

    private final int kernelFd;
    private final int family;
    private final long id;
    private final SocketTable table;
    private final List<Waiter> waiters = new ArrayList<>();
    /** The interest sets this socket is a member of (usually none or one selector's). */
    private final List<InterestSet> sets = new ArrayList<>();
    /** A waker's own interest set ({@link NetCalls#WATCH}); null for a socket. */
    private InterestSet interestSet;
    /** Telling the sets now: a look of theirs that polls (and so grows {@link #known}) tells none again. */
    private boolean telling;
    private boolean bound;
    /** Run once the descriptor is closed; null: nothing to run. */
    private Runnable onClose;
    private boolean closed;
    private boolean waker;
    /** A UDP socket: its receives are whole datagrams, so a short one says nothing of the queue. */
    private boolean datagram;
    private boolean connected;
    /** A waker's pending wake: set by {@link NetCalls#WAKE}, used by the one look that reports it. */
    private boolean woken;
    /**
     * What the socket is known ready for, in poll bits: a hint kept without system calls, so that a pollset looks
     * at many sockets without one poll(2) each. Edges add bits (never clear them: the two readers of the epoll may
     * dispatch an older edge after a newer one); a call that finds the socket would block clears the bit it found
     * missing; a real poll(2) replaces them. So a bit may be set while the socket is not ready (a spurious
     * readiness, which a selector's caller answers with a read of 0), but never clear while it is ready: every
     * change to ready after a clear is an edge, dispatched under this monitor after the clear. Under the monitor.
     */
    private int known;
    /**
     * Whether the epoll reports this socket's out edges. It is asked to once {@link #known} lacks POLLOUT, the only
     * state in which anything waits for one (a send, a connect, a poll or a set's member that found it not
     * writable); before that an out edge would say nothing new, and would wake the loop's thread for nothing.
     * Under the monitor.
     */
    private boolean writableWatched;
    /** The peer's FIN came (RDHUP, or a receive of 0): readable for good, whatever a drained receive clears. */
    private boolean endOfStream;
    /** A connection an accept took: its port is the listener's, so no bind waits for its close. */
    private boolean accepted;
    /** A listener's next connection, taken from the kernel after an accept answered; null for none. */
    private Ahead ahead;
    /** A Unix socket's inode, once {@link UnixPeers} noted it; 0 otherwise. Set before the socket is shared. */
    private long inode;

    /** A connection accepted ahead: its socket, watched and not numbered, and the peer's address as accept4 gave it. */
    record Ahead(NetSocket socket, byte[] peer) {
    }

    NetSocket(int kernelFd, int family, long id, SocketTable table) {
        this.kernelFd = kernelFd;
        this.family = family;
        this.id = id;
        this.table = table;
    }

    /** The kernel descriptor; only for use under the monitor, after {@link #isClosed} said false. */
    int kernelFd() {
        return kernelFd;
    }

    /** {@code AF_INET}, {@code AF_INET6} or {@code AF_UNIX}. */
    int family() {
        return family;
    }

    /** The readiness loop's name for it: unique in the process, never reused (a kernel number is). */
    long id() {
        return id;
    }

    /** Its inode, if a Unix socket {@link UnixPeers} noted; 0 otherwise. */
    long inode() {
        return inode;
    }

    void inode(long value) {
        this.inode = value;
    }

    /** The session's table it belongs to (accept adds the new connection's socket there). */
    SocketTable table() {
        return table;
    }

    /** Whether a bind of the client's succeeded (listen needs one: the kernel would bind to the wildcard). */
    boolean bound() {
        return bound;
    }

    void markBound() {
        bound = true;
    }

    /** Bound, with {@code onClose} to run once the kernel descriptor is closed (a Unix path's release). */
    void markBound(Runnable onClose) {
        bound = true;
        this.onClose = onClose;
    }

    boolean isClosed() {
        return closed;
    }

    /** Whether an accept took this connection. */
    boolean wasAccepted() {
        return accepted;
    }

    /** Marks a connection an accept took, before it is numbered. */
    void markAccepted() {
        accepted = true;
    }

    /** Whether this is a pollset's waker (an eventfd, no socket): {@link NetCalls#WAKE} sets its flag. */
    boolean isWaker() {
        return waker;
    }

    /**
     * Marks a fresh descriptor as a waker, numbered {@code number} in its session: it gets an interest set, which
     * holds the waker itself (readable when woken). Under the monitor.
     */
    void markWaker(long number) {
        waker = true;
        interestSet = new InterestSet(table.loop());
        join(interestSet, number, NetCalls.POLLIN);
    }

    /** A waker's interest set; null for a socket. */
    synchronized InterestSet interestSet() {
        return interestSet;
    }

    /** Whether a call may use this as a waker: 0, -EBADF (closed) or -EINVAL (a socket, not a waker). */
    synchronized long wakerError() {
        return closed ? -Errno.EBADF : waker ? 0 : -Errno.EINVAL;
    }

    /** Joins {@code set} as {@code number}, for {@code events} (or changes them). Under the monitor. */
    void join(InterestSet set, long number, int events) {
        if (!sets.contains(set)) {
            sets.add(set);
        }
        set.put(this, number, events);
        boolean wasTelling = telling;
        telling = true;
        try {
            set.offer(this); // a call that waits on the set is answered now if this socket is ready already
        } finally {
            telling = wasTelling;
        }
    }

    /** Leaves {@code set}. Under the monitor. */
    void leave(InterestSet set) {
        sets.remove(set);
        set.remove(this);
    }

    /**
     * What the socket is known ready for may have grown: every set it is a member of looks at it (and a waiting
     * call of the set may be answered). Sets closed since are forgotten here. Under the monitor.
     */
    private void tellSets() {
        if (telling || sets.isEmpty()) {
            return;
        }
        telling = true;
        try {
            sets.removeIf(InterestSet::isClosed);
            for (InterestSet set : sets) {
                set.offer(this);
            }
        } finally {
            telling = false;
        }
    }

    /** Whether this is a UDP socket. */
    boolean isDatagram() {
        return datagram;
    }

    /** Marks a fresh descriptor as a UDP socket. Under the monitor. */
    void markDatagram() {
        datagram = true;
    }

    /** Whether a connect of this UDP socket holds (it has a peer, and the local address the route gave it). */
    boolean isConnected() {
        return connected;
    }

    /** A UDP socket's connect succeeded ({@code true}) or its peer was dissolved. Under the monitor. */
    void markConnected(boolean now) {
        connected = now;
    }

    /** A wake for this waker: the next look reports it readable, once. Under the monitor. */
    void wake() {
        woken = true;
        tellSets();
    }

    /** Whether a wake is pending, which this use consumes. Under the monitor. */
    boolean takeWake() {
        boolean was = woken;
        woken = false;
        return was;
    }

    /**
     * The poll bits the socket is known ready for (see {@link #known}); end of stream, and a connection held ahead
     * for the next accept, as POLLIN. Under the monitor.
     */
    int known() {
        return endOfStream || ahead != null ? known | NetCalls.POLLIN : known;
    }

    /** Whether a connection is held for the next accept. Under the monitor. */
    boolean hasAhead() {
        return ahead != null;
    }

    /**
     * Holds {@code socket}, accepted ahead, for the next accept: the listener is readable while it does, and an
     * accept parked meanwhile (another thread's) takes it now. Under the monitor.
     */
    void holdAhead(NetSocket socket, byte[] peer) {
        boolean grew = (known() & NetCalls.POLLIN) == 0;
        ahead = new Ahead(socket, peer);
        if (grew) {
            tellSets();
        }
        retryWaiters();
    }

    /** The connection held ahead, now the caller's to number; or null. Under the monitor. */
    Ahead takeAhead() {
        Ahead taken = ahead;
        ahead = null;
        return taken;
    }

    /**
     * Closes the socket with a reset (SO_LINGER 0), as the kernel resets a connection still in a closed listener's
     * backlog: a connection held ahead when its listener closes.
     */
    synchronized void reset() {
        if (!closed) {
            SocketOptions.set(this, NetCalls.OPT_SO_LINGER, 0);
        }
        close();
    }

    /** A real poll(2) found {@code ready} (poll bits; 0 for none): it replaces what was known. Under the monitor. */
    void polled(int ready) {
        boolean grew = (ready & ~known) != 0;
        known = ready;
        watchWritableUnlessKnown();
        if (grew) {
            tellSets();
        }
    }

    /** A receive, accept, send or poll found the socket would block for {@code events}. Under the monitor. */
    void wouldBlock(int events) {
        known &= ~events;
        watchWritableUnlessKnown();
    }

    /** Asks the epoll for out edges once the socket is not known writable (see {@link #writableWatched}). */
    private void watchWritableUnlessKnown() {
        if ((known & NetCalls.POLLOUT) != 0 || writableWatched || closed) {
            return;
        }
        long r = table.loop().watchWritable(this);
        if (r == 0) {
            writableWatched = true;
        } else {
            // Only ENOMEM is possible for a watched, open descriptor. The next clear of the bit asks again; a call
            // parked meanwhile is still answered by the close, or by an edge of in or hang-up.
            LOG.log(System.Logger.Level.WARNING, "epoll_ctl MOD for out: {0}", Errno.name((int) -r));
        }
    }

    /** A receive answered the end of the stream. Under the monitor. */
    void sawEndOfStream() {
        boolean grew = !endOfStream;
        endOfStream = true;
        if (grew) {
            tellSets();
        }
    }

    /** How many calls wait on it now (tests). */
    synchronized int waiting() {
        return waiters.size();
    }

    /**
     * Parks {@code call} (which would block) on this socket, to be retried by {@code attempt} at each readiness
     * edge; returns {@link ServerCall#DEFERRED}. Called under the monitor. An {@code observer} (poll) only looks:
     * at an edge it is retried before the calls that take something (accept, recvfrom), so that it reports the
     * readiness the edge brought even when an accept waiting beside it takes the connection, as poll(2) in one
     * thread and accept(2) in another would both wake.
     */
    long park(ServerCall call, Attempt attempt, boolean observer) {
        DeferredCall deferred = call.defer();
        deferred.markWaiting(); // under the monitor its completion needs: the call cannot be answered before this
        dropAbandoned();
        add(new Waiter(deferred::complete, attempt, observer));
        return ServerCall.DEFERRED;
    }

    /**
     * Parks one entry of a pollset that waits on several sockets, as an observer, to be retried by {@code attempt}
     * at each edge. Called under the monitor. Entries of pollsets answered meanwhile through other sockets are
     * dropped here: a socket a selector waits on again and again holds at most one stale entry per selector.
     */
    void parkEntry(Completion entry, Attempt attempt) {
        dropAbandoned();
        add(new Waiter(entry, attempt, true));
    }

    /**
     * The one way in and the ways out of {@link #waiters}: the readiness loop counts what is parked, so that an idle
     * worker asks the kernel only while something waits (an abandoned pollset entry counts until it is dropped).
     */
    private void add(Waiter waiter) {
        waiters.add(waiter);
        table.loop().parked(1);
    }

    private void removeAt(int index) {
        waiters.remove(index);
        table.loop().parked(-1);
    }

    private void dropAbandoned() {
        int before = waiters.size();
        waiters.removeIf(w -> w.completion().abandoned());
        table.loop().parked(waiters.size() - before);
    }

    /**
     * An epoll edge for this socket, reporting {@code epollEvents} (its readiness when the epoll was read): adds
     * them to what is known, then retries the waiting calls.
     */
    synchronized void edge(int epollEvents) {
        int before = known();
        if ((epollEvents & NetSyscalls.EPOLLRDHUP) != 0) {
            endOfStream = true;
        }
        known |= epollEvents & (NetCalls.POLLIN | NetCalls.POLLOUT | NetCalls.POLLERR | NetCalls.POLLHUP);
        if ((known() & ~before) != 0) {
            // Only what grew: a set drops a member only when a look finds none of its bits known, and every way a
            // bit comes back tells. An edge of bits known already (a writable socket's, at each ACK) tells nothing.
            tellSets();
        }
        retryWaiters();
    }

    /**
     * The socket became ready for something (or its state changed): retries every waiting call, in the order they
     * came, and answers each that no longer would block. A call that would still block waits on.
     */
    synchronized void retryWaiters() {
        if (closed || waiters.isEmpty()) {
            return;
        }
        retry(true);
        retry(false);
    }

    /** Retries the waiting observers, or the others. */
    private void retry(boolean observers) {
        for (int i = 0; i < waiters.size(); i++) {
            Waiter w = waiters.get(i);
            if (w.completion().abandoned()) {
                removeAt(i--);
                continue;
            }
            if (w.observer() != observers) {
                continue;
            }
            long r;
            try {
                r = w.attempt().run();
            } catch (RuntimeException e) {
                r = -Errno.EIO; // a payload gone under us (cannot happen while the session lives): answer, never hang
            }
            if (r != -Errno.EAGAIN) {
                removeAt(i--); // first: once answered, its caller may look at the count
                w.completion().complete(r);
            }
        }
    }

    /**
     * Closes the socket: every waiting call is answered EBADF (a blocked call whose channel another thread closed),
     * the readiness loop forgets it, and the kernel descriptor is closed; later uses find it closed. Once only.
     */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        table.loop().parked(-waiters.size());
        for (Waiter w : waiters) {
            w.completion().complete(-Errno.EBADF);
        }
        waiters.clear();
        if (interestSet != null) {
            interestSet.close(); // a waker's, first: its waiting ready call is answered EBADF, not its own NVAL
        }
        for (InterestSet set : sets) {
            set.closed(this); // a closed socket leaves every set
        }
        sets.clear();
        table.loop().forget(this);
        table.peers().closed(this); // before the descriptor: once it is closed, its inode may be another socket's
        NetSyscalls.close(kernelFd);
        if (onClose != null) {
            onClose.run();
        }
        if (ahead != null) {
            ahead.socket().reset(); // after this one's descriptor: the lock order is listener, then its connection
            ahead = null;
        }
    }
}
