package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.client.CallSlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.vos.net.domain.NetRing.LOOPBACK;
import static dev.vos.net.domain.NetRing.expectOk;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every net call with arguments a client could send by mistake or on purpose: random numbers, descriptors of its
 * own, payload ranges at and past the edges, socket addresses of every length and garbage. The domain answers each
 * with a value or an errno (never a crash, a handler that throws, or a worker held), and serves on afterwards.
 *
 * <p>Loopback only, and nothing outside this test reachable: the one well-formed address in the payload is a port
 * this test holds bound and not listening (so every connect to it is refused), and the garbage around it is drawn
 * from bytes that can never read as the family AF_INET or AF_INET6 (no 0x02, no 0x0a), so no random bytes can name
 * a host elsewhere. listen is left out: nothing can connect, so no call can wait for a peer forever.
 */
@Timeout(120)
class HostileArgumentsTest {

    private static final int ROUNDS = 5_000;
    private static final int PAYLOAD = 64;

    @Test
    void arbitraryArguments_getAnAnswer_andTheDomainServesOn() throws Exception {
        SplittableRandom random = new SplittableRandom(64_77);
        try (Socket holder = new Socket();
             NetRing ring = NetRing.open(NetRing.table(Map.of(NetCallTableProvider.MAX_SOCKETS_PER_SESSION, "64")),
                     2)) {
            holder.bind(new InetSocketAddress(LOOPBACK, 0));
            InetSocketAddress held = (InetSocketAddress) holder.getLocalSocketAddress();
            long fresh = expectOk(ring.socket(), "socket");
            long bound = expectOk(ring.socket(), "socket");
            expectOk(ring.bind(bound, new InetSocketAddress(LOOPBACK, 0)), "bind");
            for (int i = 0; i < ROUNDS; i++) {
                int call = NetCalls.SOCKET + random.nextInt(NetCalls.LAST - NetCalls.SOCKET + 1);
                if (call == NetCalls.LISTEN) {
                    call = NetCalls.GETSOCKNAME;
                }
                try (CallSlot slot = ring.client.acquire()) {
                    fillPayload(slot.data(), held, random);
                    long[] args = new long[6];
                    for (int a = 0; a < 6; a++) {
                        args[a] = argument(random, slot, fresh, bound);
                    }
                    long r = slot.call(call, args[0], args[1], args[2], args[3], args[4], args[5]);
                    assertTrue(r >= -4095, "call " + call + " answered " + r);
                }
            }
            assertEquals(0, ring.server.handlerFailures(), "no handler threw");
            assertEquals(0, ring.client.call(CoreCalls.NOP), "the domain still serves");
        }
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long listener = ring.listener();
            try (Socket peer = new Socket(LOOPBACK, ring.localAddress(listener).getPort())) {
                long fd = expectOk(ring.accept(listener, 0).fd(), "accept");
                peer.getOutputStream().write("still".getBytes(StandardCharsets.US_ASCII));
                assertEquals("still", ring.recv(fd, 5, 0), "and serves sockets as before");
            }
        }
    }

    /**
     * Unix domain sockets given paths a client could write: the domain's directory or the one above it, with random
     * names after it ({@code ..}, {@code /}, NUL, newlines and any byte among them), random bytes, every length.
     * Whatever each call answers, nothing is made outside the directory, and the domain serves on.
     */
    @Test
    void arbitraryUnixPaths_makeNothingOutsideTheDirectory(@TempDir Path root) throws Exception {
        Path dir = Files.createDirectory(root.resolve("unix"));
        SplittableRandom random = new SplittableRandom(64_78);
        try (NetRing ring = NetRing.open(NetRing.table(Map.of(NetCallTableProvider.UNIX, dir.toString(),
                NetCallTableProvider.MAX_SOCKETS_PER_SESSION, "64")), 2)) {
            long fresh = expectOk(ring.socket(SockaddrLayout.AF_UNIX), "socket");
            long bound = expectOk(ring.socket(SockaddrLayout.AF_UNIX), "socket");
            expectOk(ring.bind(bound, UnixDomainSocketAddress.of(dir.resolve("bound.sock"))), "bind");
            List<Integer> calls = List.of(NetCalls.SOCKET, NetCalls.BIND, NetCalls.CONNECT, NetCalls.GETSOCKNAME,
                    NetCalls.GETPEERNAME, NetCalls.CLOSE, NetCalls.SENDTO, NetCalls.RECVFROM, NetCalls.ACCEPT);
            int made = 0;
            for (int i = 0; i < ROUNDS; i++) {
                int call = calls.get(random.nextInt(calls.size()));
                long r;
                try (CallSlot slot = ring.client.acquire()) {
                    fillUnixPayload(slot.data(), dir, random);
                    // Shaped as a bind or connect half the time (its socket, the payload, a sockaddr's length),
                    // so that a path the policy let through by mistake would be bound, not refused for its form.
                    long[] args = new long[6];
                    for (int a = 0; a < 6; a++) {
                        args[a] = argument(random, slot, fresh, bound);
                    }
                    args[0] = random.nextBoolean() ? fresh : args[0];
                    args[1] = random.nextBoolean() ? slot.dataOffset() : args[1];
                    args[2] = random.nextBoolean() ? random.nextInt(SockaddrLayout.UN_BYTES + 8) : args[2];
                    if (call == NetCalls.SOCKET) {
                        args[0] = random.nextBoolean() ? SockaddrLayout.AF_UNIX : args[0];
                    }
                    if (call == NetCalls.ACCEPT || call == NetCalls.RECVFROM) {
                        args[3] |= NetCalls.NO_WAIT; // nothing connects: a waiting call would wait for good
                    }
                    r = slot.call(call, args[0], args[1], args[2], args[3], args[4], args[5]);
                    assertTrue(r >= -4095, "call " + call + " answered " + r);
                }
                if (call == NetCalls.BIND && r == 0) {
                    made++;
                    assertNothingOutside(root, dir); // now: the domain removes a name when its socket closes
                }
                if (call == NetCalls.BIND && r == 0 || call == NetCalls.CLOSE && r == 0) {
                    NetCalls.Close.call(ring.client, fresh);
                    fresh = expectOk(ring.socket(SockaddrLayout.AF_UNIX), "socket"); // a fresh one to bind again
                }
            }
            assertTrue(made > 0, "some binds in the directory succeeded: the calls were shaped well enough");
            assertEquals(0, ring.server.handlerFailures(), "no handler threw");
            assertEquals(0, ring.client.call(CoreCalls.NOP), "the domain still serves");
        }
        assertNothingOutside(root, dir);
    }

    private static void assertNothingOutside(Path root, Path dir) throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            List<Path> outside = all.filter(p -> !p.equals(root) && !p.equals(dir) && !dir.equals(p.getParent()))
                    .toList();
            assertEquals(List.of(), outside, "made outside the directory, or below it");
        }
    }

    /** A sockaddr_un, or garbage: the family, then the directory and random bytes, or random bytes alone. */
    private static void fillUnixPayload(MemorySegment data, Path dir, SplittableRandom random) {
        byte[] alphabet = {'/', '.', '.', 0, '\n', 'a', 'b', (byte) 0xff, ' '};
        for (int i = 0; i < 128; i++) {
            data.set(JAVA_BYTE, i, random.nextBoolean() ? alphabet[random.nextInt(alphabet.length)]
                    : (byte) random.nextInt(256));
        }
        if (random.nextInt(4) != 0) {
            data.set(JAVA_BYTE, 0, (byte) SockaddrLayout.AF_UNIX);
            data.set(JAVA_BYTE, 1, (byte) 0);
            int start = random.nextInt(3);
            if (start > 0) {
                // the directory, or the one above it (a sibling of the directory: outside it), then random bytes
                Path from = start == 1 ? dir : dir.getParent();
                byte[] prefix = (from + (random.nextInt(4) != 0 ? "/" : "")).getBytes(StandardCharsets.UTF_8);
                MemorySegment.copy(prefix, 0, data, JAVA_BYTE, SockaddrLayout.UN_PATH_OFFSET, prefix.length);
                // a short name, mostly NUL-terminated: what the policy must judge, not the length
                int at = SockaddrLayout.UN_PATH_OFFSET + prefix.length + 1 + random.nextInt(4);
                if (random.nextInt(4) != 0) {
                    data.set(JAVA_BYTE, at, (byte) 0);
                }
            }
        }
    }

    /** The payload: the held address at the start half of the time, garbage that names no family around it. */
    private static void fillPayload(MemorySegment data, InetSocketAddress held, SplittableRandom random) {
        for (int i = 0; i < PAYLOAD; i++) {
            byte b;
            do {
                b = (byte) random.nextInt(256);
            } while (b == SockaddrLayout.AF_INET || b == SockaddrLayout.AF_INET6);
            data.set(JAVA_BYTE, i, b);
        }
        if (random.nextBoolean()) {
            SockaddrLayout.encode(held, data);
        }
    }

    private static long argument(SplittableRandom random, CallSlot slot, long fresh, long bound) {
        return switch (random.nextInt(14)) {
            case 0 -> slot.dataOffset();
            case 1 -> SockaddrLayout.IN_BYTES;
            case 2 -> random.nextLong();
            case 3 -> random.nextInt(PAYLOAD);
            case 4 -> -1;
            case 5 -> Long.MIN_VALUE;
            case 6 -> Long.MAX_VALUE;
            case 7 -> fresh;
            case 8 -> bound;
            case 9 -> 1L << random.nextInt(64);
            case 10 -> slot.dataOffset() + slot.data().byteSize() - random.nextInt(64);
            case 11 -> slot.dataOffset() + random.nextInt(PAYLOAD);
            case 12 -> random.nextInt(4);
            default -> 0;
        };
    }
}
