package dev.vos.net.domain;

import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.net.protocol.SocketRow;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

import static dev.vos.net.domain.NetSyscalls.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * What {@code vos net ss} shows of one socket, read from the kernel as {@code ss -tan} reads it: the TCP state from
 * {@code TCP_INFO}; the queues from {@code SIOCINQ} and {@code SIOCOUTQ}, or, on a listening socket (where those are
 * EINVAL), the connections waiting to be accepted and the backlog, as {@code ss} shows them; the addresses from
 * getsockname and getpeername. Read under the socket's monitor, so never on a descriptor closed meanwhile.
 */
final class SocketReport {

    /** Linux's TCP states ({@code include/net/tcp_states.h}, from 1), as {@code ss} names them. */
    private static final String[] STATES = {"UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",
        "TIME-WAIT", "CLOSED", "CLOSE-WAIT", "LAST-ACK", SocketRow.LISTEN, "CLOSING", "NEW-SYN-RECV"};
    private static final int TCP_LISTEN = 10;

    private SocketReport() {
    }

    /** The row of {@code socket}, numbered {@code number} in its session; null if it closed meanwhile. */
    static SocketRow of(NetSocket socket, long number) {
        synchronized (socket) {
            if (socket.isClosed()) {
                return null;
            }
            int fd = socket.kernelFd();
            if (socket.family() == SockaddrLayout.AF_UNIX) {
                return unix(socket, fd, number);
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment info = arena.allocate(TCP_INFO_BYTES, 8);
                MemorySegment length = arena.allocate(JAVA_INT);
                length.set(JAVA_INT, 0, TCP_INFO_BYTES);
                long r = getsockopt(fd, IPPROTO_TCP, TCP_INFO, info.address(), length.address());
                int state = r < 0 ? 0 : Byte.toUnsignedInt(info.get(JAVA_BYTE, 0));
                long recvQ;
                long sendQ;
                if (state == TCP_LISTEN) {
                    // the kernel's backlog, and the connection held for the next accept: both wait to be accepted
                    recvQ = Integer.toUnsignedLong(info.get(JAVA_INT, TCPI_UNACKED_OFFSET))
                            + (socket.hasAhead() ? 1 : 0);
                    sendQ = Integer.toUnsignedLong(info.get(JAVA_INT, TCPI_SACKED_OFFSET));
                } else {
                    recvQ = queue(fd, SIOCINQ, arena);
                    sendQ = queue(fd, SIOCOUTQ, arena);
                }
                InetSocketAddress peer = address(fd, true, arena);
                if (socket.isDatagram()) {
                    // UDP has no TCP_INFO: as ss -uan names it, ESTAB with a peer, UNCONN without.
                    return SocketRow.udp(peer != null ? "ESTAB" : "UNCONN", recvQ, sendQ, address(fd, false, arena),
                            peer, number & 0xFFFF_FFFFL);
                }
                String name = state < STATES.length ? STATES[state] : "UNKNOWN";
                return SocketRow.of(name, recvQ, sendQ, address(fd, false, arena), peer, number & 0xFFFF_FFFFL);
            }
        }
    }

    /**
     * A Unix domain socket's row, as {@code ss -xan} shows one: {@code LISTEN} (SO_ACCEPTCONN), {@code ESTAB} with a
     * peer, else {@code UNCONN}; the paths the kernel names; its inode and its peer's. One sock_diag question, as
     * {@code ss} asks it, gives the peer's inode and, for a listener, its queues: the connections waiting to be
     * accepted (the kernel's, and one held for the next accept) and the backlog. A kernel without unix_diag leaves
     * the peer's inode 0, and a listener's queues 0 but for the one held.
     */
    private static SocketRow unix(NetSocket socket, int fd, long number) {
        try (Arena arena = Arena.ofConfined()) {
            boolean listening = NetHandlers.intOption(socket, SOL_SOCKET, SO_ACCEPTCONN) == 1;
            String peer = path(fd, true, arena);
            String state = listening ? SocketRow.LISTEN : peer != null ? "ESTAB" : "UNCONN";
            long inode = socket.inode() > 0 ? socket.inode() : Math.max(UnixDiag.inode(fd), 0);
            MemorySegment answer = inode == 0 ? null : UnixDiag.ask(inode,
                    UnixDiag.UDIAG_SHOW_PEER | UnixDiag.UDIAG_SHOW_RQLEN, UnixListenerQueue.ANSWER_BYTES, arena);
            long recvQ;
            long sendQ;
            if (listening) {
                UnixListenerQueue.Queue queue = UnixListenerQueue.parse(answer, inode);
                recvQ = (queue == null ? 0 : queue.waiting()) + (socket.hasAhead() ? 1 : 0);
                sendQ = queue == null ? 0 : queue.backlog();
            } else {
                recvQ = queue(fd, SIOCINQ, arena);
                sendQ = queue(fd, SIOCOUTQ, arena);
            }
            return SocketRow.unix(state, recvQ, sendQ, path(fd, false, arena), peer, number & 0xFFFF_FFFFL, inode,
                    UnixDiag.peerInode(answer, inode));
        }
    }

    /** A Unix domain socket's own or its peer's path ("" unnamed), or null (not connected). */
    private static String path(int fd, boolean peer, Arena arena) {
        MemorySegment sockaddr = sockaddr(fd, peer, arena);
        var decoded = sockaddr == null ? null : SockaddrLayout.decodeUnix(sockaddr, sockaddr.byteSize());
        return sockaddr == null ? null : decoded == null ? "" : decoded.getPath().toString();
    }

    /**
     * The socket's own or its peer's sockaddr, as long as the kernel wrote it, in {@code arena}; null (not bound, not
     * connected). {@link UnixPeers} names listeners by it too.
     */
    static MemorySegment sockaddr(int fd, boolean peer, Arena arena) {
        MemorySegment address = arena.allocate(SockaddrLayout.MAX_BYTES, 8);
        MemorySegment length = arena.allocate(JAVA_INT);
        length.set(JAVA_INT, 0, SockaddrLayout.MAX_BYTES);
        long r = peer ? getpeername(fd, address.address(), length.address())
                : getsockname(fd, address.address(), length.address());
        return r < 0 ? null : address.asSlice(0, Math.clamp(length.get(JAVA_INT, 0), 0, SockaddrLayout.MAX_BYTES));
    }

    /** An ioctl's byte count, or 0 where the kernel has none for this state (EINVAL). */
    private static long queue(int fd, int request, Arena arena) {
        MemorySegment value = arena.allocate(JAVA_INT);
        return ioctl(fd, request, value.address()) < 0 ? 0 : Integer.toUnsignedLong(value.get(JAVA_INT, 0));
    }

    /** The socket's own or its peer's address, or null (not bound, not connected). */
    private static InetSocketAddress address(int fd, boolean peer, Arena arena) {
        MemorySegment sockaddr = sockaddr(fd, peer, arena);
        InetSocketAddress a = sockaddr == null ? null : SockaddrLayout.decode(sockaddr, sockaddr.byteSize());
        return a == null || (!peer && a.getPort() == 0 && a.getAddress().isAnyLocalAddress()) ? null : a;
    }
}
