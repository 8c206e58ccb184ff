package dev.vos.net.domain;

import dev.vos.sys.Errno;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * One client session's sockets: the numbers a client sees, mapped to the sockets the domain holds for it. A number
 * is {@code nonce << 32 | index}, as the storage domain's descriptors: the index starts at 3 and the lowest free one
 * is reused; the nonce is drawn at random for the session (31 bits, never 0), so a number of another session, or of
 * an ended one, is EBADF even where its index is in use here. A session holds at most {@code maxSockets} (EMFILE
 * beyond): every session's sockets come out of the domain's one RLIMIT_NOFILE.
 *
 * <p>Closing the table (the session ended) closes every socket, answering the calls that waited on them, and lets
 * go of the readiness loop. It runs after the ring's workers stopped and before its segment is unmapped: the loop,
 * which works on a socket only under its monitor and only while it is open, can then no longer touch the payload.
 */
final class SocketTable implements AutoCloseable {

    /** The first number handed out: 0, 1 and 2 look like stdin/stdout/stderr to a POSIX-minded client. */
    static final int FIRST = 3;
    /** The largest nonce: 31 bits, so that every number is a positive long. */
    static final int MAX_NONCE = Integer.MAX_VALUE;
    private static final long INDEX_MASK = 0xFFFF_FFFFL;
    /** Nonces must not be guessable by another session's client: one guess is one call, 2^31 of them. */
    private static final SecureRandom NONCES = new SecureRandom();

    private final Readiness.Loop loop;
    private final int maxSockets;
    private final NetFigures figures;
    private final long tag;
    private final List<NetSocket> sockets = new ArrayList<>();
    private int mapped;
    private boolean closed;

    /**
     * A session's table on {@code loop} (which it releases when closed), with a random nonce, counting its mapped
     * sockets into the domain's {@code figures}.
     */
    SocketTable(Readiness.Loop loop, int maxSockets, NetFigures figures) {
        this.loop = loop;
        this.maxSockets = maxSockets;
        this.figures = figures;
        this.tag = (long) (1 + NONCES.nextInt(MAX_NONCE)) << 32;
    }

    /** The readiness loop this session's sockets are watched by. */
    Readiness.Loop loop() {
        return loop;
    }

    /** The domain's figures, which this table's sockets count into. */
    NetFigures figures() {
        return figures;
    }

    /**
     * Maps the new kernel socket {@code kernelFd} of {@code family} to the lowest free index, has the readiness loop
     * watch it, and returns its number; or closes {@code kernelFd} and returns -EMFILE (the session holds
     * {@code maxSockets}), -EBADF (the session ended meanwhile) or epoll's error.
     */
    long add(int kernelFd, int family) {
        NetSocket socket;
        long number;
        synchronized (this) {
            if (closed || mapped >= maxSockets) {
                NetSyscalls.close(kernelFd);
                return closed ? -Errno.EBADF : -Errno.EMFILE;
            }
            socket = new NetSocket(kernelFd, family, loop.nextId(), this);
            int i = sockets.indexOf(null);
            if (i < 0) {
                i = sockets.size();
                sockets.add(socket);
            } else {
                sockets.set(i, socket);
            }
            mapped++;
            figures.socketsOpened(1); // under the monitor, as mapped: open sockets are exactly what tables map
            number = tag | (FIRST + i);
        }
        long r = loop.watch(socket);
        if (r < 0) {
            NetSocket removed = remove(number);
            if (removed != null) {
                removed.close();
            }
            return r;
        }
        return number;
    }

    /** The socket of {@code number}, or null (EBADF): not this session's, never handed out, or closed. */
    synchronized NetSocket get(long number) {
        int i = index(number);
        return i < 0 ? null : sockets.get(i);
    }

    /** Unmaps {@code number} and returns its socket (the caller closes it), or null (EBADF). */
    synchronized NetSocket remove(long number) {
        int i = index(number);
        if (i < 0) {
            return null;
        }
        NetSocket socket = sockets.get(i);
        sockets.set(i, null);
        mapped--;
        figures.socketsOpened(-1);
        return socket;
    }

    /** How many numbers are mapped. */
    synchronized int size() {
        return mapped;
    }

    private int index(long number) {
        if ((number & ~INDEX_MASK) != tag) {
            return -1; // another session's number (or a forged one): EBADF, whatever its index
        }
        long i = (number & INDEX_MASK) - FIRST;
        return i >= 0 && i < sockets.size() && sockets.get((int) i) != null ? (int) i : -1;
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
            for (NetSocket s : sockets) {
                if (s != null) {
                    toClose.add(s);
                }
            }
            sockets.clear();
            figures.socketsOpened(-mapped);
            mapped = 0;
        }
        toClose.forEach(NetSocket::close); // outside the table's monitor: lock order is socket, then table
        loop.release();
    }
}
