package dev.vos.client.net;

import dev.vos.client.DomainHandle;
import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Accept;
import dev.vos.net.protocol.NetCalls.Bind;
import dev.vos.net.protocol.NetCalls.Close;
import dev.vos.net.protocol.NetCalls.Connect;
import dev.vos.net.protocol.NetCalls.Getpeername;
import dev.vos.net.protocol.NetCalls.Getsockname;
import dev.vos.net.protocol.NetCalls.Getsockopt;
import dev.vos.net.protocol.NetCalls.Listen;
import dev.vos.net.protocol.NetCalls.Recvfrom;
import dev.vos.net.protocol.NetCalls.Sendto;
import dev.vos.net.protocol.NetCalls.Setsockopt;
import dev.vos.net.protocol.NetCalls.Shutdown;
import dev.vos.net.protocol.NetCalls.Socket;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.CallSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The net calls as Java methods, for the channels: each takes a slot of the domain's ring, puts its address or bytes
 * in the slot's payload, issues the call through the protocol's encoder ({@link NetCalls}' nested classes) and
 * checks the answer. Every number the domain returns is untrusted: a count is checked against what was asked, an
 * address against the room given and the layout. A {@code -errno} answer throws what the default provider would
 * ({@link NetErrors}); a descriptor of an ended session throws {@code DescriptorLostException} through
 * {@link DomainHandle}, so that its number never reaches another session.
 */
final class NetClient {

    private final String domain;
    private final CallSource calls;

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

    void bind(final DomainHandle fd, final InetSocketAddress local) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            final int length = SockaddrLayout.encode(local, slot.data());
            check(Bind.call(slot, value, slot.dataOffset(), length), "bind");
        }
    }

    void listen(final DomainHandle fd, final int backlog) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            check(Listen.call(slot, fd.valueFor(slot), backlog), "listen");
        }
    }

    /** A connection taken off {@code fd}: its descriptor and peer. Waits (in the domain) for one. */
    Accepted accept(final DomainHandle fd) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            final long taken = check(Accept.call(slot, value, slot.dataOffset(), SockaddrLayout.MAX_BYTES, 0),
                    "accept");
            return new Accepted(DomainHandle.issuedBy(slot, DomainHandle.Kind.SOCKET, domain, taken));
        }
    }

    /** A connection accept took. */
    record Accepted(DomainHandle fd) {
    }

    /** Connects {@code fd}; waits (in the domain) until the connection is made or refused. */
    void connect(final DomainHandle fd, final InetSocketAddress remote) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            final int length = SockaddrLayout.encode(remote, slot.data());
            check(Connect.call(slot, value, slot.dataOffset(), length, 0), "connect");
        }
    }

    /** Sends at most one payload chunk of {@code src}; advances it by the bytes sent. Waits for room. */
    int send(final DomainHandle fd, final ByteBuffer src) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            final int want = (int) Math.min(src.remaining(), slot.data().byteSize());
            MemorySegment.copy(MemorySegment.ofBuffer(src), 0, slot.data(), 0, want);
            final int n = (int) checkCount(Sendto.call(slot, value, slot.dataOffset(), want, 0, 0, 0), want,
                    "sendto");
            src.position(src.position() + n);
            return n;
        }
    }

    /** Receives at most one payload chunk into {@code dst}; the bytes (0: the end). Waits for some. */
    int receive(final DomainHandle fd, final ByteBuffer dst) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long value = fd.valueFor(slot);
            final int want = (int) Math.min(dst.remaining(), slot.data().byteSize());
            final int n = (int) checkCount(Recvfrom.call(slot, value, slot.dataOffset(), want, 0, 0, 0), want,
                    "recvfrom");
            MemorySegment.copy(slot.data(), 0, MemorySegment.ofBuffer(dst), 0, n);
            dst.position(dst.position() + n);
            return n;
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

    InetSocketAddress localAddress(final DomainHandle fd) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long n = Getsockname.call(slot, fd.valueFor(slot), slot.dataOffset(), SockaddrLayout.MAX_BYTES);
            return address(slot, checkCount(n, SockaddrLayout.MAX_BYTES, "getsockname"), "getsockname");
        }
    }

    InetSocketAddress remoteAddress(final DomainHandle fd) throws IOException {
        try (CallSlot slot = calls.acquire()) {
            final long n = Getpeername.call(slot, fd.valueFor(slot), slot.dataOffset(), SockaddrLayout.MAX_BYTES);
            return address(slot, checkCount(n, SockaddrLayout.MAX_BYTES, "getpeername"), "getpeername");
        }
    }

    private InetSocketAddress address(final CallSlot slot, final long length, final String call)
            throws IOException {
        final InetSocketAddress decoded = SockaddrLayout.decode(slot.data(), length);
        if (decoded == null) {
            throw new IOException("net domain " + domain + " answered " + call + " with " + length
                    + " bytes that are no sockaddr_in or sockaddr_in6");
        }
        return decoded;
    }
}
