package dev.vos.storage.domain;

import dev.vos.ring.client.CallBatch;
import dev.vos.ring.server.ServerStats;
import dev.vos.storage.protocol.StorageCalls.Close;
import dev.vos.storage.protocol.StorageCalls.Fdatasync;
import dev.vos.storage.protocol.StorageCalls.Fsync;
import dev.vos.storage.protocol.StorageCalls.Pread;
import dev.vos.storage.protocol.StorageCalls.Pwrite;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static dev.vos.storage.protocol.StorageFlags.O_CREAT;
import static dev.vos.storage.protocol.StorageFlags.O_RDWR;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The storage domain's batch (io_uring) against real files: calls queued together are executed in one flush,
 * each gets its own answer, and the order per descriptor the docs state holds inside a batch (a write then a read
 * of the same range, a read then a write, writes then fsync, and a close after reads). Each test first lets the
 * worker fall asleep, so that the whole batch is queued before it wakes and is drained in one go.
 */
@Timeout(60)
class BatchedCallsTest {

    @TempDir
    Path root;

    private StorageRing ring;

    @BeforeEach
    void setUp() throws Exception {
        // Reads from mappings off: these tests hold the batch's own path (which still serves every read a mapping
        // does not: unmappable files, past the known size, a session over its cap); MappedReadsTest holds the order
        // of a mapped read behind a queued write.
        ring = StorageRing.open(StorageRing.table(root, Map.of(StorageCallTableProvider.MAP_READS, "false")), 1);
    }

    @AfterEach
    void tearDown() throws Exception {
        ring.close();
    }

    private static void put(CallBatch batch, int i, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, batch.slot(i).data(), JAVA_BYTE, 0, bytes.length);
    }

    private static String text(CallBatch batch, int i, long n) {
        return n < 0 ? "-" + Errno.name((int) -n)
                : new String(batch.slot(i).data().asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private static void quiet() throws InterruptedException {
        Thread.sleep(30); // past the worker's idle spin: it sleeps, and the batch is queued whole before it wakes
    }

    @Test
    void manyReadsQueuedTogether_goOutInOneFlush_andEachGetsItsOwnBlock() throws Exception {
        byte[] content = new byte[16 * 4096];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i / 4096 + 'a');
        }
        Files.write(root.resolve("blocks"), content);
        long fd = ring.open("blocks", O_RDWR, 0);
        long deferredBefore = ring.server.callsDeferred();
        long flushesBefore = ring.server.batchFlushes();
        quiet();
        try (CallBatch batch = ring.client.acquireBatch(16)) {
            for (int i = 0; i < 16; i++) {
                Pread.call(batch.queueing(i), fd, batch.slot(i).dataOffset(), 4096, (15 - i) * 4096L);
            }
            batch.submit();
            for (int i = 0; i < 16; i++) {
                assertEquals(4096, batch.await(i));
                byte[] expected = new byte[4096];
                Arrays.fill(expected, (byte) ('a' + 15 - i));
                assertArrayEquals(expected, batch.slot(i).data().asSlice(0, 4096).toArray(JAVA_BYTE), "block " + i);
            }
        }
        assertEquals(16, ring.server.callsDeferred() - deferredBefore, "every read went through the batch");
        assertEquals(1, ring.server.batchFlushes() - flushesBefore, "in one flush");
    }

    /**
     * A 1 MiB read as the provider sends it (16 chunks of 64 KiB in one batch) goes to the kernel in waves of
     * {@link StorageBatch#WAVE_BYTES}, each one preadv of four chunks answered before the next is read: the client
     * copies chunks out of the shared area while the domain reads the next four. Every chunk gets its own bytes.
     */
    @Test
    void aLargeBatch_goesOutInWaves_eachChunkWithItsOwnBytes() throws Exception {
        int chunk = 64 << 10;
        byte[] content = new byte[16 * chunk];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i / chunk * 7 + i % 251);
        }
        Files.write(root.resolve("large"), content);
        long fd = ring.open("large", O_RDWR, 0);
        ServerStats before = ring.server.stats();
        quiet();
        try (CallBatch batch = ring.client.acquireBatch(16)) {
            for (int i = 0; i < 16; i++) {
                Pread.call(batch.queueing(i), fd, batch.slot(i).dataOffset(), chunk, (long) i * chunk);
            }
            batch.submit();
            for (int i = 0; i < 16; i++) {
                assertEquals(chunk, batch.await(i));
                assertArrayEquals(Arrays.copyOfRange(content, i * chunk, (i + 1) * chunk),
                        batch.slot(i).data().asSlice(0, chunk).toArray(JAVA_BYTE), "chunk " + i);
            }
        }
        ServerStats after = ring.server.stats();
        assertEquals(16, after.callsDeferred() - before.callsDeferred(), "every chunk went through the batch");
        assertEquals(16L * chunk / StorageBatch.WAVE_BYTES, after.batchSubmissions() - before.batchSubmissions(),
                "one system call per wave");
    }

    /**
     * The chunks of one read past the end of the file, read as one run (preadv): each answers what its own pread
     * would, the bytes of its chunk that exist, 0 past the end.
     */
    @Test
    void aRunOfChunksPastTheEndOfTheFile_answersEachChunkAsItsOwnPreadWould() throws Exception {
        int chunk = 64 << 10;
        byte[] content = new byte[chunk + chunk / 2];
        Arrays.fill(content, (byte) 'x');
        Files.write(root.resolve("short"), content);
        long fd = ring.open("short", O_RDWR, 0);
        quiet();
        try (CallBatch batch = ring.client.acquireBatch(4)) {
            for (int i = 0; i < 4; i++) {
                Pread.call(batch.queueing(i), fd, batch.slot(i).dataOffset(), chunk, (long) i * chunk);
            }
            batch.submit();
            assertEquals(chunk, batch.await(0));
            assertEquals(chunk / 2, batch.await(1));
            assertEquals(0, batch.await(2));
            assertEquals(0, batch.await(3));
            assertEquals('x', batch.slot(1).data().get(JAVA_BYTE, chunk / 2 - 1));
        }
    }

    /** The domain's figures (what STATS reports and the storage dashboard shows) of a real batch and its neighbours. */
    @Test
    void theDomainsFigures_countTheBatchsBytesAndSubmissions_andErrorsByErrno() throws Exception {
        Files.write(root.resolve("figures"), new byte[8 * 4096]);
        long fd = ring.open("figures", O_RDWR, 0);
        ServerStats before = ring.server.stats();
        quiet();
        try (CallBatch batch = ring.client.acquireBatch(8)) {
            for (int i = 0; i < 8; i++) {
                Pread.call(batch.queueing(i), fd, batch.slot(i).dataOffset(), 4096, i * 4096L);
            }
            batch.submit();
            for (int i = 0; i < 8; i++) {
                assertEquals(4096, batch.await(i));
            }
        }
        assertEquals(-Errno.ENOENT, ring.open("missing", O_RDWR, 0));
        assertEquals(5, ring.pwrite(fd, "hello", 0));
        ServerStats after = ring.server.stats();
        assertEquals(8 * 4096, after.bytesRead() - before.bytesRead());
        assertEquals(5, after.bytesWritten() - before.bytesWritten());
        assertEquals(8, after.callsDeferred() - before.callsDeferred(), "the eight reads went through the batch");
        long submissions = after.batchSubmissions() - before.batchSubmissions();
        assertTrue(submissions >= 1 && submissions <= 8, "io_uring_enter calls for one flush: " + submissions);
        assertEquals(1, after.errorsByErrno()[Errno.ENOENT] - before.errorsByErrno()[Errno.ENOENT]);
    }

    @Test
    void aLoneRead_takesTheSynchronousPath() throws Exception {
        ring.pwrite(ring.open("alone", O_RDWR | O_CREAT, 0644), "solo", 0);
        long fd = ring.open("alone", O_RDWR, 0);
        long deferredBefore = ring.server.callsDeferred();
        quiet();
        assertEquals("solo", ring.pread(fd, 100, 0));
        assertEquals(deferredBefore, ring.server.callsDeferred());
    }

    @Test
    void aWriteThenAReadOfTheSameRange_inOneBatch_readsWhatWasWritten() throws Exception {
        long fd = ring.open("wr", O_RDWR | O_CREAT, 0644);
        assertEquals(8, ring.pwrite(fd, "old-data", 0));
        long deferredBefore = ring.server.callsDeferred();
        quiet();
        try (CallBatch batch = ring.client.acquireBatch(4)) {
            put(batch, 0, "NEW-");
            Pwrite.call(batch.queueing(0), fd, batch.slot(0).dataOffset(), 4, 0);
            Pread.call(batch.queueing(1), fd, batch.slot(1).dataOffset(), 8, 0);
            put(batch, 2, "DATA");
            Pwrite.call(batch.queueing(2), fd, batch.slot(2).dataOffset(), 4, 4);
            Pread.call(batch.queueing(3), fd, batch.slot(3).dataOffset(), 8, 0);
            batch.submit();
            assertEquals(4, batch.await(0));
            assertEquals("NEW-data", text(batch, 1, batch.await(1)));
            assertEquals(4, batch.await(2));
            assertEquals("NEW-DATA", text(batch, 3, batch.await(3)));
        }
        assertTrue(ring.server.callsDeferred() - deferredBefore >= 2, "the batch path was taken");
    }

    @Test
    void aReadThenAWriteOfTheSameRange_inOneBatch_readsWhatWasThereBefore() throws Exception {
        long fd = ring.open("rw", O_RDWR | O_CREAT, 0644);
        assertEquals(6, ring.pwrite(fd, "before", 0));
        quiet();
        try (CallBatch batch = ring.client.acquireBatch(2)) {
            Pread.call(batch.queueing(0), fd, batch.slot(0).dataOffset(), 6, 0);
            put(batch, 1, "AFTER!");
            Pwrite.call(batch.queueing(1), fd, batch.slot(1).dataOffset(), 6, 0);
            batch.submit();
            assertEquals("before", text(batch, 0, batch.await(0)));
            assertEquals(6, batch.await(1));
        }
        assertEquals("AFTER!", Files.readString(root.resolve("rw")));
    }

    @Test
    void writesThenFsyncAndFdatasync_inOneBatch_areAllOnTheFileWhenAnswered() throws Exception {
        long fd = ring.open("synced", O_RDWR | O_CREAT, 0644);
        quiet();
        try (CallBatch batch = ring.client.acquireBatch(6)) {
            for (int i = 0; i < 4; i++) {
                put(batch, i, "block" + i);
                Pwrite.call(batch.queueing(i), fd, batch.slot(i).dataOffset(), 6, i * 6L);
            }
            Fsync.call(batch.queueing(4), fd);
            Fdatasync.call(batch.queueing(5), fd);
            batch.submit();
            assertEquals(0, batch.await(5));
            assertEquals(0, batch.await(4));
            for (int i = 0; i < 4; i++) {
                assertEquals(6, batch.await(i));
            }
        }
        assertEquals("block0block1block2block3", Files.readString(root.resolve("synced")));
    }

    @Test
    void badCallsInABatch_getTheirOwnErrors_andTheOthersAreServed() throws Exception {
        Files.writeString(root.resolve("good"), "fine");
        long fd = ring.open("good", O_RDWR, 0);
        quiet();
        try (CallBatch batch = ring.client.acquireBatch(5)) {
            Pread.call(batch.queueing(0), fd, batch.slot(0).dataOffset(), 4, 0);
            Pread.call(batch.queueing(1), fd + 1, batch.slot(1).dataOffset(), 4, 0);
            Pread.call(batch.queueing(2), fd, -1, 4, 0);
            Pread.call(batch.queueing(3), fd, batch.slot(3).dataOffset(), 4, -5);
            Pread.call(batch.queueing(4), fd, batch.slot(4).dataOffset(), 4, 0);
            batch.submit();
            assertEquals("fine", text(batch, 0, batch.await(0)));
            assertEquals(-Errno.EBADF, batch.await(1));
            assertEquals(-Errno.EFAULT, batch.await(2));
            assertEquals(-Errno.EINVAL, batch.await(3));
            assertEquals("fine", text(batch, 4, batch.await(4)));
        }
    }

    @Test
    void aCloseQueuedAfterReads_runsAfterThem_andLaterReadsAreEbadf() throws Exception {
        Files.writeString(root.resolve("closing"), "0123456789");
        long fd = ring.open("closing", O_RDWR, 0);
        quiet();
        try (CallBatch batch = ring.client.acquireBatch(4)) {
            for (int i = 0; i < 2; i++) {
                Pread.call(batch.queueing(i), fd, batch.slot(i).dataOffset(), 5, i * 5L);
            }
            Close.call(batch.queueing(2), fd);
            Pread.call(batch.queueing(3), fd, batch.slot(3).dataOffset(), 5, 0);
            batch.submit();
            assertEquals("01234", text(batch, 0, batch.await(0)));
            assertEquals("56789", text(batch, 1, batch.await(1)));
            assertEquals(0, batch.await(2));
            assertEquals(-Errno.EBADF, batch.await(3));
        }
    }

    @Test
    void writesOfDisjointRanges_goTogether_whileOverlappingOnesKeepQueueOrder() throws Exception {
        long fd = ring.open("chunks", O_RDWR | O_CREAT, 0644);
        long flushesBefore = ring.server.batchFlushes();
        quiet();
        try (CallBatch batch = ring.client.acquireBatch(4)) {
            for (int i = 0; i < 4; i++) {
                put(batch, i, "c" + i);
                Pwrite.call(batch.queueing(i), fd, batch.slot(i).dataOffset(), 2, i * 2L);
            }
            batch.submit();
            for (int i = 0; i < 4; i++) {
                assertEquals(2, batch.await(i));
            }
        }
        assertEquals(1, ring.server.batchFlushes() - flushesBefore, "disjoint chunks in one flush");
        quiet();
        try (CallBatch batch = ring.client.acquireBatch(3)) {
            for (int i = 0; i < 3; i++) {
                put(batch, i, "w" + i);
                Pwrite.call(batch.queueing(i), fd, batch.slot(i).dataOffset(), 2, 2);
            }
            batch.submit();
            for (int i = 0; i < 3; i++) {
                assertEquals(2, batch.await(i));
            }
        }
        assertEquals("c0w2c2c3", Files.readString(root.resolve("chunks")), "the last write queued is the last done");
    }
}
