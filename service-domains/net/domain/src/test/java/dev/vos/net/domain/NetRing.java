package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Accept;
import dev.vos.net.protocol.NetCalls.Bind;
import dev.vos.net.protocol.NetCalls.Connect;
import dev.vos.net.protocol.NetCalls.Getpeername;
import dev.vos.net.protocol.NetCalls.Getsockname;
import dev.vos.net.protocol.NetCalls.Recvfrom;
import dev.vos.net.protocol.NetCalls.Sendto;
import dev.vos.net.protocol.NetCalls.Socket;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.SegmentFiles;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.ClientCredentials;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerOptions;
import dev.vos.ring.transport.process.ProcessTransport;
import dev.vos.sys.Errno;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * One client session of a net table, in process: a real ring on a /dev/shm segment, a real server, real sockets on
 * the loopback interface. Calls go out through the protocol's encoders; this adds putting socket addresses into the
 * payload and reading answers back.
 */
final class NetRing implements AutoCloseable {

    private static final AtomicInteger SEGMENTS = new AtomicInteger();
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    final RingClient client;
    final RingServer server;

    NetRing(RingClient client, RingServer server) {
        this.client = client;
        this.server = server;
    }

    /** The table a net agent allowed to bind 127.0.0.1 and ::1 would serve, with {@code options} besides. */
    static CallTable table(Map<String, String> options) {
        CallTable.Builder b = CoreCallHandlers.register(CallTable.builder());
        Map<String, String> all = new HashMap<>(options);
        all.putIfAbsent(NetCallTableProvider.BIND, "127.0.0.1,::1");
        new NetCallTableProvider().register(b, all);
        return b.build();
    }

    static CallTable table() {
        return table(Map.of());
    }

    /** A new session of {@code table}, served by {@code workers} workers. */
    static NetRing open(CallTable table, int workers) throws Exception {
        return open(table, workers, Optional.empty());
    }

    /** A new session of {@code table} for {@code who}, as an agent would name its client, served by {@code workers}. */
    static NetRing open(CallTable table, int workers, Optional<ClientCredentials> who) throws Exception {
        Path file = SegmentFiles.path("test", "net-" + SEGMENTS.incrementAndGet());
        Files.deleteIfExists(file);
        RingClient client = RingClient.create(file, RingGeometry.DEFAULT, 1, WaitStrategy.sleeping());
        RingServer server = RingServer.attach(ProcessTransport.openFile(file), table,
                ServerOptions.DEFAULT.withWorkers(workers), who);
        client.awaitServer(Duration.ofSeconds(5));
        return new NetRing(client, server);
    }

    long socket(int family) throws Exception {
        return Socket.call(client, family, NetCalls.SOCK_STREAM);
    }

    long socket() throws Exception {
        return socket(SockaddrLayout.AF_INET);
    }

    long bind(long fd, InetSocketAddress address) throws Exception {
        try (CallSlot slot = client.acquire()) {
            int n = SockaddrLayout.encode(address, slot.data());
            return Bind.call(slot, fd, slot.dataOffset(), n);
        }
    }

    long connect(long fd, InetSocketAddress address, long flags) throws Exception {
        try (CallSlot slot = client.acquire()) {
            int n = SockaddrLayout.encode(address, slot.data());
            return Connect.call(slot, fd, slot.dataOffset(), n, flags);
        }
    }

    long bind(long fd, UnixDomainSocketAddress address) throws Exception {
        try (CallSlot slot = client.acquire()) {
            int n = SockaddrLayout.encode(address, slot.data());
            return Bind.call(slot, fd, slot.dataOffset(), n);
        }
    }

    long connect(long fd, UnixDomainSocketAddress address) throws Exception {
        try (CallSlot slot = client.acquire()) {
            int n = SockaddrLayout.encode(address, slot.data());
            return Connect.call(slot, fd, slot.dataOffset(), n, 0);
        }
    }

    /** A Unix domain socket's own ({@code peer} false) or peer's address. */
    UnixDomainSocketAddress unixAddress(long fd, boolean peer) throws Exception {
        try (CallSlot slot = client.acquire()) {
            long n = expectOk(peer ? Getpeername.call(slot, fd, slot.dataOffset(), SockaddrLayout.MAX_BYTES)
                    : Getsockname.call(slot, fd, slot.dataOffset(), SockaddrLayout.MAX_BYTES), "getsockname");
            return SockaddrLayout.decodeUnix(slot.data(), n);
        }
    }

    /** A listening socket on 127.0.0.1, any port: its number. */
    long listener() throws Exception {
        long fd = expectOk(socket(), "socket");
        expectOk(bind(fd, new InetSocketAddress(LOOPBACK, 0)), "bind");
        expectOk(NetCalls.Listen.call(client, fd, 16), "listen");
        return fd;
    }

    /** accept, with the peer's address: the new number (or -errno) and the address. */
    record Accepted(long fd, InetSocketAddress peer) {
    }

    Accepted accept(long fd, long flags) throws Exception {
        try (CallSlot slot = client.acquire()) {
            long r = Accept.call(slot, fd, slot.dataOffset(), SockaddrLayout.MAX_BYTES, flags);
            return new Accepted(r, r < 0 ? null : SockaddrLayout.decode(slot.data(), SockaddrLayout.MAX_BYTES));
        }
    }

    InetSocketAddress localAddress(long fd) throws Exception {
        try (CallSlot slot = client.acquire()) {
            long n = expectOk(Getsockname.call(slot, fd, slot.dataOffset(), SockaddrLayout.MAX_BYTES), "getsockname");
            return SockaddrLayout.decode(slot.data(), n);
        }
    }

    InetSocketAddress peerAddress(long fd) throws Exception {
        try (CallSlot slot = client.acquire()) {
            long n = expectOk(Getpeername.call(slot, fd, slot.dataOffset(), SockaddrLayout.MAX_BYTES), "getpeername");
            return SockaddrLayout.decode(slot.data(), n);
        }
    }

    long send(long fd, byte[] bytes, long flags) throws Exception {
        try (CallSlot slot = client.acquire()) {
            slot.data().copyFrom(MemorySegment.ofArray(bytes));
            return Sendto.call(slot, fd, slot.dataOffset(), bytes.length, flags, 0, 0);
        }
    }

    /** What one recvfrom of at most {@code max} bytes got, as text, or "-ERRNO". */
    String recv(long fd, int max, long flags) throws Exception {
        try (CallSlot slot = client.acquire()) {
            long n = Recvfrom.call(slot, fd, slot.dataOffset(), max, flags, 0, 0);
            return n < 0 ? Errno.describe(n) : new String(slot.data().asSlice(0, n).toArray(JAVA_BYTE));
        }
    }

    static long expectOk(long result, String what) {
        if (result < 0) {
            throw new AssertionError(what + ": " + Errno.describe(result));
        }
        return result;
    }

    /** Writes pollset or watch entries to {@code payload}: each descriptor and its events; revents -1, unwritten. */
    static void putEntries(MemorySegment payload, long[] fds, int[] events) {
        for (int i = 0; i < fds.length; i++) {
            long at = (long) i * NetCalls.POLLSET_ENTRY_BYTES;
            payload.set(JAVA_LONG_UNALIGNED, at + NetCalls.POLLSET_ENTRY_FD_OFFSET, fds[i]);
            payload.set(JAVA_INT_UNALIGNED, at + NetCalls.POLLSET_ENTRY_EVENTS_OFFSET, events[i]);
            payload.set(JAVA_INT_UNALIGNED, at + NetCalls.POLLSET_ENTRY_REVENTS_OFFSET, -1);
        }
    }

    /** {@code call} run on a virtual thread of its own: a call that waits in the domain, its answer awaited later. */
    static <T> CompletableFuture<T> onVirtualThread(Callable<T> call) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Thread::startVirtualThread);
    }

    /** Fails if {@code call} (named {@code what}) is answered within {@code ms}: it should still be waiting. */
    static void assertStillWaiting(CompletableFuture<?> call, String what, long ms) throws Exception {
        try {
            org.junit.jupiter.api.Assertions.fail(what + " should wait, and was answered "
                    + call.get(ms, TimeUnit.MILLISECONDS));
        } catch (TimeoutException expected) {
            // waiting, as it should
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
        server.awaitTermination();
    }
}
