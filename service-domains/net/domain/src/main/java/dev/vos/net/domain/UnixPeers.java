package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.server.ClientCredentials;
import dev.vos.sys.Errno;
import dev.vos.sys.UnixSockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Whom {@code SO_PEERCRED} names for a client's Unix domain socket. The kernel records the credentials of the process
 * that made the other end, and every socket the domain holds is the domain's own: through the kernel alone, each
 * client would see the domain's user as every peer in the domain, and a server that let clients in by it would let in
 * whoever can attach. So the domain keeps its Unix sockets by inode with the client each belongs to (as the agent's
 * socket named that client: {@link ClientCredentials}), and answers for a peer in the domain with its client's.
 *
 * <p>Which socket is the peer, the kernel says through {@code sock_diag} ({@link UnixDiag}): a connection's peer by
 * inode ({@code UNIX_DIAG_PEER}); for a connection that its listener has not accepted yet, whose other end has no
 * inode until it is, the listener that holds it among its incoming connections ({@code UNIX_DIAG_ICONS}), whose
 * client the accept will give it to. A peer outside the domain is what the kernel says it is. Asked only when a client
 * reads the option: a Unix socket costs one {@code fstat} at birth, and nothing else on any other path.
 */
final class UnixPeers {

    /** A socket of the domain's, and the client it belongs to (empty: the transport could not name it). */
    private record Owner(NetSocket socket, Optional<ClientCredentials> client) {
    }

    /** Room for a listener's incoming connections, 4 bytes each: an answer cut short names none of them. */
    static final int ICONS_ANSWER_BYTES = 64 * 1024;
    static final int PEER_ANSWER_BYTES = 1024;

    private final long domainPid = ProcessHandle.current().pid();
    private final Map<Long, Owner> sockets = new ConcurrentHashMap<>();
    private final Map<Long, Owner> listeners = new ConcurrentHashMap<>();

    /** Notes the new Unix socket {@code socket} of {@code client}'s, by its inode; an IP socket is not noted. */
    void born(NetSocket socket, Optional<ClientCredentials> client) {
        if (socket.family() != SockaddrLayout.AF_UNIX) {
            return;
        }
        long inode = UnixDiag.inode(socket.kernelFd());
        if (inode > 0) {
            socket.inode(inode);
            sockets.put(inode, new Owner(socket, client));
        }
    }

    /** Notes that {@code socket} listens: a connection not yet accepted from it has no other end to look up. */
    void listening(NetSocket socket) {
        Owner owner = sockets.get(socket.inode());
        if (owner != null && owner.socket() == socket) {
            listeners.put(socket.inode(), owner);
        }
    }

    /** Forgets {@code socket}, closing: its inode may be another socket's next. */
    void closed(NetSocket socket) {
        long inode = socket.inode();
        if (inode > 0) {
            sockets.computeIfPresent(inode, (i, o) -> o.socket() == socket ? null : o);
            listeners.computeIfPresent(inode, (i, o) -> o.socket() == socket ? null : o);
        }
    }

    /**
     * {@code SO_PEERCRED} of {@code socket}, as {@link NetCalls#peerCredentials} carries it, or -errno (see
     * {@link NetCalls#OPT_SO_PEERCRED}). Under the socket's monitor.
     */
    long peerOf(NetSocket socket) {
        if (socket.family() != SockaddrLayout.AF_UNIX) {
            return -Errno.ENOPROTOOPT;
        }
        if (listeners.containsKey(socket.inode())) {
            return -Errno.EINVAL; // the kernel would name the listener's own process; the JDK refuses it
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ucred = arena.allocate(UnixSockets.UCRED_SIZE, 4);
            long r = UnixSockets.getsockopt(socket.kernelFd(), UnixSockets.SOL_SOCKET, UnixSockets.SO_PEERCRED,
                    ucred);
            if (r < 0) {
                return r;
            }
            int uid = ucred.get(JAVA_INT, UnixSockets.UCRED_UID_OFFSET);
            if (uid == -1) {
                return -Errno.EINVAL; // no peer: not connected
            }
            if (ucred.get(JAVA_INT, UnixSockets.UCRED_PID_OFFSET) != domainPid) {
                return answer(new ClientCredentials(0, uid, ucred.get(JAVA_INT, UnixSockets.UCRED_GID_OFFSET)));
            }
        }
        Owner peer = peerInDomain(socket.inode());
        if (peer == null || peer.client().isEmpty()) {
            return -Errno.ESRCH; // the domain's, and no client of it can be named: say nothing rather than itself
        }
        return answer(peer.client().get());
    }

    private static long answer(ClientCredentials c) {
        return c.uid() < 0 ? -Errno.EOVERFLOW : NetCalls.peerCredentials(c.uid(), c.gid());
    }

    /** The domain's socket at the other end of the connection {@code inode}, or its listener's; null if none. */
    private Owner peerInDomain(long inode) {
        if (inode <= 0) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment peer = UnixDiag.attribute(UnixDiag.ask(inode, UnixDiag.UDIAG_SHOW_PEER, PEER_ANSWER_BYTES,
                    arena), inode, UnixDiag.UNIX_DIAG_PEER);
            long other = peer == null || peer.byteSize() < Integer.BYTES ? 0
                    : Integer.toUnsignedLong(peer.get(JAVA_INT, 0));
            Owner owner = other == 0 ? null : sockets.get(other);
            if (owner != null) {
                return owner;
            }
        }
        for (Map.Entry<Long, Owner> listener : listeners.entrySet()) {
            if (holds(listener.getKey(), inode)) {
                return listener.getValue();
            }
        }
        return null;
    }

    /** Whether the listener {@code listener} holds a connection from {@code inode} not yet accepted. */
    private static boolean holds(long listener, long inode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment icons = UnixDiag.attribute(UnixDiag.ask(listener, UnixDiag.UDIAG_SHOW_ICONS,
                    ICONS_ANSWER_BYTES, arena), listener, UnixDiag.UNIX_DIAG_ICONS);
            if (icons == null) {
                return false;
            }
            for (long at = 0; at + Integer.BYTES <= icons.byteSize(); at += Integer.BYTES) {
                if (Integer.toUnsignedLong(icons.get(JAVA_INT, at)) == (inode & 0xFFFF_FFFFL)) {
                    return true;
                }
            }
            return false;
        }
    }
}
