package dev.vos.sys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

/** The socket and shared-memory bindings against the real kernel: a sealed memfd crosses a socket and is mapped. */
@Timeout(30)
class UnixSocketsTest {

    @TempDir
    Path dir;

    @Test
    void aSealedMemfd_crossesTheSocket_withThePeersCredentials_andMapsOnTheOtherSide() throws Exception {
        String path = dir.resolve("s.sock").toString();
        int listener = UnixSockets.socket(UnixSockets.AF_UNIX, UnixSockets.SOCK_STREAM | UnixSockets.SOCK_CLOEXEC, 0);
        assertTrue(listener >= 0, Errno.describe(listener));
        assertEquals(0, UnixSockets.bind(listener, path));
        assertEquals(0, UnixSockets.listen(listener, 8));
        CompletableFuture<Integer> accepted = CompletableFuture.supplyAsync(
                () -> UnixSockets.accept4(listener, UnixSockets.SOCK_CLOEXEC));

        int client = UnixSockets.socket(UnixSockets.AF_UNIX, UnixSockets.SOCK_STREAM | UnixSockets.SOCK_CLOEXEC, 0);
        assertEquals(0, UnixSockets.connect(client, path));
        int server = accepted.get(10, TimeUnit.SECONDS);
        assertTrue(server >= 0, Errno.describe(server));

        int memfd = SharedMemory.memfdCreate("vos-test", SharedMemory.MFD_CLOEXEC | SharedMemory.MFD_ALLOW_SEALING);
        assertTrue(memfd >= 0, Errno.describe(memfd));
        assertEquals(0, SharedMemory.ftruncate(memfd, 8192));
        assertEquals(0, SharedMemory.addSeals(memfd, SharedMemory.SEALED_SIZE));
        assertEquals(-Errno.EPERM, SharedMemory.ftruncate(memfd, 0), "sealed against shrinking");
        assertEquals(-Errno.EPERM, SharedMemory.ftruncate(memfd, 16384), "sealed against growing");
        assertEquals(SharedMemory.SEALED_SIZE, SharedMemory.seals(memfd));
        assertEquals(SharedMemory.TMPFS_MAGIC, SharedMemory.fileSystemType(memfd));

        try (Arena arena = Arena.ofShared()) {
            MemorySegment line = arena.allocateFrom("ATTACH\n", StandardCharsets.UTF_8).asSlice(0, 7);
            assertEquals(7, UnixSockets.send(client, line, memfd, 0));
            MemorySegment into = arena.allocate(64);
            UnixSockets.Received got = UnixSockets.receive(server, into, 4, 0);
            assertEquals(7, got.result());
            assertEquals("ATTACH\n", new String(into.asSlice(0, 7).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
            assertEquals(1, got.descriptors().length);
            int passed = got.descriptors()[0];
            assertNotEquals(memfd, passed, "the receiver gets a descriptor of its own");
            assertEquals(SharedMemory.SEALED_SIZE, SharedMemory.seals(passed));

            MemorySegment stat = arena.allocate(SharedMemory.STAT_SIZE, 8);
            assertEquals(0, SharedMemory.fstat(passed, stat));
            assertEquals(8192, SharedMemory.size(stat));
            assertEquals(SharedMemory.S_IFREG, SharedMemory.mode(stat) & SharedMemory.S_IFMT);

            MemorySegment credentials = arena.allocate(UnixSockets.UCRED_SIZE, 4);
            assertEquals(UnixSockets.UCRED_SIZE, UnixSockets.getsockopt(server, UnixSockets.SOL_SOCKET,
                    UnixSockets.SO_PEERCRED, credentials));
            assertEquals(Linux.getpid(), credentials.get(JAVA_INT, UnixSockets.UCRED_PID_OFFSET));
            assertEquals(Linux.getuid(), credentials.get(JAVA_INT, UnixSockets.UCRED_UID_OFFSET));
            assertEquals(Linux.getgid(), credentials.get(JAVA_INT, UnixSockets.UCRED_GID_OFFSET));
            assertNotNull(UnixSockets.peerGroups(server));

            try (Arena mapping = Arena.ofShared()) {
                long mine = SharedMemory.mmapShared(memfd, 8192);
                long theirs = SharedMemory.mmapShared(passed, 8192);
                assertTrue(mine > 0 && theirs > 0, Errno.describe(mine) + " " + Errno.describe(theirs));
                MemorySegment a = SharedMemory.adopt(mine, 8192, mapping);
                MemorySegment b = SharedMemory.adopt(theirs, 8192, mapping);
                a.set(JAVA_LONG, 4096, 0x1234_5678_9abcL);
                assertEquals(0x1234_5678_9abcL, b.get(JAVA_LONG, 4096), "one memory, two mappings");
            }
            assertEquals(0, Linux.close(passed));
        } finally {
            Linux.close(memfd);
        }

        // A receive blocked in another thread ends when the socket is shut down (not when it is closed).
        CompletableFuture<Long> blocked = CompletableFuture.supplyAsync(() -> {
            try (Arena arena = Arena.ofConfined()) {
                return UnixSockets.receive(server, arena.allocate(16), 1, 0).result();
            }
        });
        Thread.sleep(100);
        assertFalse(blocked.isDone());
        assertEquals(0, UnixSockets.shutdown(server, UnixSockets.SHUT_RDWR));
        assertEquals(0, blocked.get(10, TimeUnit.SECONDS), "end-of-file");
        assertEquals(0, Linux.close(server));
        assertEquals(0, Linux.close(client));
        assertEquals(0, Linux.close(listener));
    }

    @Test
    void aReceiveTimeout_endsTheWaitWithEagain() {
        int[] pair = connectedPair();
        assertEquals(0, UnixSockets.setTimeout(pair[0], UnixSockets.SO_RCVTIMEO, 50_000_000L));
        long t0 = System.nanoTime();
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(-Errno.EAGAIN, UnixSockets.receive(pair[0], arena.allocate(8), 1, 0).result());
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 40 && ms < 5_000, ms + " ms");
        Linux.close(pair[0]);
        Linux.close(pair[1]);
    }

    @Test
    void aPathLongerThanSunPath_isRefusedBeforeTheKernelSeesIt() {
        int fd = UnixSockets.socket(UnixSockets.AF_UNIX, UnixSockets.SOCK_STREAM | UnixSockets.SOCK_CLOEXEC, 0);
        assertEquals(-Errno.ENAMETOOLONG, UnixSockets.bind(fd, "/tmp/" + "x".repeat(200)));
        assertEquals(-Errno.ENAMETOOLONG, UnixSockets.connect(fd, "/tmp/" + "x".repeat(200)));
        Linux.close(fd);
    }

    private int[] connectedPair() {
        String path = dir.resolve("p.sock").toString();
        int listener = UnixSockets.socket(UnixSockets.AF_UNIX, UnixSockets.SOCK_STREAM | UnixSockets.SOCK_CLOEXEC, 0);
        assertEquals(0, UnixSockets.bind(listener, path));
        assertEquals(0, UnixSockets.listen(listener, 1));
        int client = UnixSockets.socket(UnixSockets.AF_UNIX, UnixSockets.SOCK_STREAM | UnixSockets.SOCK_CLOEXEC, 0);
        assertEquals(0, UnixSockets.connect(client, path)); // the backlog holds it until the accept below
        int server = UnixSockets.accept4(listener, UnixSockets.SOCK_CLOEXEC);
        Linux.close(listener);
        return new int[] {server, client};
    }
}
