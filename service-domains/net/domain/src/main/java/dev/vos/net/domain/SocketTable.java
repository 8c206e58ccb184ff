package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.ring.server.SessionNumbers;
import dev.vos.ring.server.SessionReport;
import dev.vos.sys.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * One client session's sockets: the numbers a client sees, mapped to the sockets the domain holds for it, by
 * {@link SessionNumbers}: {@code nonce << 32 | serial}, the nonce drawn for the session (a number of another
 * session, or of an ended one, is EBADF), the serial never reused while the session lasts (a call still on its way
 * with the number of a socket another thread closed is EBADF, never a call on the socket a third thread opened
 * next). A session holds at most {@code maxSockets} (EMFILE beyond): every session's sockets come out of the
 * domain's one RLIMIT_NOFILE.
 *
 * <p>Closing the table (the session ended) closes every socket, answering the calls that waited on them, and lets
 * go of the readiness loop. It runs after the ring's workers stopped and before its segment is unmapped: the loop,
 * which works on a socket only under its monitor and only while it is open, can then no longer touch the payload.
 */
final class SocketTable implements AutoCloseable, SessionReport {

    /** The first number's serial: 0, 1 and 2 look like stdin/stdout/stderr to a POSIX-minded client. */
    static final int FIRST = SessionNumbers.FIRST;

    private final Readiness.Loop loop;
    private final SessionNumbers<NetSocket> sockets;
    private final NetFigures figures;
    private final UnixPeers peers;
    private boolean closed;

    /**
     * A session's table on {@code loop} (which it releases when closed), with a random nonce, counting its mapped
     * sockets into the domain's {@code figures} and its Unix sockets into the domain's {@code peers}.
     */
    SocketTable(Readiness.Loop loop, int maxSockets, NetFigures figures, UnixPeers peers) {
        this.loop = loop;
        this.sockets = new SessionNumbers<>(maxSockets);
        this.figures = figures;
        this.peers = peers;
    }

    /** The readiness loop this session's sockets are watched by. */
    Readiness.Loop loop() {
        return loop;
    }

    /** The domain's Unix sockets and their clients, which this table's Unix sockets are among. */
    UnixPeers peers() {
        return peers;
    }

    /** The domain's figures, which this table's sockets count into. */
    NetFigures figures() {
        return figures;
    }

    /**
     * Maps the new kernel socket {@code kernelFd} of {@code family} to a fresh number, has the readiness loop
     * watch it, and returns its number; or closes {@code kernelFd} and returns -EMFILE (the session holds
     * {@code maxSockets}), -EBADF (the session ended meanwhile) or epoll's error.
     */
    long add(int kernelFd, int family) {
        return add(newSocket(kernelFd, family));
    }

    /** {@link #add(int, int)} of a socket made by {@link #newSocket} and neither watched nor numbered yet. */
    long add(NetSocket socket) {
        long refused = refusal(); // before the watch's system calls: a full table would only undo them
        if (refused < 0) {
            socket.close();
            return refused;
        }
        long r = watch(socket);
        return r < 0 ? r : adopt(socket);
    }

    /** A socket of this session for the new kernel socket {@code kernelFd}: neither watched nor numbered yet. */
    NetSocket newSocket(int kernelFd, int family) {
        return new NetSocket(kernelFd, family, loop.nextId(), this);
    }

    /**
     * Has the readiness loop watch {@code socket}, new and not numbered yet, and learns what it is ready for at
     * birth: 0; or epoll's error, the socket closed.
     */
    long watch(NetSocket socket) {
        long r = loop.watch(socket);
        if (r < 0) {
            socket.close();
            return r;
        }
        // What it is ready for at birth, from one poll(2). The epoll reports it too, as an edge, but on the
        // readiness thread, which may come after the socket's first pollset (an unconnected stream socket is
        // writable and hung up at once: PollSetTest saw 0 there). Edges after the watch only add to this.
        synchronized (socket) {
            long ready = NetHandlers.pollOnce(socket, NetCalls.POLLIN | NetCalls.POLLOUT);
            socket.polled(ready < 0 ? 0 : (int) ready);
        }
        return 0;
    }

    /**
     * Maps {@code socket}, watched already ({@link #watch}), to a fresh number and returns it; or closes it and
     * returns -EMFILE (the session holds {@code maxSockets}) or -EBADF (the session ended).
     */
    long adopt(NetSocket socket) {
        long refused;
        synchronized (this) {
            refused = refusal();
            if (refused == 0) {
                figures.socketsOpened(1); // under the monitor, as the mapping: open sockets are what tables map
                return sockets.add(socket);
            }
        }
        socket.close(); // outside the table's monitor: lock order is socket, then table
        return refused;
    }

    /** Whether one more socket may be mapped: 0, or -EBADF (the session ended) or -EMFILE ({@code maxSockets}). */
    private synchronized long refusal() {
        return closed ? -Errno.EBADF : sockets.full() ? -Errno.EMFILE : 0;
    }

    /** The socket of {@code number}, or null (EBADF): not this session's, never handed out, or closed. */
    synchronized NetSocket get(long number) {
        return sockets.get(number);
    }

    /** Unmaps {@code number} and returns its socket (the caller closes it), or null (EBADF). */
    synchronized NetSocket remove(long number) {
        NetSocket socket = sockets.remove(number);
        if (socket != null) {
            figures.socketsOpened(-1);
        }
        return socket;
    }

    /** How many numbers are mapped. */
    synchronized int size() {
        return sockets.size();
    }

    /** The sockets mapped now: {@code vos net ss}'s rows of this session. */
    @Override
    public synchronized int reportSize() {
        return sockets.size();
    }

    /**
     * One {@link dev.vos.net.protocol.SocketRow} line per socket from the {@code from}th, oldest first, for
     * {@code vos net ss}. The numbers are taken under the table's monitor, each socket read under its own after (the
     * lock order is socket, then table): a socket closed in between is left out.
     */
    @Override
    public List<String> reportRows(int from, int count) {
        List<Long> numbers;
        List<NetSocket> held = new ArrayList<>();
        synchronized (this) {
            List<Long> all = sockets.numbers();
            numbers = all.subList(Math.min(from, all.size()), Math.min(from + count, all.size()));
            numbers.forEach(n -> held.add(sockets.get(n)));
        }
        List<String> rows = new ArrayList<>(numbers.size());
        for (int i = 0; i < numbers.size(); i++) {
            var row = SocketReport.of(held.get(i), numbers.get(i));
            if (row != null) {
                rows.add(row.line());
            }
        }
        return rows;
    }

    /** Ends the session: every socket is closed, its waiting calls answered; the readiness loop is let go. */
    @Override
    public void close() {
        List<NetSocket> toClose = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose.addAll(sockets.clear());
            figures.socketsOpened(-toClose.size());
        }
        toClose.forEach(NetSocket::close); // outside the table's monitor: lock order is socket, then table
        loop.release();
    }
}
