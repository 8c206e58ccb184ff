package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.server.ClientCredentials;
import dev.vos.sys.Errno;
import dev.vos.sys.UnixSockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
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
 * client the accept will give it to. Only the listeners bound to the name the connection's peer has (its
 * {@code getpeername}, the kernel's bytes) are asked: one, unless a path was bound again after its file was removed,
 * so that no client can make one read of the option ask about every listener of the domain. A peer outside the
 * domain is what the kernel says it is. Asked only when a client reads the option: a Unix socket costs one
 * {@code fstat} at birth and a listener one {@code getsockname}, and nothing else on any other path.
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
    /** The listening ones, by inode; each also under its name in {@link #listenersByName}. */
    private final Map<Long, String> listeners = new ConcurrentHashMap<>();
    private final Map<String, Map<Long, Owner>> listenersByName = new ConcurrentHashMap<>();
    /** The sock_diag questions asked so far: what a read of the option costs, for the tests. */
    private final AtomicLong questions = new AtomicLong();

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

    /** Notes {@code socket}, a connection {@code listener} accepted: its client's, as every socket of a session. */
    void accepted(NetSocket socket, NetSocket listener) {
        Owner owner = sockets.get(listener.inode());
        born(socket, owner != null && owner.socket() == listener ? owner.client() : Optional.empty());
    }

    /**
     * Notes that {@code socket} listens, under the name the kernel gives it: a connection not yet accepted from it
     * has no other end to look up. Under the socket's monitor.
     */
    void listening(NetSocket socket) {
        long inode = socket.inode();
        Owner owner = sockets.get(inode);
        String name = owner == null || owner.socket() != socket ? null : name(socket, false);
        if (name != null && listeners.putIfAbsent(inode, name) == null) {
            listenersByName.compute(name, (n, byInode) -> { // in compute: closed() may empty and drop it meanwhile
                Map<Long, Owner> now = byInode == null ? new ConcurrentHashMap<>() : byInode;
                now.put(inode, owner);
                return now;
            });
        }
    }

    /** Forgets {@code socket}, closing: its inode may be another socket's next. Under the socket's monitor. */
    void closed(NetSocket socket) {
        long inode = socket.inode();
        Owner owner = inode <= 0 ? null : sockets.get(inode);
        if (owner == null || owner.socket() != socket) {
            return; // never noted (an IP socket, or fstat failed)
        }
        sockets.remove(inode, owner);
        String name = listeners.remove(inode);
        if (name != null) {
            listenersByName.computeIfPresent(name, (n, byInode) -> {
                byInode.remove(inode);
                return byInode.isEmpty() ? null : byInode;
            });
        }
    }

    /** How many sock_diag questions the reads of the option have asked. */
    long questions() {
        return questions.get();
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
        Owner peer = peerInDomain(socket);
        if (peer == null || peer.client().isEmpty()) {
            return -Errno.ESRCH; // the domain's, and no client of it can be named: say nothing rather than itself
        }
        return answer(peer.client().get());
    }

    private static long answer(ClientCredentials c) {
        return c.uid() < 0 ? -Errno.EOVERFLOW : NetCalls.peerCredentials(c.uid(), c.gid());
    }

    /**
     * The domain's socket at the other end of {@code socket}'s connection, or the listener that holds it; null if
     * none. The kernel gives an accepted connection its inode inside accept4, and the domain notes whose it is just
     * after, both under the listener's monitor: so where the first look finds no owner, it looks again under the
     * monitor of each listener of the peer's name, where no accept is half done. There the connection is either
     * still among the listener's incoming ones or accepted and noted.
     */
    private Owner peerInDomain(NetSocket socket) {
        long inode = socket.inode();
        if (inode <= 0) {
            return null;
        }
        long other = peerInode(inode);
        Owner owner = other == 0 ? null : sockets.get(other);
        if (owner != null) {
            return owner;
        }
        String name = name(socket, true);
        Map<Long, Owner> candidates = name == null ? null : listenersByName.get(name);
        if (candidates != null) {
            for (Map.Entry<Long, Owner> listener : candidates.entrySet()) {
                synchronized (listener.getValue().socket()) {
                    if (other == 0 && holds(listener.getKey(), inode)) {
                        return listener.getValue();
                    }
                    long accepted = other != 0 ? other : peerInode(inode); // accepted since the first look
                    owner = accepted == 0 ? null : sockets.get(accepted);
                    if (owner != null) {
                        return owner;
                    }
                }
            }
        }
        return null;
    }

    /** The inode of the other end of the socket {@code inode}'s connection, asked of the kernel; 0 for none. */
    private long peerInode(long inode) {
        questions.incrementAndGet();
        try (Arena arena = Arena.ofConfined()) {
            return UnixDiag.peerInode(UnixDiag.ask(inode, UnixDiag.UDIAG_SHOW_PEER, PEER_ANSWER_BYTES, arena), inode);
        }
    }

    /**
     * The kernel's name of {@code socket} ({@code peer}: of its peer), its sockaddr's bytes as a string that only
     * equals the same bytes; null if it has none.
     */
    private static String name(NetSocket socket, boolean peer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = SocketReport.sockaddr(socket.kernelFd(), peer, arena);
            return address == null || address.byteSize() <= SockaddrLayout.UN_PATH_OFFSET ? null
                    : HexFormat.of().formatHex(address.toArray(JAVA_BYTE));
        }
    }

    /** Whether the listener {@code listener} holds a connection from {@code inode} not yet accepted. */
    private boolean holds(long listener, long inode) {
        questions.incrementAndGet();
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
