package dev.vos.storage.domain;

import dev.vos.ring.server.CallTable;
import dev.vos.storage.protocol.StorageCalls.Close;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.vos.storage.protocol.StorageFlags.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A FIFO, a socket or a device node planted in the export root never holds a worker: an open of one returns at
 * once, EACCES unless the domain allows special files, and the domain goes on serving. One worker per session, so
 * a worker held by an open would stop the session's every later call.
 */
@Timeout(60)
class SpecialFilesTest {

    /** An open that takes longer than this is taken to block (a real one returns in microseconds). */
    private static final long AT_ONCE_MS = 2_000;

    @TempDir
    Path root;

    private Path fifo(String name) throws Exception {
        Path path = root.resolve(name);
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo " + path);
        return path;
    }

    /**
     * Opens {@code name} with {@code flags} and returns the answer, or fails the test if it does not come at once;
     * then opens the FIFO's other end from here so that a blocked worker is let go and the ring can close.
     */
    private static long openAtOnce(StorageRing ring, Path fifo, int flags) throws Exception {
        CompletableFuture<Long> open = CompletableFuture.supplyAsync(() -> {
            try {
                return ring.open(fifo.getFileName().toString(), flags, 0);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            return open.get(AT_ONCE_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Release the worker held in open(2): give the FIFO its other end.
            try (FileChannel other = FileChannel.open(fifo, (flags & O_ACCMODE) == O_RDONLY
                    ? StandardOpenOption.WRITE : StandardOpenOption.READ)) {
                open.get(10, TimeUnit.SECONDS);
            }
            throw new AssertionError("the open of FIFO " + fifo.getFileName() + " held its worker for more than "
                    + AT_ONCE_MS + " ms");
        }
    }

    @Test
    void aFifo_isRefusedAtOnce_forReadingAndForWriting_andTheDomainServesOn() throws Exception {
        Path fifo = fifo("planted");
        Files.writeString(root.resolve("regular"), "still served");
        CallTable table = StorageRing.table(root);
        try (StorageRing ring = StorageRing.open(table, 1); StorageRing other = StorageRing.open(table, 1)) {
            assertEquals(-Errno.EACCES, openAtOnce(ring, fifo, O_RDONLY), "a FIFO without a writer");
            assertEquals(-Errno.EACCES, openAtOnce(ring, fifo, O_WRONLY), "a FIFO without a reader (ENXIO)");
            assertEquals(-Errno.EACCES, openAtOnce(ring, fifo, O_RDWR));
            assertEquals(-Errno.EACCES, openAtOnce(ring, fifo, O_RDONLY | O_CREAT), "O_CREAT of an existing FIFO");
            long fd = ring.open("regular", O_RDONLY, 0);
            assertEquals("still served", ring.pread(fd, 100, 0), "the session's one worker is free");
            assertEquals("still served", other.pread(other.open("regular", O_RDONLY, 0), 100, 0));
            assertEquals(0, Close.call(ring.client, fd));
        }
        assertEquals(0, StorageRing.kernelDescriptorsOn(fifo), "a refused open leaves no descriptor behind");
    }

    @Test
    void aUnixSocket_isRefused() throws Exception {
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(root.resolve("sock")));
            try (StorageRing ring = StorageRing.open(StorageRing.table(root), 1)) {
                assertEquals(-Errno.EACCES, ring.open("sock", O_RDONLY, 0));
                assertEquals(-Errno.EACCES, ring.open("sock", O_RDWR, 0));
            }
        }
    }

    @Test
    void aDeviceNode_isRefused_unlessAllowed() throws Exception {
        Assumptions.assumeTrue(isRoot(), "mknod of a device node needs root (CAP_MKNOD); these tests run as "
                + System.getProperty("user.name"));
        Process mknod = new ProcessBuilder("mknod", root.resolve("null").toString(), "c", "1", "3").inheritIO()
                .start();
        assertEquals(0, mknod.waitFor());
        try (StorageRing ring = StorageRing.open(StorageRing.table(root), 1)) {
            assertEquals(-Errno.EACCES, ring.open("null", O_RDWR, 0));
        }
        try (StorageRing ring = StorageRing.open(StorageRing.table(root,
                Map.of(StorageCallTableProvider.ALLOW_SPECIAL_FILES, "true")), 1)) {
            long fd = ring.open("null", O_RDWR, 0);
            assertTrue(fd > 0, Errno.describe(fd));
            assertEquals(4, ring.pwrite(fd, "gone", 0));
            assertEquals("", ring.pread(fd, 10, 0));
        }
    }

    @Test
    void allowedSpecialFiles_stillNeverBlock() throws Exception {
        Path fifo = fifo("allowed");
        CallTable table = StorageRing.table(root, Map.of(StorageCallTableProvider.ALLOW_SPECIAL_FILES, "true"));
        try (StorageRing ring = StorageRing.open(table, 1)) {
            long reader = openAtOnce(ring, fifo, O_RDONLY);
            assertTrue(reader > 0, "allowed: a descriptor, at once: " + Errno.describe(reader));
            assertEquals(0010000, ring.fstat(reader).mode() & 0170000, "S_IFIFO");
            assertEquals(-Errno.ENXIO, openAtOnce(ring, fifo("no-reader"), O_WRONLY),
                    "a writer without a reader: the kernel's answer, at once");
            assertEquals("-ESPIPE", ring.pread(reader, 10, 0), "a pipe has no offsets");
            assertEquals(0, Close.call(ring.client, reader));
        }
    }

    @Test
    void theOption_mustBeTrueOrFalse() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StorageRing.table(root, Map.of(StorageCallTableProvider.ALLOW_SPECIAL_FILES, "yes")));
        assertTrue(e.getMessage().contains("allowSpecialFiles") && e.getMessage().contains("'yes'"), e.getMessage());
    }

    private static boolean isRoot() throws IOException {
        return "0".equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString());
    }
}
