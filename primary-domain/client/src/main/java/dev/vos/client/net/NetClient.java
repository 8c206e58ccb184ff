package dev.vos.client.net;

import dev.vos.client.DomainHandle;
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
import dev.vos.net.protocol.NetCalls.Pollset;
import dev.vos.net.protocol.NetCalls.Ready;
import dev.vos.net.protocol.NetCalls.Recvfrom;
import dev.vos.net.protocol.NetCalls.Sendto;
import dev.vos.net.protocol.NetCalls.Setsockopt;
import dev.vos.net.protocol.NetCalls.Shutdown;
import dev.vos.net.protocol.NetCalls.Socket;
import dev.vos.net.protocol.NetCalls.Wake;
import dev.vos.net.protocol.NetCalls.Waker;
import dev.vos.net.protocol.NetCalls.Watch;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.CallSource;
import dev.vos.sys.Errno;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The net calls as Java methods, for the channels: each takes a slot of the domain's ring, puts its address or bytes
 * in the slot's payload, issues the call through the protocol's encoder ({@link NetCalls}' nested classes) and
 * checks the answer. Every number the domain returns is untrusted: a count is checked against what was asked, an
 * address against the room given and the layout. A {@code -errno} answer throws what the default provider would
 * ({@link NetErrors}); a descriptor of an ended session throws {@code DescriptorLostException} through
 * {@link DomainHandle}, so that its number never reaches another session.
 */
final class NetClient {

    /** What a non-blocking receive or send answers when the domain said EAGAIN (a receive's 0 is the end). */
    static final int WOULD_BLOCK = -1;

    private final String domain;
    private final CallSource calls;
    /** Fires timed selects' wakes: one daemon thread for all of this client's selectors, made on first use. */
    private ScheduledThreadPoolExecutor timer;

    NetClient(final String domain, final CallSource calls) {
        this.domain = domain;
        this.calls = calls;
    }

    /** The result, or the exception for its errno. */
    private static long check(final long result, final String call) throws IOException {
        if (result < 0) {
            throw NetErrors.of((int) -result, call);
        }
        return result;
    }

    /** A count the domain answered: at most {@code asked}, else the domain is not believed. */
    private long checkCount(final long result, final long asked, final String call) throws IOException {
        final long n = check(result, call);
        if (n > asked) {
            throw new IOException("net domain " + domain + " answered " + call + " with " + n + " bytes for "
                    + asked + " asked: not believed");
        }
        return n;
    }

    DomainHandle socket(final int family) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long fd = check(Socket.call(slot, family, NetCalls.SOCK_STREAM), "socket");
            return DomainHandle.issuedBy(slot, DomainHandle.Kind.SOCKET, domain, fd);
        }
    }

    /** A UDP socket of {@code family}. */
    DomainHandle datagramSocket(final int family) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long fd = check(Socket.call(slot, family, NetCalls.SOCK_DGRAM), "socket");
            return DomainHandle.issuedBy(slot, DomainHandle.Kind.SOCKET, domain, fd);
        }
    }

    /** Room for a datagram's sockaddr, which is an IP one (a Unix domain socket is a stream in the domain). */
    private static final int DATAGRAM_ADDRESS_BYTES = SockaddrLayout.IN6_BYTES;

    /** The largest datagram a slot carries: its payload less the room for a sockaddr at its end. */
    private static int datagramRoom(final CallSlot slot) {
        return (int) slot.data().byteSize() - DATAGRAM_ADDRESS_BYTES;
    }

    /**
     * Sends all of {@code src} as one datagram to {@code target} (null: the connected peer); advances it. Waits for
     * room, unless {@code noWait}: then {@link #WOULD_BLOCK}, nothing sent.
     */
    int sendDatagram(final DomainHandle fd, final ByteBuffer src, final InetSocketAddress target,
                     final boolean noWait) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            final int want = src.remaining();
            final int room = datagramRoom(slot);
            if (want > room) {
                throw new IOException("Message too long: a datagram of " + want + " bytes; net domain " + domain
                        + " carries " + room + " at most (its ring's payload per slot)");
            }
            MemorySegment.copy(MemorySegment.ofBuffer(src), 0, slot.data(), 0, want);
            long r;
            if (target == null) {
                r = Sendto.call(slot, value, slot.dataOffset(), want, flags(noWait), 0, 0);
            } else {
                final int length = SockaddrLayout.encode(target, slot.data().asSlice(room));
                r = Sendto.call(slot, value, slot.dataOffset(), want, flags(noWait), slot.dataOffset() + room, length);
            }
            if (noWait && r == -Errno.EAGAIN) {
                return WOULD_BLOCK;
            }
            final int n = (int) checkCount(r, want, "sendto");
            src.position(src.position() + n);
            return n;
        }
    }

    /**
     * Receives one datagram into {@code dst} (what does not fit is discarded, as the kernel and the default provider
     * do) and returns its sender. Waits for one, unless {@code noWait}: then null when there is none.
     */
    InetSocketAddress receiveDatagram(final DomainHandle fd, final ByteBuffer dst, final boolean noWait)
            throws IOException {
        return receiveDatagram(fd, dst, noWait, false);
    }

    /** As {@link #receiveDatagram(DomainHandle, ByteBuffer, boolean)}; with {@code peek} the datagram stays queued. */
    InetSocketAddress receiveDatagram(final DomainHandle fd, final ByteBuffer dst, final boolean noWait,
                                      final boolean peek) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            final int room = datagramRoom(slot);
            final int want = Math.min(dst.remaining(), room);
            final long flags = flags(noWait) | (peek ? NetCalls.PEEK : 0);
            final long r = Recvfrom.call(slot, value, slot.dataOffset(), want, flags,
                    slot.dataOffset() + room, DATAGRAM_ADDRESS_BYTES);
            if (noWait && r == -Errno.EAGAIN) {
                return null;
            }
            final int n = (int) checkCount(r, want, "recvfrom");
            final InetSocketAddress sender = inetAddress(slot.data().asSlice(room), DATAGRAM_ADDRESS_BYTES,
                    "recvfrom");
            MemorySegment.copy(slot.data(), 0, MemorySegment.ofBuffer(dst), 0, n);
            dst.position(dst.position() + n);
            return sender;
        }
    }

    /** Dissolves a UDP socket's peer (a connect to {@code AF_UNSPEC}). */
    void disconnect(final DomainHandle fd) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            slot.data().asSlice(0, DATAGRAM_ADDRESS_BYTES).fill((byte) 0); // family 0: AF_UNSPEC
            check(Connect.call(slot, value, slot.dataOffset(), DATAGRAM_ADDRESS_BYTES, 0), "connect");
        }
    }

    /** Binds {@code fd} to {@code local}, an IP or a Unix domain socket address (empty: the domain names it). */
    void bind(final DomainHandle fd, final SocketAddress local) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            final int length = encode(local, slot.data());
            check(Bind.call(slot, value, slot.dataOffset(), length), "bind");
        }
    }

    private static int encode(final SocketAddress address, final MemorySegment to) throws IOException {
        try {
            return address instanceof UnixDomainSocketAddress unix ? SockaddrLayout.encode(unix, to)
                    : SockaddrLayout.encode((InetSocketAddress) address, to);
        } catch (IllegalArgumentException e) {
            throw new SocketException(e.getMessage()); // a path too long for sun_path, as the default provider's
        }
    }

    void listen(final DomainHandle fd, final int backlog) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            check(Listen.call(slot, fd.valueFor(slot), backlog), "listen");
        }
    }

    /**
     * A connection taken off {@code fd}, a listener of {@code family}: its descriptor and peer. Waits (in the domain)
     * for one, unless {@code noWait}: then null when there is none.
     */
    Accepted accept(final DomainHandle fd, final boolean noWait, final int family) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            final long r = Accept.call(slot, value, slot.dataOffset(), SockaddrLayout.MAX_BYTES, flags(noWait));
            if (noWait && r == -Errno.EAGAIN) {
                return null;
            }
            final long taken = check(r, "accept");
            final DomainHandle accepted = DomainHandle.issuedBy(slot, DomainHandle.Kind.SOCKET, domain, taken);
            // The peer as accept4 wrote it, not a getpeername after: a connection reset while it waited in the
            // backlog is still taken, and has no peer any more (ENOTCONN), but the default provider names it so.
            final SocketAddress peer = family == SockaddrLayout.AF_UNIX ? unixPeer(slot.data())
                    : SockaddrLayout.decode(slot.data(), SockaddrLayout.MAX_BYTES);
            if (peer == null) {
                close(accepted);
                throw new IOException("net domain " + domain + " answered accept with a peer address that is no"
                        + " sockaddr of the listener's family");
            }
            return new Accepted(accepted, peer);
        }
    }

    /**
     * An accepted Unix connection's peer, from the sockaddr_un accept wrote (its length is not answered): the peer's
     * path, or the empty one when sun_path starts with NUL (an unnamed peer: the domain zeroes what it did not write).
     */
    private static UnixDomainSocketAddress unixPeer(final MemorySegment from) {
        return from.get(JAVA_BYTE, SockaddrLayout.UN_PATH_OFFSET) == 0
                ? UnixDomainSocketAddress.of("") : SockaddrLayout.decodeUnix(from, SockaddrLayout.UN_BYTES);
    }

    private static long flags(final boolean noWait) {
        return noWait ? NetCalls.NO_WAIT : 0;
    }

    /** A connection accept took, and its peer's address as accept found it. */
    record Accepted(DomainHandle fd, SocketAddress peer) {
    }

    /**
     * Connects {@code fd}; waits (in the domain) until the connection is made or refused, unless {@code noWait}:
     * then false while it is in progress ({@link #finishConnect} says when it is done).
     */
    boolean connect(final DomainHandle fd, final SocketAddress remote, final boolean noWait)
            throws IOException {
        long backoffMs = 1;
        while (true) {
            final long r;
            try (CallSlot slot = calls.acquire()) {
                final long value = fd.valueFor(slot);
                final int length = encode(remote, slot.data());
                r = Connect.call(slot, value, slot.dataOffset(), length, flags(noWait));
            }
            if (noWait && r == -Errno.EINPROGRESS) {
                return false;
            }
            if (noWait || r != -Errno.EAGAIN || !(remote instanceof UnixDomainSocketAddress)) {
                check(r, "connect"); // a non-blocking connect to a full Unix backlog fails at once, as the kernel's
                return true;
            }
            // A Unix listener's backlog is full. The kernel would sleep a blocking connect until there is room, and
            // no readiness edge of this socket says when: try again, backing off to 50 ms, as lock() waits.
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the channel's interruptor closes it; end() throws for that
                throw new SocketException("connect interrupted");
            }
            backoffMs = Math.min(backoffMs * 2, 50);
        }
    }

    /**
     * Whether a connect in progress on {@code fd} is done (waiting for it unless {@code noWait}): true once made,
     * false while in progress; its failure as the exception a blocking connect would have thrown.
     */
    boolean finishConnect(final DomainHandle fd, final boolean noWait) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            if (check(Poll.call(slot, value, NetCalls.POLLOUT, flags(noWait)), "poll") == 0) {
                return false;
            }
            final long error = check(Getsockopt.call(slot, value, NetCalls.OPT_SO_ERROR), "getsockopt");
            if (error != 0) {
                throw NetErrors.of((int) Math.min(error, Integer.MAX_VALUE), "connect");
            }
            return true;
        }
    }

    /**
     * Sends at most one payload chunk of the bytes remaining in {@code srcs[offset, offset + length)}, gathered in
     * order: one call however many buffers; advances them by the bytes sent. Waits for room, unless {@code noWait}:
     * then {@link #WOULD_BLOCK} when there is none.
     */
    int send(final DomainHandle fd, final ByteBuffer[] srcs, final int offset, final int length,
             final boolean noWait) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            final int want = ScatterGather.gather(srcs, offset, length, slot.data());
            final long r = Sendto.call(slot, value, slot.dataOffset(), want, flags(noWait), 0, 0);
            if (noWait && r == -Errno.EAGAIN) {
                return WOULD_BLOCK;
            }
            final int n = (int) checkCount(r, want, "sendto");
            ScatterGather.consumed(srcs, offset, length, n);
            return n;
        }
    }

    /**
     * Sends the low byte of {@code data} as TCP urgent data ({@code MSG_OOB}), never waiting for room: with none, a
     * {@code SocketException} "No buffer space available", and for any other errno an {@code IOException}, as the
     * default provider's {@code sendUrgentData} throws.
     */
    void sendUrgent(final DomainHandle fd, final int data) throws IOException {
        final long r;
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            slot.data().set(JAVA_BYTE, 0, (byte) data);
            r = Sendto.call(slot, value, slot.dataOffset(), 1, NetCalls.NO_WAIT | NetCalls.URGENT, 0, 0);
        }
        if (r == -Errno.EAGAIN) {
            throw new SocketException("No buffer space available");
        }
        if (r < 0) {
            // The default provider's sendOOB throws a plain IOException for every other errno (EPIPE above all).
            throw new IOException(NetErrors.of((int) -r, "sendto").getMessage());
        }
        checkCount(r, 1, "sendto");
    }

    /**
     * Receives at most one payload chunk, scattered in order over {@code dsts[offset, offset + length)}: one call
     * however many buffers; the bytes (0: the end). Waits for some, unless {@code noWait}: then {@link #WOULD_BLOCK}
     * when there are none.
     */
    int receive(final DomainHandle fd, final ByteBuffer[] dsts, final int offset, final int length,
                final boolean noWait) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            final int want = (int) Math.min(ScatterGather.remaining(dsts, offset, length), slot.data().byteSize());
            final long r = Recvfrom.call(slot, value, slot.dataOffset(), want, flags(noWait), 0, 0);
            if (noWait && r == -Errno.EAGAIN) {
                return WOULD_BLOCK;
            }
            final int n = (int) checkCount(r, want, "recvfrom");
            ScatterGather.scatter(slot.data(), n, dsts, offset, length);
            return n;
        }
    }

    /** Bytes received on {@code fd} and not read yet (the domain's SIOCINQ), at most {@code Integer.MAX_VALUE}. */
    int available(final DomainHandle fd) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            return (int) Math.min(Integer.MAX_VALUE, check(Available.call(slot, fd.valueFor(slot)), "available"));
        }
    }

    void shutdown(final DomainHandle fd, final int how) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            check(Shutdown.call(slot, fd.valueFor(slot), how), "shutdown");
        }
    }

    /** Closes {@code fd} in its session; a descriptor whose session has ended is gone already. */
    void close(final DomainHandle fd) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            if (!fd.isLiveOn(slot)) {
                return;
            }
            check(Close.call(slot, fd.valueFor(slot)), "close");
        }
    }

    /**
     * A multicast membership call: {@code op} ({@code NetCalls.MEMBERSHIP_*}) on {@code group} from {@code source}
     * (null: any) on the interface of {@code index}.
     */
    void membership(final DomainHandle fd, final int op, final InetAddress group, final InetAddress source,
                    final int index) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            Membership.request(slot.data(), group, source);
            check(Membership.call(slot, value, op, slot.dataOffset(), NetCalls.MEMBERSHIP_BYTES, index), "membership");
        }
    }

    void setOption(final DomainHandle fd, final int option, final long value) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            check(Setsockopt.call(slot, fd.valueFor(slot), option, value), "setsockopt");
        }
    }

    long getOption(final DomainHandle fd, final int option) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            return check(Getsockopt.call(slot, fd.valueFor(slot), option), "getsockopt");
        }
    }

    /** The socket's own IP address (getsockname). */
    InetSocketAddress localAddress(final DomainHandle fd) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long n = Getsockname.call(slot, fd.valueFor(slot), slot.dataOffset(), SockaddrLayout.MAX_BYTES);
            return inetAddress(slot.data(), checkCount(n, SockaddrLayout.MAX_BYTES, "getsockname"), "getsockname");
        }
    }

    /** A Unix domain socket's own address (getsockname): the empty path for an unnamed one. */
    UnixDomainSocketAddress unixLocalAddress(final DomainHandle fd) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long n = Getsockname.call(slot, fd.valueFor(slot), slot.dataOffset(), SockaddrLayout.MAX_BYTES);
            final long length = checkCount(n, SockaddrLayout.MAX_BYTES, "getsockname");
            final UnixDomainSocketAddress decoded = SockaddrLayout.decodeUnix(slot.data(), length);
            if (decoded == null) {
                throw new IOException("net domain " + domain + " answered getsockname with " + length
                        + " bytes that are no sockaddr_un");
            }
            return decoded;
        }
    }

    private InetSocketAddress inetAddress(final MemorySegment from, final long length, final String call)
            throws IOException {
        final InetSocketAddress decoded = SockaddrLayout.decode(from, length);
        if (decoded == null) {
            throw new IOException("net domain " + domain + " answered " + call + " with " + length
                    + " bytes that are no sockaddr_in or sockaddr_in6");
        }
        return decoded;
    }

    /** The ring the channels' calls go through (the selector holds a slot of it for a whole select). */
    CallSource calls() {
        return calls;
    }

    /** The domain's name, for messages. */
    String domain() {
        return domain;
    }

    /** A new waker of the session {@code slot} is of. */
    DomainHandle waker(final CallSlot slot) throws IOException {
        final long fd = check(Waker.call(slot), "waker");
        return DomainHandle.issuedBy(slot, DomainHandle.Kind.SOCKET, domain, fd);
    }

    /** Makes {@code waker} readable: a ready or pollset waiting on it answers. */
    void wake(final DomainHandle waker) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            check(Wake.call(slot, waker.valueFor(slot)), "wake");
        }
    }

    /**
     * One pollset over the {@code count} entries already in {@code slot}'s payload: the number found ready, or 0
     * ({@code noWait}, or a wake). The domain wrote each entry's events found beside it.
     */
    long pollset(final CallSlot slot, final int count, final boolean noWait) throws IOException {
        return checkCount(Pollset.call(slot, slot.dataOffset(), count, flags(noWait)), count, "pollset");
    }

    /**
     * One watch of {@code waker}'s interest set by the {@code count} entries already in {@code slot}'s payload: the
     * number applied. The domain wrote each entry's revents beside it (0, or POLLNVAL: not a socket of the session).
     */
    long watch(final CallSlot slot, final DomainHandle waker, final int count) throws IOException {
        return checkCount(Watch.call(slot, waker.valueFor(slot), slot.dataOffset(), count), count, "watch");
    }

    /**
     * One ready of {@code waker}'s interest set, at most {@code room} entries written to {@code slot}'s payload: the
     * number written, or 0 ({@code noWait}).
     */
    long ready(final CallSlot slot, final DomainHandle waker, final int room, final boolean noWait)
            throws IOException {
        return checkCount(Ready.call(slot, waker.valueFor(slot), slot.dataOffset(), room, flags(noWait)), room,
                "ready");
    }

    /** The timer timed selects schedule their wakes on. */
    synchronized ScheduledThreadPoolExecutor timer() {
        if (timer == null) {
            timer = new ScheduledThreadPoolExecutor(1, task -> Thread.ofPlatform().daemon()
                    .name("vos-net-select-timer").unstarted(task));
            timer.setRemoveOnCancelPolicy(true);
            timer.setKeepAliveTime(1, java.util.concurrent.TimeUnit.SECONDS);
            timer.allowCoreThreadTimeOut(true); // no thread left behind by a program that stopped selecting
        }
        return timer;
    }
}
