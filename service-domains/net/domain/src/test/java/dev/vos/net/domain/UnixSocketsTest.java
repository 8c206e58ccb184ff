package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Bind;
import dev.vos.net.protocol.NetCalls.Connect;
import dev.vos.net.protocol.NetCalls.Listen;
import dev.vos.net.protocol.NetCalls.Socket;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.client.CallSlot;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static dev.vos.net.domain.NetRing.expectOk;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Unix domain sockets in the net domain: bound and connected only in the spec's {@code net.unix} directories, real
 * files there that a process outside the domain reaches too, and every path or sockaddr that would leave them refused
 * with nothing changed.
 */
@Timeout(60)
class UnixSocketsTest {

    @TempDir
    Path root;

    private NetRing open(Path dir) throws Exception {
        return NetRing.open(NetRing.table(Map.of(NetCallTableProvider.UNIX, dir.toString())), 1);
    }

    private static UnixDomainSocketAddress at(Path path) {
        return UnixDomainSocketAddress.of(path);
    }

    private static long unixSocket(NetRing ring) throws Exception {
        return expectOk(ring.socket(SockaddrLayout.AF_UNIX), "socket");
    }

    @Test
    void aListenerInTheDirectory_servesTheDomainsClients_andProcessesOutsideIt() throws Exception {
        Path dir = Files.createDirectory(root.resolve("unix"));
        Path path = dir.resolve("echo.sock");
        try (NetRing ring = open(dir)) {
            long listener = unixSocket(ring);
            assertEquals(0, ring.bind(listener, at(path)));
            assertEquals(0, Listen.call(ring.client, listener, 4));
            assertTrue(Files.exists(path), "the socket's file is where the client named it");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)),
                    "owner-only, whatever the domain's umask: no other user of the host connects to it");
            assertEquals(at(path), ring.unixAddress(listener, false), "getsockname: the client's path");

            long client = unixSocket(ring);
            assertEquals(0, ring.connect(client, at(path)));
            NetRing.Accepted accepted = ring.accept(listener, 0);
            expectOk(accepted.fd(), "accept");
            assertEquals(at(path), ring.unixAddress(client, true), "getpeername: the listener's path, not /proc");
            assertEquals(UnixDomainSocketAddress.of(""), ring.unixAddress(accepted.fd(), true), "an unnamed peer");
            assertEquals(-Errno.EOPNOTSUPP, ring.send(client, "!".getBytes(StandardCharsets.US_ASCII),
                    NetCalls.URGENT), "urgent data is TCP's");
            assertEquals(5, ring.send(client, "hello".getBytes(StandardCharsets.US_ASCII), 0));
            assertEquals("hello", ring.recv(accepted.fd(), 64, 0), "and the refused send sent nothing");

            // A process outside the domain (this JVM, the default provider) reaches the same socket.
            try (SocketChannel outside = SocketChannel.open(at(path))) {
                long fromOutside = expectOk(ring.accept(listener, 0).fd(), "accept");
                outside.write(ByteBuffer.wrap("out".getBytes(StandardCharsets.US_ASCII)));
                assertEquals("out", ring.recv(fromOutside, 64, 0));
            }
        }
    }

    @Test
    void pathsThatLeaveTheDirectory_areEacces_andMakeNoFile() throws Exception {
        Path dir = Files.createDirectory(root.resolve("unix"));
        Files.createDirectory(dir.resolve("sub"));
        try (NetRing ring = open(dir)) {
            long fd = unixSocket(ring);
            String[] refused = {
                root.resolve("beside.sock").toString(),
                dir + "/../beside.sock",
                dir + "/./x.sock",
                dir + "/sub/x.sock",
                dir + "/",
                dir.toString(),
                "relative.sock",
                "/x.sock",
            };
            for (String path : refused) {
                // Written byte by byte: UnixDomainSocketAddress would tidy some of these paths on the way.
                byte[] sockaddr = sockaddrUn(path);
                assertEquals(-Errno.EACCES, raw(ring, fd, sockaddr, sockaddr.length, true), "bind " + path);
                assertEquals(-Errno.EACCES, raw(ring, fd, sockaddr, sockaddr.length, false), "connect " + path);
            }
            try (var listed = Files.list(root)) {
                assertEquals(1, listed.count(), "nothing was made beside the directory");
            }
            try (var listed = Files.list(dir.resolve("sub"))) {
                assertEquals(0, listed.count(), "nor below it");
            }
            assertEquals(0, ring.bind(fd, at(dir.resolve("ok.sock"))), "the socket is still usable");
            byte[] doubled = sockaddrUn(dir + "//x.sock");
            assertEquals(0, raw(ring, unixSocket(ring), doubled, doubled.length, true), "// is /, as to the kernel");
            assertTrue(Files.exists(dir.resolve("x.sock")));
        }
    }

    @Test
    void hostileSockaddrs_getAnErrno() throws Exception {
        Path dir = Files.createDirectory(root.resolve("unix"));
        try (NetRing ring = open(dir)) {
            long fd = unixSocket(ring);
            byte[] abstractName = {1, 0, 0, 'a', 'b', 'c'};
            assertEquals(-Errno.EINVAL, raw(ring, fd, abstractName, abstractName.length, true), "abstract namespace");
            assertEquals(-Errno.EINVAL, raw(ring, fd, new byte[] {1}, 1, true), "shorter than a family");
            int tooLong = SockaddrLayout.UN_BYTES + 1;
            assertEquals(-Errno.EINVAL, raw(ring, fd, new byte[tooLong], tooLong, true), "longer than sockaddr_un");
            byte[] inet = new byte[16];
            inet[0] = SockaddrLayout.AF_INET;
            assertEquals(-Errno.EAFNOSUPPORT, raw(ring, fd, inet, inet.length, true), "an IPv4 sockaddr");
            byte[] full = new byte[SockaddrLayout.UN_BYTES]; // 108 path bytes, no NUL: longer than a path may be
            full[0] = 1;
            java.util.Arrays.fill(full, 2, full.length, (byte) 'x');
            full[2] = '/';
            assertEquals(-Errno.EACCES, raw(ring, fd, full, full.length, true), "no NUL in sun_path");
            assertEquals(-Errno.EINVAL, ring.connect(fd, UnixDomainSocketAddress.of("")), "connect to no name");
            assertEquals(-Errno.EPROTONOSUPPORT, Socket.call(ring.client, SockaddrLayout.AF_UNIX, NetCalls.SOCK_DGRAM),
                    "a Unix socket is a stream");
            try (var listed = Files.list(dir)) {
                assertEquals(0, listed.count(), "nothing was bound");
            }
        }
    }

    /** {@code path} as a sockaddr_un, its bytes as given, NUL-terminated. */
    private static byte[] sockaddrUn(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        byte[] sockaddr = new byte[SockaddrLayout.UN_PATH_OFFSET + bytes.length + 1];
        sockaddr[0] = SockaddrLayout.AF_UNIX;
        System.arraycopy(bytes, 0, sockaddr, SockaddrLayout.UN_PATH_OFFSET, bytes.length);
        return sockaddr;
    }

    /** bind or connect ({@code bind} false) with {@code bytes} as the sockaddr, {@code length} long. */
    private static long raw(NetRing ring, long fd, byte[] bytes, int length, boolean bind) throws Exception {
        try (CallSlot slot = ring.client.acquire()) {
            MemorySegment.copy(bytes, 0, slot.data(), JAVA_BYTE, 0, bytes.length);
            return bind ? Bind.call(slot, fd, slot.dataOffset(), length)
                    : Connect.call(slot, fd, slot.dataOffset(), length, 0);
        }
    }

    @Test
    void aSymbolicLinkInTheDirectory_isNeverFollowed_toASocketOutsideIt() throws Exception {
        Path dir = Files.createDirectory(root.resolve("unix"));
        Path outsidePath = root.resolve("private.sock");
        try (ServerSocketChannel outside = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             NetRing ring = open(dir)) {
            outside.bind(at(outsidePath));
            outside.configureBlocking(false);
            Files.createSymbolicLink(dir.resolve("link.sock"), outsidePath);
            Files.writeString(dir.resolve("file.sock"), "not a socket");
            long fd = unixSocket(ring);
            assertEquals(-Errno.ECONNREFUSED, ring.connect(fd, at(dir.resolve("link.sock"))), "a link is no socket");
            assertEquals(-Errno.ECONNREFUSED, ring.connect(fd, at(dir.resolve("file.sock"))), "nor is a file");
            assertEquals(-Errno.ENOENT, ring.connect(fd, at(dir.resolve("none.sock"))));
            assertNull(outside.accept(), "the socket outside the directory was never reached");
            assertEquals(-Errno.EADDRINUSE, ring.bind(fd, at(dir.resolve("link.sock"))),
                    "a bind makes no file through a link either");
        }
    }

    @Test
    void aBoundPath_isInUse_untilItsSocketCloses_whichRemovesItsFile() throws Exception {
        Path dir = Files.createDirectory(root.resolve("unix"));
        Path path = dir.resolve("s.sock");
        Path busy = dir.resolve("busy.sock");
        try (ServerSocketChannel outside = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             NetRing ring = open(dir)) {
            long first = unixSocket(ring);
            assertEquals(0, ring.bind(first, at(path)));
            long second = unixSocket(ring);
            assertEquals(-Errno.EADDRINUSE, ring.bind(second, at(path)), "bound and not yet listening is in use");
            assertEquals(0, NetCalls.Close.call(ring.client, first));
            assertFalse(Files.exists(path), "the domain removes the name its closed socket had");
            assertEquals(0, ring.bind(second, at(path)), "and the path is free again");
            assertEquals(0, Listen.call(ring.client, second, 1));

            // A file the bind did not make (removed and made again outside the domain) is not the domain's to remove.
            long third = unixSocket(ring);
            Path replaced = dir.resolve("replaced.sock");
            assertEquals(0, ring.bind(third, at(replaced)));
            Files.delete(replaced);
            Files.writeString(replaced, "someone else's");
            assertEquals(0, NetCalls.Close.call(ring.client, third));
            assertEquals("someone else's", Files.readString(replaced));

            // A socket file a dead generation left (made here outside the domain, no one listening) is taken back.
            Path left = dir.resolve("left.sock");
            try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                dead.bind(at(left));
            }
            assertTrue(Files.exists(left));
            assertEquals(0, ring.bind(unixSocket(ring), at(left)));

            outside.bind(at(busy)); // listening, outside the domain
            long fourth = unixSocket(ring);
            assertEquals(-Errno.EADDRINUSE, ring.bind(fourth, at(busy)), "a socket someone listens on stays");
            assertTrue(Files.exists(busy));
        }
    }

    @Test
    void aBindThatNamesNothing_getsAName_inTheFirstDirectory() throws Exception {
        Path dir = Files.createDirectory(root.resolve("unix"));
        try (NetRing ring = open(dir)) {
            long fd = unixSocket(ring);
            assertEquals(0, ring.bind(fd, UnixDomainSocketAddress.of("")));
            Path chosen = ring.unixAddress(fd, false).getPath();
            assertEquals(dir, chosen.getParent());
            assertTrue(chosen.getFileName().toString().startsWith(UnixPaths.CHOSEN_PREFIX), chosen.toString());
            assertTrue(Files.exists(chosen));
            assertEquals(-Errno.EINVAL, ring.bind(fd, at(dir.resolve("again.sock"))), "bound once");
        }
    }

    @Test
    void aDomainWithoutDirectories_refusesEveryPath() throws Exception {
        try (NetRing ring = NetRing.open(NetRing.table(), 1)) {
            long fd = unixSocket(ring);
            assertEquals(-Errno.EACCES, ring.bind(fd, at(root.resolve("x.sock"))));
            assertEquals(-Errno.EACCES, ring.bind(fd, UnixDomainSocketAddress.of("")));
            assertEquals(-Errno.EACCES, ring.connect(fd, at(root.resolve("x.sock"))));
        }
    }

    @Test
    void directoriesOthersMayChange_areRefusedAtStart_andAMissingOneIsMade() throws Exception {
        Path open = Files.createDirectory(root.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UnixPaths.parse(open.toString()));
        assertTrue(e.getMessage().contains("writable by its group or others"), e.getMessage());
        Path below = Files.createDirectory(open.resolve("below"));
        Files.setPosixFilePermissions(below, PosixFilePermissions.fromString("rwx------"));
        e = assertThrows(IllegalArgumentException.class, () -> UnixPaths.parse(below.toString()));
        assertTrue(e.getMessage().contains("may be changed by a user other than"), e.getMessage());
        Path link = Files.createSymbolicLink(root.resolve("link"), Files.createDirectory(root.resolve("real")));
        assertThrows(IllegalArgumentException.class, () -> UnixPaths.parse(link.toString()));
        for (String bad : new String[] {"/", "relative", root + "/../x", root + "/x/"}) {
            assertThrows(IllegalArgumentException.class, () -> UnixPaths.parse(bad), bad);
        }
        Path made = root.resolve("made");
        assertEquals(java.util.List.of(made), UnixPaths.parse(made.toString()).directories());
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(made)));
        Path deeper = root.resolve("missing/too/made");
        assertEquals(java.util.List.of(deeper), UnixPaths.parse(deeper.toString()).directories(), "parents made");
        Path belowOpen = open.resolve("missing/made");
        assertThrows(IllegalArgumentException.class, () -> UnixPaths.parse(belowOpen.toString()),
                "nothing is made below a directory others may change");
        assertFalse(Files.exists(open.resolve("missing")));
    }
}
