package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Accept;
import dev.vos.net.protocol.NetCalls.Available;
import dev.vos.net.protocol.NetCalls.Bind;
import dev.vos.net.protocol.NetCalls.Close;
import dev.vos.net.protocol.NetCalls.Connect;
import dev.vos.net.protocol.NetCalls.Getsockname;
import dev.vos.net.protocol.NetCalls.Getsockopt;
import dev.vos.net.protocol.NetCalls.Listen;
import dev.vos.net.protocol.NetCalls.Membership;
import dev.vos.net.protocol.NetCalls.Poll;
import dev.vos.net.protocol.NetCalls.Recvfrom;
import dev.vos.net.protocol.NetCalls.Sendto;
import dev.vos.net.protocol.NetCalls.Setsockopt;
import dev.vos.net.protocol.NetCalls.Shutdown;
import dev.vos.net.protocol.NetCalls.Socket;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.ServerCall;
import dev.vos.sys.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;

import static dev.vos.net.domain.NetSyscalls.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The net calls' handlers (see {@link NetCalls} for the table; each reads its arguments by the positions the
 * protocol names). Every argument is the client's and untrusted: flags outside those a call takes are EINVAL,
 * payload ranges outside the data area EFAULT, and a socket address is copied out of the shared payload into the
 * domain's own memory before it is checked, so that what the kernel binds or connects to is what was checked (a
 * client rewriting the payload meanwhile changes nothing). Socket options are the protocol's numbers, mapped here to
 * the kernel's level and name: a client can set no other.
 */
final class NetHandlers {

    private final BindPolicy policy;
    private final UnixPaths unix;
    private final int maxSockets;
    private final Readiness readiness;
    private final NetFigures figures = new NetFigures();
    private final UnixPeers peers = new UnixPeers();

    NetHandlers(BindPolicy policy, UnixPaths unix, int maxSockets, Readiness readiness) {
        this.policy = policy;
        this.unix = unix;
        this.maxSockets = maxSockets;
        this.readiness = readiness;
    }

    /**
     * Registers the calls, the per-session socket table and the domain's figures. sendto's and recvfrom's positive
     * results are bytes sent and received: marked as transfers, the ring counts them into the domain's bytes written
     * and read (a recvfrom with PEEK counts too, though the bytes stay queued: the ring counts by call, not flags).
     */
    void register(CallTable.Builder table) {
        table.add(NetCalls.SOCKET, "socket", NetHandlers::socket)
                .add(NetCalls.BIND, "bind", this::bind)
                .add(NetCalls.LISTEN, "listen", NetHandlers::listen)
                .addMayWait(NetCalls.ACCEPT, "accept", NetHandlers::accept)
                .addMayWait(NetCalls.CONNECT, "connect", this::connect)
                .addMayWait(NetCalls.SENDTO, "sendto", this::sendto)
                .addMayWait(NetCalls.RECVFROM, "recvfrom", NetHandlers::recvfrom)
                .add(NetCalls.SHUTDOWN, "shutdown", NetHandlers::shutdown)
                .add(NetCalls.CLOSE, "close", NetHandlers::close)
                .add(NetCalls.SETSOCKOPT, "setsockopt", NetHandlers::setsockopt)
                .add(NetCalls.GETSOCKOPT, "getsockopt", NetHandlers::getsockopt)
                .add(NetCalls.GETSOCKNAME, "getsockname", call -> name(call, false))
                .add(NetCalls.GETPEERNAME, "getpeername", call -> name(call, true))
                .addMayWait(NetCalls.POLL, "poll", NetHandlers::poll)
                .add(NetCalls.AVAILABLE, "available", NetHandlers::available)
                .add(NetCalls.MEMBERSHIP, "membership", this::membership)
                .transfers(NetCalls.SENDTO, CallTable.Transfer.WRITE)
                .transfers(NetCalls.RECVFROM, CallTable.Transfer.READ)
                .sessionState(() -> new SocketTable(readiness.acquire(), maxSockets, figures, peers))
                .idlePoll(readiness::idlePoll);
        figures.register(table);
    }

    /** The domain's Unix sockets and their clients, whom SO_PEERCRED names. */
    UnixPeers peers() {
        return peers;
    }

    private static SocketTable sockets(ServerCall call) {
        return (SocketTable) call.session();
    }

    /** What a call does with an open socket, under its monitor. */
    @FunctionalInterface
    private interface SocketOp {
        long apply(NetSocket socket);
    }

    /** Runs {@code op} on the session's socket {@code fd} under its monitor; EBADF if there is none, or it closed. */
    private static long onSocket(ServerCall call, long fd, SocketOp op) {
        NetSocket socket = sockets(call).get(fd);
        if (socket == null) {
            return -Errno.EBADF;
        }
        synchronized (socket) {
            return socket.isClosed() ? -Errno.EBADF : op.apply(socket);
        }
    }

    /** Tries {@code attempt} now; if it would block, parks the call on the socket, unless the client said NO_WAIT. */
    private static long tryOrPark(ServerCall call, NetSocket socket, boolean noWait, NetSocket.Attempt attempt) {
        long r = attempt.run();
        return r == -Errno.EAGAIN && !noWait ? socket.park(call, attempt, false) : r;
    }

    private static boolean flagsOutside(long flags, int allowed) {
        return (flags & ~(long) allowed) != 0;
    }

    private static long socket(ServerCall call) {
        long family = call.arg(Socket.FAMILY);
        if (family != SockaddrLayout.AF_INET && family != SockaddrLayout.AF_INET6
                && family != SockaddrLayout.AF_UNIX) {
            return -Errno.EAFNOSUPPORT;
        }
        long type = call.arg(Socket.TYPE);
        if (type != NetCalls.SOCK_STREAM && (type != NetCalls.SOCK_DGRAM || family == SockaddrLayout.AF_UNIX)) {
            return -Errno.EPROTONOSUPPORT; // a Unix domain socket is served as a stream only, as the JDK has it
        }
        long fd = NetSyscalls.socket((int) family, (int) type | SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            return fd;
        }
        SocketTable table = sockets(call);
        NetSocket socket = table.newSocket((int) fd, (int) family);
        table.peers().born(socket, call.client());
        long number = table.add(socket);
        if (number >= 0 && type == NetCalls.SOCK_DGRAM) {
            synchronized (socket) {
                socket.markDatagram();
            }
        }
        return number;
    }

    /**
     * The client's sockaddr for {@code socket}, copied into {@code arena}: exactly the family's size (a sockaddr_un:
     * from the family alone up to the whole of it), or null with the errno in {@code errno[0]} (EFAULT outside the
     * payload, EINVAL for another length, EAFNOSUPPORT for another family).
     */
    private static MemorySegment copyAddress(ServerCall call, NetSocket socket, long offset, long length,
                                             Arena arena, int[] errno) {
        int most = SockaddrLayout.bytes(socket.family());
        MemorySegment shared = call.data(offset, length);
        if (shared == null) {
            errno[0] = Errno.EFAULT;
            return null;
        }
        boolean fits = socket.family() == SockaddrLayout.AF_UNIX
                ? length >= SockaddrLayout.UN_PATH_OFFSET && length <= most : length == most;
        if (!fits) {
            errno[0] = Errno.EINVAL;
            return null;
        }
        MemorySegment own = arena.allocate(length, 8);
        own.copyFrom(shared); // from here on, the client's writes to the payload change nothing
        if (Short.toUnsignedInt(own.get(JAVA_SHORT, SockaddrLayout.FAMILY_OFFSET)) != socket.family()) {
            errno[0] = Errno.EAFNOSUPPORT;
            return null;
        }
        return own;
    }

    /**
     * A Unix domain socket's sockaddr_un ({@link #copyAddress}), read: its path, or null with the errno in
     * {@code errno[0]} (as {@link #copyAddress}, and EINVAL for the abstract namespace).
     */
    private static UnixDomainSocketAddress copyUnixAddress(ServerCall call, NetSocket socket, long offset,
                                                           long length, int[] errno) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment own = copyAddress(call, socket, offset, length, arena, errno);
            UnixDomainSocketAddress address = own == null ? null : SockaddrLayout.decodeUnix(own, own.byteSize());
            if (own != null && address == null) {
                errno[0] = Errno.EINVAL;
            }
            return address;
        }
    }

    private long bind(ServerCall call) {
        return onSocket(call, call.arg(Bind.FD), socket -> {
            if (socket.family() == SockaddrLayout.AF_UNIX) {
                return bindUnix(call, socket);
            }
            try (Arena arena = Arena.ofConfined()) {
                int[] errno = new int[1];
                MemorySegment address = copyAddress(call, socket, call.arg(Bind.ADDR_OFFSET),
                        call.arg(Bind.ADDR_LENGTH), arena, errno);
                if (address == null) {
                    return -errno[0];
                }
                InetSocketAddress wanted = SockaddrLayout.decode(address, address.byteSize());
                if (wanted == null || !policy.allows(wanted.getAddress())
                        && !(socket.isDatagram() && wanted.getAddress().isMulticastAddress())) {
                    return -Errno.EADDRNOTAVAIL; // as the kernel answers for an address that is not the host's
                }
                long r = NetSyscalls.bind(socket.kernelFd(), address.address(), (int) address.byteSize());
                if (r == 0) {
                    socket.markBound();
                }
                return r;
            }
        });
    }

    /** A Unix domain socket's bind: to a path in the spec's {@code net.unix} directories ({@link UnixPaths}). */
    private long bindUnix(ServerCall call, NetSocket socket) {
        int[] errno = new int[1];
        UnixDomainSocketAddress wanted = copyUnixAddress(call, socket, call.arg(Bind.ADDR_OFFSET),
                call.arg(Bind.ADDR_LENGTH), errno);
        if (wanted == null) {
            return -errno[0];
        }
        if (socket.bound()) {
            return -Errno.EINVAL; // as the kernel answers a second bind
        }
        UnixPaths.Bound bound = unix.bind(socket.kernelFd(), wanted);
        if (bound.result() == 0) {
            socket.markBound(() -> unix.release(bound.path()));
        }
        return bound.result();
    }

    private static long listen(ServerCall call) {
        long backlog = Math.clamp(call.arg(Listen.BACKLOG), 1, NetCalls.MAX_BACKLOG);
        return onSocket(call, call.arg(Listen.FD), socket -> {
            if (!socket.bound()) {
                return -Errno.EADDRNOTAVAIL; // the kernel would bind an unbound socket to the wildcard address
            }
            long r = NetSyscalls.listen(socket.kernelFd(), (int) backlog);
            if (r == 0) {
                socket.table().peers().listening(socket);
            }
            return r;
        });
    }

    /**
     * accept: the listener's next connection, numbered in the session. Once it has answered, the handler takes the
     * connection after it from the kernel (accept4, the epoll's watch, its readiness at birth) while the client goes
     * on, and holds it for the next accept, which then costs no system call on its way ({@link #acceptAhead}). A
     * call that has to wait for a connection is answered by the edge that brings one, as any waiting call is.
     */
    private static long accept(ServerCall call) {
        long flags = call.arg(Accept.FLAGS);
        if (flagsOutside(flags, NetCalls.NO_WAIT)) {
            return -Errno.EINVAL;
        }
        long capacity = call.arg(Accept.ADDR_CAPACITY);
        MemorySegment out = capacity == 0 ? null : call.data(call.arg(Accept.ADDR_OFFSET), capacity);
        if (capacity != 0 && out == null) {
            return -Errno.EFAULT;
        }
        return onSocket(call, call.arg(Accept.FD), socket -> {
            long r = tryOrPark(call, socket, (flags & NetCalls.NO_WAIT) != 0, () -> acceptOnce(socket, out));
            if (r < 0) {
                return r; // an error, EAGAIN of a NO_WAIT accept, or DEFERRED: parked until a connection comes
            }
            call.answerNow(r); // the payload is the client's again from here: out is not touched after this
            acceptAhead(socket);
            return ServerCall.DEFERRED;
        });
    }

    /**
     * One accept on the listening {@code socket}: the connection taken ahead if there is one, else the kernel's next;
     * its number in the session, its peer's address to {@code out} (null: not asked for).
     */
    private static long acceptOnce(NetSocket socket, MemorySegment out) {
        NetSocket.Ahead ahead = socket.takeAhead();
        long number;
        byte[] peer;
        if (ahead != null) {
            number = socket.table().adopt(ahead.socket());
            peer = ahead.peer();
        } else {
            Taken taken = take(socket);
            if (taken.result() < 0) {
                if (taken.result() == -Errno.EAGAIN) {
                    socket.wouldBlock(NetCalls.POLLIN); // the backlog is empty
                }
                return taken.result();
            }
            number = socket.table().add(connection(socket, taken));
            peer = taken.peer();
        }
        if (number >= 0) {
            socket.table().figures().accepted();
            if (out != null) {
                long n = Math.min(out.byteSize(), peer.length);
                MemorySegment.copy(MemorySegment.ofArray(peer), 0, out, 0, n);
                out.asSlice(n).fill((byte) 0); // a sockaddr_un is read up to its NUL: nothing of before stays
            }
        }
        return number;
    }

    /** What one accept4 took: the new kernel descriptor (or -errno), and the peer's address (null with an errno). */
    private record Taken(long result, byte[] peer) {
    }

    /** One accept4 on the listening {@code socket}, for a non-blocking, close-on-exec descriptor. */
    private static Taken take(NetSocket socket) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SockaddrLayout.MAX_BYTES, 8);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, SockaddrLayout.MAX_BYTES);
            long fd = accept4(socket.kernelFd(), address.address(), length.address(), SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                return new Taken(fd, null);
            }
            int n = Math.clamp(length.get(JAVA_INT, 0), 0, SockaddrLayout.MAX_BYTES);
            return new Taken(fd, address.asSlice(0, n).toArray(JAVA_BYTE));
        }
    }

    /** The session's socket for a connection {@code taken} off {@code listener}: neither watched nor numbered. */
    private static NetSocket connection(NetSocket listener, Taken taken) {
        NetSocket socket = listener.table().newSocket((int) taken.result(), listener.family());
        listener.table().peers().accepted(socket, listener);
        socket.markAccepted();
        return socket;
    }

    /**
     * After an accept has answered: takes the listener's next connection from the kernel, has the loop watch it and
     * holds it, unnumbered, for the next accept ({@link NetSocket#holdAhead}). It counts against the session's cap
     * only once an accept numbers it; closing the listener resets it, as the kernel resets the connections in a
     * closed listener's backlog. Nothing there (EAGAIN) or any error: nothing is held, and the next accept asks the
     * kernel itself. Under the listener's monitor.
     */
    private static void acceptAhead(NetSocket listener) {
        if (listener.hasAhead()) {
            return;
        }
        Taken taken = take(listener);
        if (taken.result() < 0) {
            if (taken.result() == -Errno.EAGAIN) {
                listener.wouldBlock(NetCalls.POLLIN);
            }
            return;
        }
        NetSocket socket = connection(listener, taken);
        if (listener.table().watch(socket) == 0) {
            listener.holdAhead(socket, taken.peer());
        }
    }

    private long connect(ServerCall call) {
        long flags = call.arg(Connect.FLAGS);
        if (flagsOutside(flags, NetCalls.NO_WAIT)) {
            return -Errno.EINVAL;
        }
        NetFigures figures = sockets(call).figures();
        return onSocket(call, call.arg(Connect.FD), socket -> {
            if (socket.isDatagram()) {
                return connectDatagram(call, socket);
            }
            if (socket.family() == SockaddrLayout.AF_UNIX) {
                // Done or refused at once; EAGAIN when the listener's backlog is full, which no readiness edge of
                // this socket announces the end of: the client tries again (VosSocketChannel).
                int[] errno = new int[1];
                UnixDomainSocketAddress to = copyUnixAddress(call, socket, call.arg(Connect.ADDR_OFFSET),
                        call.arg(Connect.ADDR_LENGTH), errno);
                return figures.connectAnswered(to == null ? -errno[0] : unix.connect(socket.kernelFd(), to));
            }
            long r;
            try (Arena arena = Arena.ofConfined()) {
                int[] errno = new int[1];
                MemorySegment address = copyAddress(call, socket, call.arg(Connect.ADDR_OFFSET),
                        call.arg(Connect.ADDR_LENGTH), arena, errno);
                if (address == null) {
                    return -errno[0];
                }
                r = NetSyscalls.connect(socket.kernelFd(), address.address(), (int) address.byteSize());
            }
            if (r == -Errno.EINPROGRESS) {
                // Not writable until connected; the unconnected socket's first edge said writable and hung up.
                socket.wouldBlock(NetCalls.POLLOUT | NetCalls.POLLHUP);
            }
            if (r != -Errno.EINPROGRESS || (flags & NetCalls.NO_WAIT) != 0) {
                return figures.connectAnswered(r);
            }
            // Parked: the answer is the outcome's, counted when it is final (-EAGAIN only means not yet).
            return socket.park(call, () -> figures.connectAnswered(connectOutcome(socket)), false);
        });
    }

    /**
     * A UDP socket's connect: to a peer (the kernel binds it to the route's source address, as for TCP: no
     * wildcard), or, with a sockaddr of family {@code AF_UNSPEC}, dissolving the peer. Never waits.
     */
    private static long connectDatagram(ServerCall call, NetSocket socket) {
        long offset = call.arg(Connect.ADDR_OFFSET);
        long length = call.arg(Connect.ADDR_LENGTH);
        MemorySegment shared = call.data(offset, length);
        if (shared == null || length < Short.BYTES) {
            return shared == null ? -Errno.EFAULT : -Errno.EINVAL;
        }
        try (Arena arena = Arena.ofConfined()) {
            if (shared.get(JAVA_SHORT, SockaddrLayout.FAMILY_OFFSET) == SockaddrLayout.AF_UNSPEC) {
                return disconnectDatagram(socket, arena);
            }
            int[] errno = new int[1];
            MemorySegment address = copyAddress(call, socket, offset, length, arena, errno);
            if (address == null) {
                return -errno[0];
            }
            long r = NetSyscalls.connect(socket.kernelFd(), address.address(), (int) address.byteSize());
            if (r == 0) {
                socket.markConnected(true);
            }
            return r;
        }
    }

    /**
     * Dissolves a UDP socket's peer (a connect to {@code AF_UNSPEC}), keeping the address the client bound it to.
     * Linux's disconnect drops a port the socket was bound to as port 0 (an ephemeral one: no SOCK_BINDPORT_LOCK),
     * so the socket would receive nothing more there; as the JDK's own channel does after its disconnect, the
     * domain binds it to that address again. A socket the connect alone bound keeps the kernel's answer.
     */
    private static long disconnectDatagram(NetSocket socket, Arena arena) {
        int size = SockaddrLayout.bytes(socket.family());
        MemorySegment before = arena.allocate(size, 8);
        MemorySegment length = arena.allocate(JAVA_INT);
        length.set(JAVA_INT, 0, size);
        long named = socket.bound() ? NetSyscalls.getsockname(socket.kernelFd(), before.address(), length.address())
                : -Errno.EINVAL;
        MemorySegment unspec = arena.allocate(size, 8); // zeroed: family AF_UNSPEC
        long r = NetSyscalls.connect(socket.kernelFd(), unspec.address(), size);
        if (r != 0) {
            return r;
        }
        socket.markConnected(false);
        if (named == 0 && port(before) != 0) {
            MemorySegment after = arena.allocate(size, 8);
            length.set(JAVA_INT, 0, size);
            if (NetSyscalls.getsockname(socket.kernelFd(), after.address(), length.address()) == 0
                    && port(after) == 0) {
                return NetSyscalls.bind(socket.kernelFd(), before.address(), size); // the address checked at bind
            }
        }
        return 0;
    }

    private static int port(MemorySegment sockaddr) {
        return Short.toUnsignedInt(sockaddr.get(JAVA_SHORT, SockaddrLayout.PORT_OFFSET));
    }

    /** A connect in progress: -EAGAIN while it is, then 0 or its error (SO_ERROR). */
    private static long connectOutcome(NetSocket socket) {
        if (pollOnce(socket, NetCalls.POLLOUT) == -Errno.EAGAIN) {
            return -Errno.EAGAIN;
        }
        long error = intOption(socket, SOL_SOCKET, SO_ERROR);
        return error > 0 ? -error : error;
    }

    private long sendto(ServerCall call) {
        long flags = call.arg(Sendto.FLAGS);
        if (flagsOutside(flags, NetCalls.NO_WAIT | NetCalls.URGENT)) {
            return -Errno.EINVAL;
        }
        long count = call.arg(Sendto.COUNT);
        long address = call.dataAddress(call.arg(Sendto.BUFFER_OFFSET), count);
        if (address == 0) {
            return -Errno.EFAULT;
        }
        boolean noWait = (flags & NetCalls.NO_WAIT) != 0;
        boolean urgent = (flags & NetCalls.URGENT) != 0;
        long addrLength = call.arg(Sendto.ADDR_LENGTH);
        if (call.arg(Sendto.ADDR_OFFSET) == 0 && addrLength == 0) {
            int kernelFlags = MSG_DONTWAIT | MSG_NOSIGNAL | (urgent ? MSG_OOB : 0);
            return onSocket(call, call.arg(Sendto.FD), socket -> urgent && !isTcp(socket) ? -Errno.EOPNOTSUPP
                    : tryOrPark(call, socket, noWait,
                            () -> sent(socket, send(socket.kernelFd(), address, count, kernelFlags))));
        }
        return onSocket(call, call.arg(Sendto.FD), socket -> {
            if (urgent) {
                return -Errno.EOPNOTSUPP; // urgent data is TCP's, whose peer is its connection's
            }
            if (!socket.isDatagram()) {
                return -Errno.EINVAL; // a stream's peer is its connection's
            }
            if (!socket.bound() && !socket.isConnected() && !policy.allows(wildcard(socket.family()))) {
                // The kernel would bind it to the wildcard address first: a bind the spec does not allow.
                return -Errno.EADDRNOTAVAIL;
            }
            int[] errno = new int[1];
            // Kept while the send may wait (retried later, off this call): the arena is the GC's.
            MemorySegment to = copyAddress(call, socket, call.arg(Sendto.ADDR_OFFSET), addrLength, Arena.ofAuto(),
                    errno);
            if (to == null) {
                return -errno[0];
            }
            return tryOrPark(call, socket, noWait, () -> sent(socket, sendTo(socket.kernelFd(), address, count,
                    MSG_DONTWAIT | MSG_NOSIGNAL, to.address(), (int) to.byteSize())));
        });
    }

    /** Whether {@code socket} is TCP: a stream of an IP family, the one kind that has urgent data. */
    private static boolean isTcp(NetSocket socket) {
        return !socket.isDatagram() && socket.family() != SockaddrLayout.AF_UNIX;
    }

    private static final InetAddress WILDCARD4 = InetAddress.ofLiteral("0.0.0.0");
    private static final InetAddress WILDCARD6 = InetAddress.ofLiteral("::");

    /** The wildcard address of {@code family}, which the kernel's automatic bind of a UDP socket takes. */
    private static InetAddress wildcard(int family) {
        return family == SockaddrLayout.AF_INET6 ? WILDCARD6 : WILDCARD4;
    }

    private static long recvfrom(ServerCall call) {
        long flags = call.arg(Recvfrom.FLAGS);
        if (flagsOutside(flags, NetCalls.NO_WAIT | NetCalls.PEEK)) {
            return -Errno.EINVAL;
        }
        long count = call.arg(Recvfrom.COUNT);
        long address = call.dataAddress(call.arg(Recvfrom.BUFFER_OFFSET), count);
        if (address == 0) {
            return -Errno.EFAULT;
        }
        int kernelFlags = MSG_DONTWAIT | ((flags & NetCalls.PEEK) != 0 ? MSG_PEEK : 0);
        boolean noWait = (flags & NetCalls.NO_WAIT) != 0;
        boolean peek = (flags & NetCalls.PEEK) != 0;
        long capacity = call.arg(Recvfrom.ADDR_CAPACITY);
        if (call.arg(Recvfrom.ADDR_OFFSET) == 0 && capacity == 0) {
            return onSocket(call, call.arg(Recvfrom.FD), socket -> tryOrPark(call, socket, noWait,
                    () -> received(socket, recv(socket.kernelFd(), address, count, kernelFlags), count, peek)));
        }
        MemorySegment from = call.data(call.arg(Recvfrom.ADDR_OFFSET), capacity);
        if (from == null) {
            return -Errno.EFAULT;
        }
        return onSocket(call, call.arg(Recvfrom.FD), socket -> {
            if (!socket.isDatagram()) {
                return -Errno.EINVAL; // a stream's sender is its connection's peer
            }
            if (capacity < SockaddrLayout.bytes(socket.family())) {
                return -Errno.EINVAL;
            }
            return tryOrPark(call, socket, noWait, () -> receivedFrom(socket, address, count, kernelFlags, from));
        });
    }

    /** One recvfrom of a UDP socket, its sender's sockaddr copied to {@code from} (the client's payload). */
    private static long receivedFrom(NetSocket socket, long buffer, long count, int flags, MemorySegment from) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sender = arena.allocate(SockaddrLayout.MAX_BYTES, 8);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, SockaddrLayout.MAX_BYTES);
            long r = received(socket, recvFrom(socket.kernelFd(), buffer, count, flags, sender.address(),
                    length.address()), count, (flags & MSG_PEEK) != 0);
            if (r >= 0) {
                long n = Math.min(from.byteSize(), Math.min(length.get(JAVA_INT, 0), SockaddrLayout.MAX_BYTES));
                MemorySegment.copy(sender, 0, from, 0, n);
            }
            return r;
        }
    }

    /**
     * A receive's result, noted in what the socket is known ready for: EAGAIN, or fewer bytes than asked of a
     * stream (TCP's receive copies until its queue is empty, so a short one drained it; a peek drains nothing; a
     * datagram is whole, however short), clears POLLIN; 0 for a non-empty buffer is a stream's end, readable for
     * good. Under the monitor.
     */
    private static long received(NetSocket socket, long r, long count, boolean peek) {
        if (r == -Errno.EAGAIN || (!peek && !socket.isDatagram() && r > 0 && r < count)) {
            socket.wouldBlock(NetCalls.POLLIN);
        } else if (r == 0 && count > 0 && !socket.isDatagram()) { // an empty datagram is no end
            socket.sawEndOfStream();
        }
        return r;
    }

    /** A send's result, noted: EAGAIN clears POLLOUT (a short send may still leave room: left set). */
    private static long sent(NetSocket socket, long r) {
        if (r == -Errno.EAGAIN) {
            socket.wouldBlock(NetCalls.POLLOUT);
        }
        return r;
    }

    /** {@code ioctl(SIOCINQ)}: the bytes queued for reading, into the domain's own memory, then the result. */
    private static long available(ServerCall call) {
        return onSocket(call, call.arg(Available.FD), socket -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment count = arena.allocate(JAVA_INT);
                long r = NetSyscalls.ioctl(socket.kernelFd(), NetSyscalls.SIOCINQ, count.address());
                return r < 0 ? r : count.get(JAVA_INT, 0);
            }
        });
    }

    private static long shutdown(ServerCall call) {
        long how = call.arg(Shutdown.HOW);
        if (how < NetCalls.SHUT_RD || how > NetCalls.SHUT_RDWR) {
            return -Errno.EINVAL;
        }
        return onSocket(call, call.arg(Shutdown.FD), socket -> {
            long r = NetSyscalls.shutdown(socket.kernelFd(), (int) how);
            if (r == 0 && how != NetCalls.SHUT_WR) {
                socket.sawEndOfStream(); // a receive reads the end at once, as poll(2) says from now on
            }
            if (r == 0 && how != NetCalls.SHUT_RD) {
                socket.polled(socket.known() | NetCalls.POLLOUT); // a send fails at once: poll(2) says writable
            }
            socket.retryWaiters(); // a receive waiting now reads the end of the stream
            return r;
        });
    }

    /**
     * close: the number is unmapped at once; the socket's calls are answered EBADF and its descriptor closed. A
     * connection an accept took is answered before its close(2), which sends the FIN (on loopback, the peer's
     * receive too) while the client goes on: its port is the listener's, so no bind of the client's can race the
     * close, and close(2) of a socket answers 0 (the domain refuses the positive linger that would make it wait).
     */
    private static long close(ServerCall call) {
        NetSocket socket = sockets(call).remove(call.arg(Close.FD));
        if (socket == null) {
            return -Errno.EBADF;
        }
        if (socket.wasAccepted()) {
            call.answerNow(0);
            socket.close();
            return ServerCall.DEFERRED;
        }
        socket.close();
        return 0;
    }

    private static long poll(ServerCall call) {
        long events = call.arg(Poll.EVENTS);
        long flags = call.arg(Poll.FLAGS);
        if (events == 0 || flagsOutside(events, NetCalls.POLLIN | NetCalls.POLLOUT)
                || flagsOutside(flags, NetCalls.NO_WAIT)) {
            return -Errno.EINVAL;
        }
        return onSocket(call, call.arg(Poll.FD), socket -> {
            NetSocket.Attempt attempt = () -> pollOnce(socket, (int) events);
            long r = attempt.run();
            if (r != -Errno.EAGAIN) {
                return r;
            }
            socket.wouldBlock((int) events); // what it waits for is not known ready: the epoll reports it from now
            return (flags & NetCalls.NO_WAIT) != 0 ? 0 : socket.park(call, attempt, true);
        });
    }

    /** poll(2) of the socket with no timeout: the ready events among {@code events} (and ERR, HUP), or -EAGAIN. */
    static long pollOnce(NetSocket socket, int events) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(POLLFD_BYTES, 4);
            pollfd.set(JAVA_INT, 0, socket.kernelFd());
            pollfd.set(JAVA_SHORT, POLLFD_EVENTS_OFFSET, (short) events);
            long r = NetSyscalls.poll(pollfd.address(), 1, 0);
            if (r < 0) {
                return r;
            }
            int ready = pollfd.get(JAVA_SHORT, POLLFD_REVENTS_OFFSET)
                    & (events | NetCalls.POLLERR | NetCalls.POLLHUP);
            if (socket.hasAhead()) {
                ready |= events & NetCalls.POLLIN; // a connection taken ahead waits for the next accept
            }
            return ready == 0 ? -Errno.EAGAIN : ready;
        }
    }

    /**
     * A multicast membership of a UDP socket (see {@link NetCalls}, "Multicast"): the request is copied out of the
     * payload before it is checked, then passed to the kernel as {@code group_req} or {@code group_source_req} at
     * the group's level. A join only on an interface the policy lets in ({@link BindPolicy#joinOn}).
     */
    private long membership(ServerCall call) {
        long op = call.arg(Membership.OP);
        if (op < NetCalls.MEMBERSHIP_JOIN || op > NetCalls.MEMBERSHIP_UNBLOCK) {
            return -Errno.EINVAL;
        }
        long length = call.arg(Membership.REQUEST_LENGTH);
        MemorySegment shared = call.data(call.arg(Membership.REQUEST_OFFSET), length);
        if (shared == null) {
            return -Errno.EFAULT;
        }
        if (length != NetCalls.MEMBERSHIP_BYTES) {
            return -Errno.EINVAL;
        }
        long index = call.arg(Membership.INTERFACE);
        if (index < 1 || index > Integer.MAX_VALUE) {
            return -Errno.ENODEV;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(NetCalls.MEMBERSHIP_BYTES, 8);
            request.copyFrom(shared); // from here on, the client's writes to the payload change nothing
            MemorySegment group = sockaddr(request, NetCalls.MEMBERSHIP_GROUP_OFFSET);
            MemorySegment source = sockaddr(request, NetCalls.MEMBERSHIP_SOURCE_OFFSET);
            InetAddress groupAddress = group == null ? null
                    : SockaddrLayout.decode(group, group.byteSize()).getAddress();
            boolean hasSource = request.get(JAVA_SHORT, NetCalls.MEMBERSHIP_SOURCE_OFFSET) != SockaddrLayout.AF_UNSPEC;
            InetAddress sourceAddress = source == null ? null
                    : SockaddrLayout.decode(source, source.byteSize()).getAddress();
            if (groupAddress == null || !groupAddress.isMulticastAddress() || hasSource && (sourceAddress == null
                    || sourceAddress.isMulticastAddress() || sourceAddress.isAnyLocalAddress()
                    || sourceAddress.getClass() != groupAddress.getClass())) {
                return -Errno.EINVAL;
            }
            boolean blocking = op == NetCalls.MEMBERSHIP_BLOCK || op == NetCalls.MEMBERSHIP_UNBLOCK;
            if (blocking && !hasSource) {
                return -Errno.EINVAL;
            }
            if (op == NetCalls.MEMBERSHIP_JOIN) {
                int verdict = policy.joinOn((int) index);
                if (verdict != BindPolicy.JOIN) {
                    return -verdict;
                }
            }
            int name = switch ((int) op) {
                case NetCalls.MEMBERSHIP_JOIN -> hasSource ? MCAST_JOIN_SOURCE_GROUP : MCAST_JOIN_GROUP;
                case NetCalls.MEMBERSHIP_LEAVE -> hasSource ? MCAST_LEAVE_SOURCE_GROUP : MCAST_LEAVE_GROUP;
                case NetCalls.MEMBERSHIP_BLOCK -> MCAST_BLOCK_SOURCE;
                default -> MCAST_UNBLOCK_SOURCE;
            };
            int bytes = hasSource ? GROUP_SOURCE_REQ_BYTES : GROUP_REQ_BYTES;
            MemorySegment req = arena.allocate(bytes, 8);
            req.set(JAVA_INT, 0, (int) index);
            MemorySegment.copy(group, 0, req, GROUP_REQ_GROUP_OFFSET, group.byteSize());
            if (hasSource) {
                MemorySegment.copy(source, 0, req, GROUP_REQ_SOURCE_OFFSET, source.byteSize());
            }
            int level = group.byteSize() == SockaddrLayout.IN_BYTES ? IPPROTO_IP : IPPROTO_IPV6;
            return onSocket(call, call.arg(Membership.FD), socket -> socket.isDatagram()
                    ? NetSyscalls.setsockopt(socket.kernelFd(), level, name, req.address(), bytes)
                    : -Errno.EPROTO); // the kernel's answer for a join on a TCP socket
        }
    }

    /**
     * The sockaddr at {@code offset} of a membership request, sliced to its family's size; null for another family
     * (AF_UNSPEC, for a source: none).
     */
    private static MemorySegment sockaddr(MemorySegment request, int offset) {
        int family = Short.toUnsignedInt(request.get(JAVA_SHORT, offset));
        if (family != SockaddrLayout.AF_INET && family != SockaddrLayout.AF_INET6) {
            return null;
        }
        return request.asSlice(offset, SockaddrLayout.bytes(family));
    }

    private static long setsockopt(ServerCall call) {
        int option = (int) Math.clamp(call.arg(Setsockopt.OPTION), -1, NetCalls.OPT_LAST + 1);
        long value = call.arg(Setsockopt.VALUE);
        return onSocket(call, call.arg(Setsockopt.FD), socket -> SocketOptions.set(socket, option, value));
    }

    private static long getsockopt(ServerCall call) {
        int option = (int) Math.clamp(call.arg(Getsockopt.OPTION), -1, NetCalls.OPT_LAST + 1);
        return onSocket(call, call.arg(Getsockopt.FD), socket -> option == NetCalls.OPT_SO_PEERCRED
                ? socket.table().peers().peerOf(socket) : SocketOptions.get(socket, option));
    }

    /** An int option's value, or -errno. */
    static long intOption(NetSocket socket, int level, int name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, Integer.BYTES);
            long r = NetSyscalls.getsockopt(socket.kernelFd(), level, name, value.address(), length.address());
            return r < 0 ? r : value.get(JAVA_INT, 0);
        }
    }

    /** getsockname or getpeername ({@code peer}) into the payload: the sockaddr's length. */
    private static long name(ServerCall call, boolean peer) {
        long capacity = call.arg(Getsockname.ADDR_CAPACITY);
        MemorySegment out = call.data(call.arg(Getsockname.ADDR_OFFSET), capacity);
        if (out == null) {
            return -Errno.EFAULT;
        }
        return onSocket(call, call.arg(Getsockname.FD), socket -> {
            if (capacity < SockaddrLayout.bytes(socket.family())) {
                return -Errno.EINVAL;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment address = arena.allocate(SockaddrLayout.MAX_BYTES, 8);
                MemorySegment length = arena.allocate(JAVA_INT);
                length.set(JAVA_INT, 0, SockaddrLayout.MAX_BYTES);
                long r = peer ? getpeername(socket.kernelFd(), address.address(), length.address())
                        : getsockname(socket.kernelFd(), address.address(), length.address());
                if (r < 0) {
                    return r;
                }
                int n = Math.min(length.get(JAVA_INT, 0), SockaddrLayout.MAX_BYTES);
                MemorySegment.copy(address, 0, out, 0, n);
                return n;
            }
        });
    }
}
