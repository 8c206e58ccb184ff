package dev.vos.storage.domain;

import dev.vos.ring.client.CallBatch;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.KindFigure;
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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.vos.storage.protocol.StorageFlags.O_CREAT;
import static dev.vos.storage.protocol.StorageFlags.O_RDWR;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Forces off the worker's path: the worker submits a force group's fsync and goes on serving, and answers the
 * forces when the fsync's completion is reaped. One worker serves every test here, so a call answered while a
 * force waits is a call the worker served while the fsync was in flight. An fsync is made slow on purpose by dirty
 * pages: the file is written from this process (no fsync) before the domain's force, so that its fsync writes
 * them back (tens of milliseconds on the disk under the temporary directory) while the test looks.
 */
@Timeout(120)
class ForcesInFlightTest {

    /** Dirty bytes before a slow force: enough writeback for an fsync of tens of milliseconds. */
    private static final int DIRTY_BYTES = 96 << 20;

    @TempDir
    Path root;

    private CallTable table;
    private StorageRing ring;

    @BeforeEach
    void setUp() throws Exception {
        // Reads from mappings off: the reads here go through the worker's batch or its synchronous path, the
        // calls a worker waiting in an fsync could not serve.
        table = StorageRing.table(root, Map.of(StorageCallTableProvider.MAP_READS, "false"));
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

    private static String text(CallBatch batch, int i, long n) {
        return n < 0 ? Errno.describe(n)
                : new String(batch.slot(i).data().asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** Dirties {@link #DIRTY_BYTES} of {@code name} from this process, without an fsync. */
    private void dirty(String name) throws Exception {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        try (FileChannel ch = FileChannel.open(root.resolve(name), StandardOpenOption.WRITE,
                StandardOpenOption.CREATE)) {
            for (long at = 0; at < DIRTY_BYTES; at += chunk.capacity()) {
                chunk.clear();
                chunk.put(0, (byte) (at >> 20));
                ch.write(chunk, at);
            }
        }
    }

    /** A force of {@code fd} on its own thread; its answer is the future's value. */
    private CompletableFuture<Long> forceOnItsOwnThread(long fd) {
        CompletableFuture<Long> answer = new CompletableFuture<>();
        Thread.ofPlatform().name("force").start(() -> {
            try (CallSlot slot = ring.client.acquire()) {
                answer.complete(Fsync.call(slot, fd));
            } catch (Throwable t) {
                answer.completeExceptionally(t);
            }
        });
        return answer;
    }

    /** Waits until the domain has issued {@code n} more fsyncs than {@code before}. */
    private void awaitSyncsIssued(long before, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (figure(KindFigure.STORAGE_SYNCS_ISSUED) - before < n) {
            assertTrue(System.nanoTime() < deadline, "the domain never issued the fsync");
            Thread.sleep(1);
        }
    }

    @Test
    void anotherClientsReadsAndWrites_areAnswered_whileAForceIsInFlight() throws Exception {
        dirty("slow");
        Files.writeString(root.resolve("other"), "other-data");
        long slow = ring.open("slow", O_RDWR, 0);
        long other = ring.open("other", O_RDWR, 0);
        long issued = figure(KindFigure.STORAGE_SYNCS_ISSUED);
        long beside = figure(KindFigure.STORAGE_CALLS_BESIDE_SYNC);
        CompletableFuture<Long> force = forceOnItsOwnThread(slow);
        awaitSyncsIssued(issued, 1);
        assertEquals("other-data", ring.pread(other, 10, 0), "a read of another descriptor");
        assertEquals(5, ring.pwrite(other, "OTHER", 0), "a write of another descriptor");
        assertEquals("OTHER-data", ring.pread(other, 10, 0));
        assertFalse(force.isDone(), "the force answered before the calls queued after it: its fsync was too quick"
                + " to show anything, or the worker waited in it");
        assertEquals(0, force.get(60, TimeUnit.SECONDS));
        assertTrue(figure(KindFigure.STORAGE_CALLS_BESIDE_SYNC) - beside >= 3,
                "the domain counts calls it answered while an fsync was in flight");
    }

    /**
     * A force that comes while its descriptor's fsync is in flight is not issued at once: it waits, with every
     * other force that comes meanwhile, for the next fsync, issued when the one in flight completes (a fsync
     * issued earlier may not cover a write that completed after it was issued). Three forces, two fsyncs, each
     * force answered once.
     */
    @Test
    void forcesComingWhileTheirDescriptorsSyncIsInFlight_waitForTheNextOne_andEachIsAnsweredOnce() throws Exception {
        dirty("slow");
        long fd = ring.open("slow", O_RDWR, 0);
        long issued = figure(KindFigure.STORAGE_SYNCS_ISSUED);
        long forces = figure(KindFigure.STORAGE_FORCES);
        CompletableFuture<Long> first = forceOnItsOwnThread(fd);
        awaitSyncsIssued(issued, 1);
        try (CallBatch batch = ring.client.acquireBatch(3)) {
            put(batch, 0, "after");
            Pwrite.call(batch.queueing(0), fd, batch.slot(0).dataOffset(), 5, 0);
            Fsync.call(batch.queueing(1), fd);
            Fdatasync.call(batch.queueing(2), fd);
            batch.submit();
            assertEquals(5, batch.await(0), "a write queued while the fsync is in flight");
            assertEquals(0, batch.await(1));
            assertEquals(0, batch.await(2));
        }
        assertEquals(0, first.get(60, TimeUnit.SECONDS));
        assertEquals(3, figure(KindFigure.STORAGE_FORCES) - forces, "every force answered once");
        assertEquals(2, figure(KindFigure.STORAGE_SYNCS_ISSUED) - issued,
                "the two forces that came during the first fsync share the next");
    }

    /**
     * One client's write, force and read of the same range queued together, on two descriptors: each force answers
     * after its own descriptor's write is in the file (read from this process's own descriptor when the force
     * answers), each read sees its write, and the two descriptors get one fsync each.
     */
    @Test
    void aWriteThenAForceThenARead_ofTheSameRange_onTwoDescriptors_keepTheirOrder() throws Exception {
        long a = ring.open("a", O_RDWR | O_CREAT, 0644);
        long b = ring.open("b", O_RDWR | O_CREAT, 0644);
        long issued = figure(KindFigure.STORAGE_SYNCS_ISSUED);
        Thread.sleep(30); // past the worker's idle spin: the batch is queued whole before it wakes
        try (CallBatch batch = ring.client.acquireBatch(6)) {
            put(batch, 0, "AAAA");
            Pwrite.call(batch.queueing(0), a, batch.slot(0).dataOffset(), 4, 0);
            Fsync.call(batch.queueing(1), a);
            Pread.call(batch.queueing(2), a, batch.slot(2).dataOffset(), 4, 0);
            put(batch, 3, "BBBB");
            Pwrite.call(batch.queueing(3), b, batch.slot(3).dataOffset(), 4, 0);
            Fdatasync.call(batch.queueing(4), b);
            Pread.call(batch.queueing(5), b, batch.slot(5).dataOffset(), 4, 0);
            batch.submit();
            assertEquals(0, batch.await(1));
            assertEquals("AAAA", Files.readString(root.resolve("a")), "a's write is in the file at its force");
            assertEquals(0, batch.await(4));
            assertEquals("BBBB", Files.readString(root.resolve("b")), "b's write is in the file at its force");
            assertEquals("AAAA", text(batch, 2, batch.await(2)));
            assertEquals("BBBB", text(batch, 5, batch.await(5)));
            assertEquals(4, batch.await(0));
            assertEquals(4, batch.await(3));
        }
        assertEquals(2, figure(KindFigure.STORAGE_SYNCS_ISSUED) - issued, "one fsync per descriptor");
    }

    /** A lone force, its queue empty, is an fsync in flight too: a lone client pays the io_uring's hop, no more. */
    @Test
    void aLoneForce_isAnsweredWithItsSyncsResult() throws Exception {
        long fd = ring.open("lone", O_RDWR | O_CREAT, 0644);
        assertEquals(4, ring.pwrite(fd, "lone", 0));
        long forces = figure(KindFigure.STORAGE_FORCES);
        long issued = figure(KindFigure.STORAGE_SYNCS_ISSUED);
        try (CallSlot slot = ring.client.acquire()) {
            assertEquals(0, Fsync.call(slot, fd));
        }
        assertEquals(1, figure(KindFigure.STORAGE_FORCES) - forces);
        assertEquals(1, figure(KindFigure.STORAGE_SYNCS_ISSUED) - issued);
        assertEquals(-Errno.EBADF, (long) ring.onPaths(p -> Fsync.call(p.slot(), fd + 1)), "a bad descriptor");
    }
}
