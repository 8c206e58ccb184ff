package dev.vos.storage.domain;

import dev.vos.ring.server.CallTable;
import dev.vos.storage.protocol.StorageCalls.Close;
import dev.vos.storage.protocol.StorageCalls.Fsync;
import dev.vos.storage.protocol.StorageCalls.Ftruncate;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.vos.storage.domain.StorageSyscalls.*;
import static dev.vos.storage.protocol.StorageFlags.*;
import static org.junit.jupiter.api.Assertions.*;

/** Descriptors belong to the session that opened them, and die with it. */
@Timeout(60)
class SessionsTest {

    @TempDir
    Path root;

    @Test
    void aDescriptorOfOneSession_isEbadfInAnother() throws Exception {
        Files.writeString(root.resolve("a"), "file a");
        Files.writeString(root.resolve("b"), "file b");
        CallTable table = StorageRing.table(root);
        try (StorageRing one = StorageRing.open(table, 1); StorageRing two = StorageRing.open(table, 2)) {
            long a = one.open("a", O_RDWR, 0);
            assertEquals(3, StorageRing.index(a));
            assertEquals("-EBADF", two.pread(a, 10, 0), "session two never opened 3");
            assertEquals(-Errno.EBADF, two.pwrite(a, "x", 0));
            assertEquals(-Errno.EBADF, Close.call(two.client, a));
            assertEquals("file a", one.pread(a, 10, 0), "session two's close did not touch session one's 3");

            long b = two.open("b", O_RDONLY, 0);
            assertEquals(3, StorageRing.index(b), "each session numbers from 3");
            assertEquals("file b", two.pread(b, 10, 0));
            assertEquals("file a", one.pread(a, 10, 0));
        }
    }

    @Test
    void aStaleNumber_sentOnANewSessionThatReusedItsIndex_namesNothingThere() throws Exception {
        // The review's case at the domain: a client re-attaches, its new session's table gives the next file the
        // old file's index, and an old channel sends its number on the new session. The nonce makes it EBADF.
        Files.writeString(root.resolve("old"), "old file");
        Files.writeString(root.resolve("new"), "new file");
        CallTable table = StorageRing.table(root);
        long stale;
        try (StorageRing first = StorageRing.open(table, 1)) {
            stale = first.open("old", O_RDWR | O_APPEND, 0);
        }
        try (StorageRing second = StorageRing.open(table, 1)) {
            long fresh = second.open("new", O_RDWR, 0);
            assertEquals(StorageRing.index(stale), StorageRing.index(fresh), "the index is reused");
            assertEquals("-EBADF", second.pread(stale, 10, 0));
            assertEquals(-Errno.EBADF, second.pwrite(stale, "STALE", 0));
            assertEquals(-Errno.EBADF, second.append(stale, "STALE"));
            assertEquals(-Errno.EBADF, Fsync.call(second.client, stale));
            assertEquals(-Errno.EBADF, Ftruncate.call(second.client, stale, 0));
            assertEquals(-Errno.EBADF, second.fstatResult(stale));
            assertEquals(-Errno.EBADF, Close.call(second.client, stale));
            assertEquals("new file", second.pread(fresh, 10, 0), "still open, unchanged");
        }
        assertEquals("new file", Files.readString(root.resolve("new")));
        assertEquals("old file", Files.readString(root.resolve("old")));
    }

    @Test
    void aCallOnANumberAnotherThreadClosed_afterAThirdOpenedAFile_isEbadf_neverThatFile() throws Exception {
        // Thread A holds descriptor 3 of "mine"; thread B closes it; thread C opens "theirs". Were C's descriptor
        // numbered 3 again (the kernel's lowest free), A's pwrite, on its way while B and C ran, would write into
        // C's file. A number is not handed out twice in a session: A's call is EBADF. The calls run one after the
        // other here, in the order the race would run them; which thread sends each changes nothing in the domain.
        Files.writeString(root.resolve("mine"), "mine");
        Files.writeString(root.resolve("theirs"), "theirs");
        try (StorageRing ring = StorageRing.open(StorageRing.table(root), 2)) {
            long a = ring.open("mine", O_RDWR, 0);
            assertEquals(0, Close.call(ring.client, a), "thread B's close");
            long c = ring.open("theirs", O_RDWR, 0);
            assertNotEquals(a, c, "a closed number is not handed out again");
            assertEquals(-Errno.EBADF, ring.pwrite(a, "A's late write", 0));
            assertEquals("-EBADF", ring.pread(a, 10, 0));
            assertEquals(-Errno.EBADF, Close.call(ring.client, a), "nor can A close C's file");
            assertEquals("theirs", ring.pread(c, 10, 0));
        }
        assertEquals("theirs", Files.readString(root.resolve("theirs")));
    }

    @Test
    void endingASession_closesItsKernelDescriptors() throws Exception {
        Path a = Files.writeString(root.resolve("a"), "a");
        Path b = Files.writeString(root.resolve("b"), "b");
        CallTable table = StorageRing.table(root);
        try (StorageRing other = StorageRing.open(table, 1)) {
            long otherB = other.open("b", O_RDONLY, 0);
            StorageRing one = StorageRing.open(table, 1);
            for (int i = 0; i < 5; i++) {
                assertEquals(3 + i, StorageRing.index(one.open("a", O_RDONLY, 0)));
            }
            assertEquals(5, StorageRing.kernelDescriptorsOn(a));
            one.close(); // the client leaves: the server stops and its session state closes
            assertEquals(0, StorageRing.kernelDescriptorsOn(a), "the session's descriptors were closed with it");
            assertEquals(1, StorageRing.kernelDescriptorsOn(b), "another session's descriptors live on");
            assertEquals("b", other.pread(otherB, 10, 0));
        }
        assertEquals(0, StorageRing.kernelDescriptorsOn(b));
    }

    @Test
    void concurrentOpensReadsAndCloses_neverReadAnotherSessionsFile() throws Exception {
        for (String name : List.of("one", "two")) {
            Files.writeString(root.resolve(name), name);
        }
        CallTable table = StorageRing.table(root);
        try (StorageRing one = StorageRing.open(table, 2); StorageRing two = StorageRing.open(table, 2);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                StorageRing ring = t % 2 == 0 ? one : two;
                String name = t % 2 == 0 ? "one" : "two";
                work.add(threads.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        long fd = ring.open(name, O_RDONLY, 0);
                        assertTrue(fd >= DescriptorTable.FIRST, Errno.describe(fd));
                        // Each thread closes only what it opened: a wrong content means crossed descriptors.
                        assertEquals(name, ring.pread(fd, 10, 0));
                        assertEquals(0, Close.call(ring.client, fd));
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        }
        assertEquals(0, StorageRing.kernelDescriptorsOn(root.resolve("one")));
        assertEquals(0, StorageRing.kernelDescriptorsOn(root.resolve("two")));
    }
}
