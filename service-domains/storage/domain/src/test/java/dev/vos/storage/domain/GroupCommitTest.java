package dev.vos.storage.domain;

import dev.vos.ring.client.CallBatch;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.KindFigure;
import dev.vos.storage.protocol.StorageCalls.Fdatasync;
import dev.vos.storage.protocol.StorageCalls.Fsync;
import dev.vos.storage.protocol.StorageCalls.Pwrite;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import static dev.vos.storage.protocol.StorageFlags.O_CREAT;
import static dev.vos.storage.protocol.StorageFlags.O_RDWR;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Group commit in the storage domain's batch: forces of one descriptor queued together are answered by one fsync,
 * issued only after every write of the batch completed. What a force's answer promises is checked on the file
 * itself, from this process's own descriptor (not through the domain): every write acknowledged before a force was
 * asked for, and every write queued with it, is in the file when the force answers. The fsyncs the domain issued
 * are its own figures ({@link KindFigure#STORAGE_SYNCS_ISSUED} against {@link KindFigure#STORAGE_FORCES}).
 */
@Timeout(120)
class GroupCommitTest {

    @TempDir
    Path root;

    private CallTable table;
    private StorageRing ring;

    @BeforeEach
    void setUp() throws Exception {
        table = StorageRing.table(root);
        ring = StorageRing.open(table, 1);
    }

    @AfterEach
    void tearDown() throws Exception {
        ring.close();
    }

    private long figure(KindFigure f) {
        return table.figures().get(f);
    }

    private static void put(CallBatch batch, int i, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, batch.slot(i).data(), JAVA_BYTE, 0, bytes.length);
    }

    private static void quiet() throws InterruptedException {
        Thread.sleep(30); // past the worker's idle spin: it sleeps, and the batch is queued whole before it wakes
    }

    @Test
    void forcesOfOneDescriptorQueuedTogether_areAnsweredByOneSync() throws Exception {
        long fd = ring.open("forced", O_RDWR | O_CREAT, 0644);
        long forces = figure(KindFigure.STORAGE_FORCES);
        long issued = figure(KindFigure.STORAGE_SYNCS_ISSUED);
        quiet();
        try (CallBatch batch = ring.client.acquireBatch(8)) {
            for (int i = 0; i < 8; i++) {
                if (i % 2 == 0) {
                    Fsync.call(batch.queueing(i), fd);
                } else {
                    Fdatasync.call(batch.queueing(i), fd);
                }
            }
            batch.submit();
            for (int i = 0; i < 8; i++) {
                assertEquals(0, batch.await(i), "force " + i);
            }
        }
        assertEquals(8, figure(KindFigure.STORAGE_FORCES) - forces);
        assertEquals(1, figure(KindFigure.STORAGE_SYNCS_ISSUED) - issued, "eight forces, one fsync");
    }

    @Test
    void forcesOfTwoDescriptors_getOneSyncEach_andALoneForceIsOneSync() throws Exception {
        long a = ring.open("a", O_RDWR | O_CREAT, 0644);
        long b = ring.open("a", O_RDWR, 0); // the same file, another open file description
        long issued = figure(KindFigure.STORAGE_SYNCS_ISSUED);
        quiet();
        try (CallBatch batch = ring.client.acquireBatch(4)) {
            Fsync.call(batch.queueing(0), a);
            Fsync.call(batch.queueing(1), b);
            Fdatasync.call(batch.queueing(2), a);
            Fdatasync.call(batch.queueing(3), b);
            batch.submit();
            for (int i = 0; i < 4; i++) {
                assertEquals(0, batch.await(i));
            }
        }
        assertEquals(2, figure(KindFigure.STORAGE_SYNCS_ISSUED) - issued,
                "one per open file description: a writeback error is reported to each description once");
        quiet();
        try (CallSlot slot = ring.client.acquire()) {
            assertEquals(0, Fsync.call(slot, a));
        }
        assertEquals(3, figure(KindFigure.STORAGE_SYNCS_ISSUED) - issued, "a lone force is its own fsync");
    }

    /**
     * Writes and forces interleaved in the queue, as 64 clients of one descriptor leave them: every force waits
     * for every write queued before it (checked on the file as soon as the first force answers, before any write's
     * answer is read), and the four forces cost one fsync.
     */
    @Test
    void aForceAnswers_onlyAfterEveryWriteQueuedBeforeItCompleted_andInterleavedForcesMerge() throws Exception {
        long fd = ring.open("interleaved", O_RDWR | O_CREAT, 0644);
        long forces = figure(KindFigure.STORAGE_FORCES);
        long issued = figure(KindFigure.STORAGE_SYNCS_ISSUED);
        boolean[] isWrite = {true, false, true, false, true, false, true, true, false};
        quiet();
        try (CallBatch batch = ring.client.acquireBatch(isWrite.length)) {
            int w = 0;
            for (int i = 0; i < isWrite.length; i++) {
                if (isWrite[i]) {
                    put(batch, i, "w" + w);
                    Pwrite.call(batch.queueing(i), fd, batch.slot(i).dataOffset(), 2, 2L * w++);
                } else {
                    Fsync.call(batch.queueing(i), fd);
                }
            }
            batch.submit();
            assertEquals(0, batch.await(1), "the first force");
            // Read on this process's own descriptor before any write's answer is looked at: the writes queued
            // before that force (and, here, all five) must already be in the file.
            assertEquals("w0w1w2w3w4", Files.readString(root.resolve("interleaved")));
            for (int i = 2; i < isWrite.length; i++) {
                assertEquals(isWrite[i] ? 2 : 0, batch.await(i), "call " + i);
            }
            assertEquals(2, batch.await(0));
        }
        assertEquals(4, figure(KindFigure.STORAGE_FORCES) - forces);
        assertEquals(1, figure(KindFigure.STORAGE_SYNCS_ISSUED) - issued, "four forces, one fsync");
    }

    /**
     * Sixteen threads of one descriptor, each writing its own blocks and forcing after every fourth: when a force
     * answers, every write its thread had acknowledged before is in the file (read back from this process's own
     * descriptor, in the order written), and the domain issued fewer fsyncs than it answered forces: the forces of
     * threads queued while an fsync ran went out as one.
     */
    @Test
    void manyThreadsWritingAndForcing_everyAcknowledgedWriteIsThereWhenItsForceAnswers_withFewerSyncsThanForces()
            throws Exception {
        int threads = 16;
        int rounds = 12;
        int writesPerForce = 4;
        int block = 64;
        Path file = root.resolve("group");
        long fd = ring.open("group", O_RDWR | O_CREAT, 0644);
        long forces = figure(KindFigure.STORAGE_FORCES);
        long issued = figure(KindFigure.STORAGE_SYNCS_ISSUED);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> all = new ArrayList<>();
        try (FileChannel check = FileChannel.open(file)) {
            for (int t = 0; t < threads; t++) {
                int me = t;
                all.add(Thread.ofPlatform().name("group-commit-" + t).start(() -> {
                    try {
                        for (int r = 0; r < rounds; r++) {
                            for (int k = 0; k < writesPerForce; k++) {
                                int n = r * writesPerForce + k;
                                String text = block(me, n, block);
                                long at = ((long) me * rounds * writesPerForce + n) * block;
                                long written = ring.pwrite(fd, text, at);
                                if (written != block) {
                                    failures.add("thread " + me + " write " + n + ": " + Errno.describe(written));
                                    return;
                                }
                            }
                            long forced;
                            try (CallSlot slot = ring.client.acquire()) {
                                forced = Fsync.call(slot, fd);
                            }
                            if (forced != 0) {
                                failures.add("thread " + me + " force " + r + ": " + Errno.describe(forced));
                                return;
                            }
                            int acknowledged = (r + 1) * writesPerForce;
                            for (int n = 0; n < acknowledged; n++) {
                                long at = ((long) me * rounds * writesPerForce + n) * block;
                                ByteBuffer got = ByteBuffer.allocate(block);
                                check.read(got, at);
                                String seen = new String(got.array(), 0, got.position(), StandardCharsets.UTF_8);
                                if (!seen.equals(block(me, n, block))) {
                                    failures.add("thread " + me + " force " + r + " answered, write " + n
                                            + " not in the file: '" + seen.strip() + "'");
                                    return;
                                }
                            }
                        }
                    } catch (Exception e) {
                        failures.add("thread " + me + ": " + e);
                    }
                }));
            }
            for (Thread t : all) {
                t.join();
            }
        }
        assertEquals(List.of(), List.copyOf(failures));
        long answered = figure(KindFigure.STORAGE_FORCES) - forces;
        long synced = figure(KindFigure.STORAGE_SYNCS_ISSUED) - issued;
        assertEquals((long) threads * rounds, answered, "every force answered once");
        assertTrue(synced < answered, synced + " fsyncs issued for " + answered + " forces");
    }

    private static String block(int thread, int n, int size) {
        String head = "t" + thread + "n" + n + ";";
        return head + ".".repeat(size - head.length());
    }

    /** A failed fsync answers every force it merged: none is told its data is safe. */
    @Test
    void aFailedSync_answersEveryForceItMerged_withItsError() throws Exception {
        Path fifo = root.resolve("pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        CallTable special = StorageRing.table(root, Map.of(StorageCallTableProvider.ALLOW_SPECIAL_FILES, "true"));
        try (StorageRing pipeRing = StorageRing.open(special, 1)) {
            long fd = pipeRing.open("pipe", O_RDWR, 0);
            assertTrue(fd > 0, Errno.describe(fd));
            long issued = special.figures().get(KindFigure.STORAGE_SYNCS_ISSUED);
            quiet();
            try (CallBatch batch = pipeRing.client.acquireBatch(3)) {
                Fsync.call(batch.queueing(0), fd);
                Fdatasync.call(batch.queueing(1), fd);
                Fsync.call(batch.queueing(2), fd);
                batch.submit();
                for (int i = 0; i < 3; i++) {
                    assertEquals(-Errno.EINVAL, batch.await(i), "a pipe cannot be synced: force " + i);
                }
            }
            assertEquals(1, special.figures().get(KindFigure.STORAGE_SYNCS_ISSUED) - issued);
        }
    }
}
