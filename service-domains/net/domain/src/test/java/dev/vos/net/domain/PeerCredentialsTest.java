package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Getsockopt;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.ClientCredentials;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.vos.net.domain.NetRing.expectOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SO_PEERCRED of a client's Unix domain socket names the peer's user and group. Between two clients of the domain,
 * the kernel alone would name the domain's own user for both (every socket here is the domain's): the answer is the
 * other client's, as its agent named it. A peer outside the domain is what the kernel says. Real sockets, real
 * sock_diag, and real processes outside.
 */
@Timeout(60)
class PeerCredentialsTest {

    /** Two clients, neither of them the domain's user (root, here), nor each other's. */
    private static final ClientCredentials ALICE = new ClientCredentials(0, 1001, 2001);
    private static final ClientCredentials BOB = new ClientCredentials(0, 1002, 2002);
    private static final int NOBODY = 65534;

    private static long peer(NetRing ring, long fd) throws Exception {
        return Getsockopt.call(ring.client, fd, NetCalls.OPT_SO_PEERCRED);
    }

    private static long answer(ClientCredentials c) {
        return NetCalls.peerCredentials(c.uid(), c.gid());
    }

    /** A fresh directory for the domain's Unix sockets, writable by its user only, as the domain demands. */
    private static Path openDirectory() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "vos-peers-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    private static long unixSocket(NetRing ring) throws Exception {
        return expectOk(ring.socket(SockaddrLayout.AF_UNIX), "socket");
    }

    @Test
    void twoClientsOfTheDomain_areNamedAsTheirAgentNamedThem() throws Exception {
        Path dir = openDirectory();
        CallTable table = NetRing.table(Map.of(NetCallTableProvider.UNIX, dir.toString()));
        try (NetRing alice = NetRing.open(table, 1, Optional.of(ALICE));
             NetRing bob = NetRing.open(table, 1, Optional.of(BOB))) {
            long listener = unixSocket(alice);
            expectOk(alice.bind(listener, UnixDomainSocketAddress.of(dir.resolve("alice.sock"))), "bind");
            long unconnected = unixSocket(bob);
            assertEquals(-Errno.EINVAL, peer(bob, unconnected), "no peer yet: EINVAL, as the kernel's -1 reads");
            expectOk(NetCalls.Listen.call(alice.client, listener, 4), "listen");
            assertEquals(-Errno.EINVAL, peer(alice, listener), "a listener has no peer (the kernel names itself)");

            long connector = unixSocket(bob);
            expectOk(bob.connect(connector, UnixDomainSocketAddress.of(dir.resolve("alice.sock"))), "connect");
            assertEquals(answer(ALICE), peer(bob, connector), "before the accept: the listener's client");

            long accepted = expectOk(alice.accept(listener, 0).fd(), "accept");
            assertEquals(answer(BOB), peer(alice, accepted), "the connecting client, not the domain's user");
            assertEquals(answer(ALICE), peer(bob, connector), "after the accept: the accepting client");

            assertEquals(-Errno.EBADF, peer(bob, accepted), "alice's number is nothing of bob's");
            assertEquals(-Errno.ENOPROTOOPT, NetCalls.Setsockopt.call(bob.client, connector,
                    NetCalls.OPT_SO_PEERCRED, NetCalls.peerCredentials(0, 0)), "a forged set: nothing to set");
            assertEquals(answer(ALICE), peer(bob, connector), "and the answer is unchanged");
            long tcp = expectOk(bob.socket(), "socket");
            assertEquals(-Errno.ENOPROTOOPT, peer(bob, tcp), "an IP socket has no peer credentials");

            // What the domain does not remember (docs/network.md): a peer in the domain that closed before the
            // option was read cannot be named (the kernel would still name it); never the domain's own user.
            expectOk(NetCalls.Close.call(bob.client, connector), "close");
            assertEquals(-Errno.ESRCH, peer(alice, accepted), "a closed peer of the domain's: ESRCH");
        } finally {
            deleteAll(dir);
        }
    }

    /**
     * The kernel gives an accepted connection its inode inside accept4, a moment before the domain notes whose it is.
     * A peer's read of the option in that moment must wait for the note, not find an inode nobody owns and answer
     * ESRCH (seen once in CI, through the control plane's test of two users). Alice accepts on one worker while Bob
     * connects and reads at once on another, again and again.
     */
    @Test
    void aReadDuringTheAccept_waitsForTheNote_neverEsrch() throws Exception {
        Path dir = openDirectory();
        CallTable table = NetRing.table(Map.of(NetCallTableProvider.UNIX, dir.toString()));
        int rounds = 300;
        try (NetRing alice = NetRing.open(table, 1, Optional.of(ALICE));
             NetRing bob = NetRing.open(table, 1, Optional.of(BOB))) {
            UnixDomainSocketAddress at = UnixDomainSocketAddress.of(dir.resolve("race.sock"));
            long listener = unixSocket(alice);
            expectOk(alice.bind(listener, at), "bind");
            expectOk(NetCalls.Listen.call(alice.client, listener, rounds), "listen");
            CompletableFuture<Void> acceptor = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < rounds; i++) {
                        expectOk(alice.accept(listener, 0).fd(), "accept"); // kept open: a closed peer is ESRCH
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int i = 0; i < rounds; i++) {
                long connector = unixSocket(bob);
                expectOk(bob.connect(connector, at), "connect");
                assertEquals(answer(ALICE), peer(bob, connector), "round " + i);
            }
            acceptor.get(30, TimeUnit.SECONDS);
        } finally {
            deleteAll(dir);
        }
    }

    /**
     * A connection not yet accepted has no other end to look up: its listener is found among those bound to the name
     * its peer has, not by asking about every listener of the domain, which a client could fill with its own.
     */
    @Test
    void aPendingConnectionsListener_isFoundByName_notByAskingEveryListener() throws Exception {
        Path dir = openDirectory();
        NetHandlers handlers = new NetHandlers(BindPolicy.parse("127.0.0.1"), UnixPaths.parse(dir.toString()), 1024,
                new Readiness());
        CallTable.Builder builder = CoreCallHandlers.register(CallTable.builder());
        handlers.register(builder);
        CallTable table = builder.build();
        int listeners = 24;
        try (NetRing alice = NetRing.open(table, 1, Optional.of(ALICE));
             NetRing bob = NetRing.open(table, 1, Optional.of(BOB))) {
            long[] connectors = new long[listeners];
            for (int i = 0; i < listeners; i++) {
                UnixDomainSocketAddress at = UnixDomainSocketAddress.of(dir.resolve("l" + i + ".sock"));
                long listener = unixSocket(alice);
                expectOk(alice.bind(listener, at), "bind");
                expectOk(NetCalls.Listen.call(alice.client, listener, 4), "listen");
                connectors[i] = unixSocket(bob);
                expectOk(bob.connect(connectors[i], at), "connect");
            }
            long before = handlers.peers().questions();
            assertEquals(answer(ALICE), peer(bob, connectors[listeners / 2]), "pending on one of alice's listeners");
            assertEquals(2, handlers.peers().questions() - before,
                    "its peer, then the one listener of its peer's name: not all " + listeners);
        } finally {
            deleteAll(dir);
        }
    }

    @Test
    void aClientThatCannotBeNamed_isNotNamedAsTheDomain() throws Exception {
        Path dir = openDirectory();
        CallTable table = NetRing.table(Map.of(NetCallTableProvider.UNIX, dir.toString()));
        try (NetRing unnamed = NetRing.open(table, 1, Optional.empty());
             NetRing bob = NetRing.open(table, 1, Optional.of(BOB))) {
            long listener = unixSocket(unnamed);
            expectOk(unnamed.bind(listener, UnixDomainSocketAddress.of(dir.resolve("x.sock"))), "bind");
            expectOk(NetCalls.Listen.call(unnamed.client, listener, 4), "listen");
            long connector = unixSocket(bob);
            expectOk(bob.connect(connector, UnixDomainSocketAddress.of(dir.resolve("x.sock"))), "connect");
            assertEquals(-Errno.ESRCH, peer(bob, connector), "ESRCH, never the domain's own user");
            long accepted = expectOk(unnamed.accept(listener, 0).fd(), "accept");
            assertEquals(answer(BOB), peer(unnamed, accepted));
        } finally {
            deleteAll(dir);
        }
    }

    @Test
    void peersOutsideTheDomain_areWhatTheKernelSays() throws Exception {
        Path dir = openDirectory();
        Path program = dir.resolve("Outside.java");
        Files.writeString(program, OUTSIDE);
        CallTable table = NetRing.table(Map.of(NetCallTableProvider.UNIX, dir.toString()));
        try (NetRing bob = NetRing.open(table, 1, Optional.of(BOB))) {
            // A listener outside, of the domain's user (only it may name sockets in the domain's directories) with
            // nobody's group: bob's connection names that group, where the domain's own would be root's.
            Path outsideSocket = dir.resolve("outside.sock");
            Process listening = outside(List.of("--regid=" + NOBODY), program, "listen", outsideSocket);
            try {
                long connector = unixSocket(bob);
                expectOk(bob.connect(connector, UnixDomainSocketAddress.of(outsideSocket)), "connect");
                assertEquals(NetCalls.peerCredentials(0, NOBODY), peer(bob, connector));
                expectOk(NetCalls.Close.call(bob.client, connector), "close");
            } finally {
                assertTrue(listening.waitFor(30, TimeUnit.SECONDS), "the outside listener ends at end of stream");
            }

            // the same, connecting to bob's listener: bob's accepted socket names it
            long listener = unixSocket(bob);
            expectOk(bob.bind(listener, UnixDomainSocketAddress.of(dir.resolve("bob.sock"))), "bind");
            expectOk(NetCalls.Listen.call(bob.client, listener, 4), "listen");
            Process connecting = outside(List.of("--regid=" + NOBODY), program, "connect", dir.resolve("bob.sock"));
            try {
                long accepted = expectOk(bob.accept(listener, 0).fd(), "accept");
                assertEquals(NetCalls.peerCredentials(0, NOBODY), peer(bob, accepted));
                expectOk(NetCalls.Close.call(bob.client, accepted), "close");
            } finally {
                assertTrue(connecting.waitFor(30, TimeUnit.SECONDS), "the outside connector ends at end of stream");
            }
        } finally {
            deleteAll(dir);
        }
    }

    /** Runs {@link #OUTSIDE} through setpriv with {@code ids}; returns once it said it is ready. */
    private static Process outside(List<String> ids, Path program, String mode, Path socket) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new java.util.ArrayList<>(List.of("setpriv"));
        command.addAll(ids);
        command.addAll(List.of("--clear-groups", java, "-XX:-UsePerfData", program.toString(), mode,
                socket.toString()));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertEquals("ready", line, "the outside process did not start: " + command);
        return p;
    }

    /**
     * A process outside the domain: listens at a path and holds one connection, or connects to one, until end of
     * stream; at most 20 s.
     */
    private static final String OUTSIDE = """
            import java.net.*; import java.nio.*; import java.nio.channels.*; import java.nio.file.*;
            public class Outside {
                public static void main(String[] a) throws Exception {
                    Thread t = new Thread(() -> { try { Thread.sleep(20_000); } catch (InterruptedException e) { }
                        System.exit(2); });
                    t.setDaemon(true); t.start();
                    UnixDomainSocketAddress at = UnixDomainSocketAddress.of(a[1]);
                    SocketChannel c;
                    if (a[0].equals("listen")) {
                        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                        s.bind(at);
                        System.out.println("ready");
                        c = s.accept();
                    } else {
                        c = SocketChannel.open(at);
                        System.out.println("ready");
                    }
                    while (c.read(ByteBuffer.allocate(16)) >= 0) { }
                    Files.deleteIfExists(Path.of(a[1]));
                }
            }
            """;

    private static void deleteAll(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }
}
