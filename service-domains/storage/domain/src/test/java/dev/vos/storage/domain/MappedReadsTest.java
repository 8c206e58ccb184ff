package dev.vos.storage.domain;

import dev.vos.ring.client.CallBatch;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.KindFigure;
import dev.vos.storage.protocol.StorageCalls.Close;
import dev.vos.storage.protocol.StorageCalls.Ftruncate;
import dev.vos.storage.protocol.StorageCalls.Pread;
import dev.vos.storage.protocol.StorageCalls.Pwrite;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static dev.vos.storage.protocol.StorageFlags.O_CREAT;
import static dev.vos.storage.protocol.StorageFlags.O_RDONLY;
import static dev.vos.storage.protocol.StorageFlags.O_RDWR;
import static dev.vos.storage.protocol.StorageFlags.O_TRUNC;
import static dev.vos.storage.protocol.StorageFlags.O_WRONLY;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads served from the domain's mapping of a file ({@link ReadMapping}) against what pread answers for the same file
 * at the same moment: the bytes and the count at every offset that matters, after the file grew or shrank through vos
 * and from outside it, and the descriptors that must never be mapped. The expected answer is the host's own pread
 * (a {@link FileChannel} positional read of the same file in the export root), taken right after the vos read.
 */
@Timeout(120)
class MappedReadsTest {

    private static final int PAGE = 4096;

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

    private static byte[] random(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** The vos pread's answer: its bytes, or a one-element array holding nothing but the errno marker. */
    private Answer vosRead(long fd, int count, long offset) throws Exception {
        try (CallSlot slot = ring.client.acquire()) {
            long n = Pread.call(slot, fd, slot.dataOffset(), count, offset);
            return n < 0 ? new Answer(n, null) : new Answer(n, slot.data().asSlice(0, n).toArray(JAVA_BYTE));
        }
    }

    /** The host's pread of the same file now. */
    private Answer hostRead(String name, int count, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(root.resolve(name), StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(count);
            int n = ch.read(buf, offset);
            n = Math.max(n, 0); // the JDK's -1 at the end is pread's 0
            return new Answer(n, Arrays.copyOf(buf.array(), n));
        }
    }

    /** A read's result and bytes. */
    record Answer(long result, byte[] bytes) {
        void assertSame(Answer vos, String what) {
            assertEquals(result, vos.result, what + ": count");
            assertArrayEquals(bytes, vos.bytes, what + ": bytes");
        }
    }

    private void assertReadsAsPread(long fd, String name, int count, long offset) throws Exception {
        Answer vos = vosRead(fd, count, offset);
        hostRead(name, count, offset).assertSame(vos, "pread(" + count + " at " + offset + ")");
    }

    /** The domain's mappings of {@code file} (this process is the domain): lines of /proc/self/maps naming it. */
    private static long mappingsOf(Path file) throws IOException {
        String real = file.toRealPath().toString();
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.endsWith(" " + real) || l.endsWith(" " + real + " (deleted)")).count();
        }
    }

    /** The count a pread through {@code r} answers (or -errno). */
    private static long readCount(StorageRing r, long fd, int count, long offset) throws Exception {
        try (CallSlot slot = r.client.acquire()) {
            return Pread.call(slot, fd, slot.dataOffset(), count, offset);
        }
    }

    private long close(long fd) throws Exception {
        try (CallSlot slot = ring.client.acquire()) {
            return Close.call(slot, fd);
        }
    }

    private long ftruncate(long fd, long length) throws Exception {
        try (CallSlot slot = ring.client.acquire()) {
            return Ftruncate.call(slot, fd, length);
        }
    }

    @Test
    void readsAtEveryInterestingOffset_answerPreadsBytesAndCount_fromTheMapping() throws Exception {
        int size = 3 * PAGE + 100;
        Files.write(root.resolve("f"), random(size, 1));
        long fd = ring.open("f", O_RDONLY, 0);
        long mapped = figure(KindFigure.STORAGE_READS_MAPPED);
        long[][] cases = {
            {PAGE, 0}, {1, 0}, {100, 2000}, {PAGE, 2000}, {PAGE, PAGE}, {100, 3 * PAGE}, {50, 3 * PAGE + 50},
            {200, 3 * PAGE}, {PAGE, 3 * PAGE - 10}, {1, size - 1}, {1, size}, {PAGE, size}, {10, size + 1},
            {10, size + PAGE}, {10, 1L << 40}, {2 * PAGE, size - PAGE}, {size, 0}, {size + 1, 0},
        };
        for (int round = 0; round < 3; round++) {
            for (long[] c : cases) {
                assertReadsAsPread(fd, "f", (int) c[0], c[1]);
            }
        }
        assertTrue(figure(KindFigure.STORAGE_READS_MAPPED) - mapped >= 3 * 9,
                "the reads inside the file came from the mapping");
        assertEquals(1, mappingsOf(root.resolve("f")));
    }

    @Test
    void afterAPwriteThroughVosExtendsTheFile_readsFindTheNewBytes() throws Exception {
        Files.write(root.resolve("g"), random(PAGE + 10, 2));
        long fd = ring.open("g", O_RDWR, 0);
        assertReadsAsPread(fd, "g", PAGE, 0); // maps it
        assertEquals(5, ring.pwrite(fd, "HELLO", PAGE + 500));
        for (long at : new long[] {PAGE, PAGE + 10, PAGE + 500, PAGE + 503, PAGE + 505}) {
            assertReadsAsPread(fd, "g", 100, at);
        }
        long mapped = figure(KindFigure.STORAGE_READS_MAPPED);
        assertReadsAsPread(fd, "g", 5, PAGE + 500);
        assertEquals(mapped + 1, figure(KindFigure.STORAGE_READS_MAPPED), "the written range is known and mapped");
    }

    @Test
    void afterAnFtruncateThroughVosShrinksTheFile_theCutRangeReadsShortOrZero_throughEveryDescriptor()
            throws Exception {
        int size = 4 * PAGE;
        Files.write(root.resolve("h"), random(size, 3));
        long reader = ring.open("h", O_RDONLY, 0);
        long writer = ring.open("h", O_WRONLY, 0);
        try (StorageRing other = StorageRing.open(table, 1)) {
            long elsewhere = other.open("h", O_RDONLY, 0);
            assertReadsAsPread(reader, "h", PAGE, 3 * PAGE);
            assertEquals(PAGE, readCount(other, elsewhere, PAGE, 3 * PAGE)); // mapped in another session too
            long cut = PAGE + 123; // not a page boundary: the last page's tail is zeros in the mapping, no fault
            assertEquals(0, ftruncate(writer, cut));
            for (long at : new long[] {0, PAGE, cut - 1, cut, cut + 1, 2 * PAGE, 3 * PAGE}) {
                assertReadsAsPread(reader, "h", PAGE, at);
                assertReadsAsPread(reader, "h", 100, at);
            }
            assertEquals(123, readCount(other, elsewhere, PAGE, PAGE), "the other session's read is short too");
            assertEquals(0, ftruncate(writer, 3 * PAGE)); // grows again: zeros, as pread reads them
            for (long at : new long[] {0, PAGE, cut, 2 * PAGE, 3 * PAGE - 1, 3 * PAGE}) {
                assertReadsAsPread(reader, "h", PAGE, at);
            }
        }
    }

    @Test
    void anOpenWithOTruncThroughVos_cutsWhatMappedReadsAnswer() throws Exception {
        Files.write(root.resolve("t"), random(2 * PAGE + 7, 4));
        long reader = ring.open("t", O_RDONLY, 0);
        assertReadsAsPread(reader, "t", PAGE, 0);
        long writer = ring.open("t", O_WRONLY | O_TRUNC, 0);
        // Written before any read: page 0 exists again, so a read of it from the mapping would not fault, and
        // would answer 4096 bytes (3 and a zeroed tail) unless the open lowered the known size.
        assertEquals(3, ring.pwrite(writer, "abc", 0));
        assertReadsAsPread(reader, "t", PAGE, 0);
        assertReadsAsPread(reader, "t", 3, 0);
        assertReadsAsPread(reader, "t", PAGE, 3);
    }

    @Test
    void aFileCutOutsideVosAtAPageBoundary_isCaughtByTheFault_andReadsAsPread() throws Exception {
        Files.write(root.resolve("o"), random(4 * PAGE, 5));
        long fd = ring.open("o", O_RDONLY, 0);
        assertReadsAsPread(fd, "o", PAGE, 3 * PAGE);
        try (FileChannel ch = FileChannel.open(root.resolve("o"), StandardOpenOption.WRITE)) {
            ch.truncate(PAGE); // pages 1-3 now have nothing behind them: a copy from them faults
        }
        for (long at : new long[] {3 * PAGE, 2 * PAGE + 5, PAGE, PAGE - 10, 0}) {
            assertReadsAsPread(fd, "o", PAGE, at);
        }
    }

    @Test
    void aFileCutOutsideVosInsideAPage_readsAsPreadWithinTheCheckInterval_andNeverShowsOldBytes() throws Exception {
        byte[] content = random(4 * PAGE, 6);
        Files.write(root.resolve("p"), content);
        long fd = ring.open("p", O_RDONLY, 0);
        assertReadsAsPread(fd, "p", PAGE, 0);
        int cut = 2 * PAGE + 1000;
        try (FileChannel ch = FileChannel.open(root.resolve("p"), StandardOpenOption.WRITE)) {
            ch.truncate(cut);
        }
        // The range [cut, 3 * PAGE) is the zeroed tail of the new last page: a mapping answers it without a fault.
        // The domain cannot learn of the cut without a system call, so it re-checks the size every CHECK_EVERY reads.
        Answer pread = hostRead("p", 500, cut - 100);
        int wrong = 0;
        for (int i = 0; i < KnownSize.CHECK_EVERY + 1; i++) {
            Answer vos = vosRead(fd, 500, cut - 100);
            if (vos.result() == pread.result()) {
                pread.assertSame(vos, "read " + i);
                continue;
            }
            wrong++;
            assertEquals(wrong, i + 1, "once the size was checked, every read is pread's");
            assertEquals(500, vos.result(), "the stale answer is the old count");
            assertArrayEquals(Arrays.copyOfRange(content, cut - 100, cut), Arrays.copyOf(vos.bytes(), 100));
            assertArrayEquals(new byte[400], Arrays.copyOfRange(vos.bytes(), 100, 500), "zeros, never old bytes");
        }
        assertTrue(wrong < KnownSize.CHECK_EVERY, wrong + " stale answers");
        pread.assertSame(vosRead(fd, 500, cut - 100), "after the check");
    }

    @Test
    void aFileExtendedOutsideVos_readsTheNewBytes_andThenMapsThem() throws Exception {
        Files.write(root.resolve("x"), random(PAGE, 7));
        long fd = ring.open("x", O_RDONLY, 0);
        assertReadsAsPread(fd, "x", PAGE, 0);
        try (FileChannel ch = FileChannel.open(root.resolve("x"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(random(PAGE, 8)), PAGE);
        }
        assertReadsAsPread(fd, "x", PAGE, PAGE); // past the known size: pread, which teaches the size
        long mapped = figure(KindFigure.STORAGE_READS_MAPPED);
        assertReadsAsPread(fd, "x", PAGE, PAGE);
        assertEquals(mapped + 1, figure(KindFigure.STORAGE_READS_MAPPED));
    }

    @Test
    void anEmptyFileThatGrows_isMappedOnceItHasBytes() throws Exception {
        long fd = ring.open("e", O_RDWR | O_CREAT, 0644);
        assertReadsAsPread(fd, "e", 10, 0);
        assertEquals(0, mappingsOf(root.resolve("e")));
        assertEquals(4, ring.pwrite(fd, "data", 0));
        assertReadsAsPread(fd, "e", 10, 0);
        assertReadsAsPread(fd, "e", 4, 0);
        assertEquals(1, mappingsOf(root.resolve("e")));
    }

    @Test
    void closeUnmaps_andAWriteOnlyDescriptorOrADirectoryNeverMaps() throws Exception {
        Files.write(root.resolve("c"), random(PAGE, 9));
        Files.createDirectory(root.resolve("d"));
        long fd = ring.open("c", O_RDONLY, 0);
        assertReadsAsPread(fd, "c", 100, 0);
        assertEquals(1, mappingsOf(root.resolve("c")));
        assertEquals(0, close(fd));
        assertEquals(0, mappingsOf(root.resolve("c")), "close unmapped it");
        long writeOnly = ring.open("c", O_WRONLY, 0);
        assertEquals("-EBADF", ring.pread(writeOnly, 10, 0), "pread's answer on a write-only descriptor");
        long dir = ring.open("d", O_RDONLY, 0);
        assertEquals("-EISDIR", ring.pread(dir, 10, 0));
        assertEquals(0, mappingsOf(root.resolve("c")));
        assertEquals(0, mappingsOf(root.resolve("d")));
    }

    @Test
    void aSessionThatEnds_unmapsEverything() throws Exception {
        Files.write(root.resolve("s"), random(PAGE, 10));
        try (StorageRing other = StorageRing.open(table, 1)) {
            long fd = other.open("s", O_RDONLY, 0);
            assertEquals(PAGE, readCount(other, fd, PAGE, 0));
            assertEquals(1, mappingsOf(root.resolve("s")));
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (mappingsOf(root.resolve("s")) != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, mappingsOf(root.resolve("s")));
    }

    @Test
    void aClientOpeningManyFiles_hitsTheCap_andStillReadsCorrectly() throws Exception {
        Files.createDirectory(root.resolve("many"));
        int files = DescriptorTable.MAX_MAPPINGS + 20;
        long[] fds = new long[files];
        for (int i = 0; i < files; i++) {
            Files.write(root.resolve("many/" + i), random(PAGE + i, 100 + i));
            fds[i] = ring.open("many/" + i, O_RDONLY, 0);
        }
        long trapped = figure(KindFigure.STORAGE_READS_TRAPPED);
        for (int i = 0; i < files; i++) {
            assertReadsAsPread(fds[i], "many/" + i, PAGE, i);
        }
        long mapped = 0;
        for (int i = 0; i < files; i++) {
            mapped += mappingsOf(root.resolve("many/" + i));
        }
        assertEquals(DescriptorTable.MAX_MAPPINGS, mapped, "the session's cap");
        assertTrue(figure(KindFigure.STORAGE_READS_TRAPPED) - trapped >= 20, "past the cap, reads are preads");
        for (int i = 0; i < 10; i++) {
            assertEquals(0, close(fds[i]));
        }
        Files.write(root.resolve("late"), random(PAGE, 99));
        long late = ring.open("late", O_RDONLY, 0);
        assertReadsAsPread(late, "late", PAGE, 0);
        assertEquals(1, mappingsOf(root.resolve("late")), "closing gave the cap back");
    }

    @Test
    void aWriteQueuedBeforeAReadOfItsRange_landsFirst_evenWhenTheReadCouldBeMapped() throws Exception {
        Files.write(root.resolve("b"), random(2 * PAGE, 11));
        long fd = ring.open("b", O_RDWR, 0);
        assertReadsAsPread(fd, "b", PAGE, 0); // mapped
        Thread.sleep(30); // the worker falls asleep: the batch is queued whole before it wakes
        long r0;
        long r1;
        long r2;
        byte[] got;
        try (CallBatch batch = ring.client.acquireBatch(3)) {
            MemorySegment.copy("WRITTEN".getBytes(), 0, batch.slot(1).data(), JAVA_BYTE, 0, 7);
            Pread.call(batch.queueing(0), fd, batch.slot(0).dataOffset(), 16, PAGE);
            Pwrite.call(batch.queueing(1), fd, batch.slot(1).dataOffset(), 7, 100);
            Pread.call(batch.queueing(2), fd, batch.slot(2).dataOffset(), 7, 100);
            batch.submit();
            r0 = batch.await(0);
            r1 = batch.await(1);
            r2 = batch.await(2);
            got = batch.slot(2).data().asSlice(0, 7).toArray(JAVA_BYTE);
        }
        assertEquals(List.of(16L, 7L, 7L), List.of(r0, r1, r2), Errno.describe(Math.min(r0, Math.min(r1, r2))));
        assertEquals("WRITTEN", new String(got));
    }

    @Test
    void aLargeReadQueuedWhole_isCopiedFromTheMappingChunkByChunk_andItsChunkPastTheEndIsReadByTheKernel()
            throws Exception {
        int chunk;
        try (CallSlot slot = ring.client.acquire()) {
            chunk = (int) slot.data().byteSize();
        }
        byte[] bytes = random(3 * chunk + chunk / 2, 13);
        Files.write(root.resolve("large"), bytes);
        long fd = ring.open("large", O_RDONLY, 0);
        assertReadsAsPread(fd, "large", PAGE, 0); // maps the file, known to be 3.5 chunks long
        long mapped = figure(KindFigure.STORAGE_READS_MAPPED);
        long trapped = figure(KindFigure.STORAGE_READS_TRAPPED);
        Thread.sleep(30); // the worker falls asleep: the read's four chunks are queued whole before it wakes
        long[] counts = new long[4];
        byte[] got = new byte[bytes.length];
        try (CallBatch batch = ring.client.acquireBatch(4)) {
            for (int i = 0; i < 4; i++) {
                Pread.call(batch.queueing(i), fd, batch.slot(i).dataOffset(), chunk, (long) i * chunk);
            }
            batch.submit();
            for (int i = 0; i < 4; i++) {
                counts[i] = batch.await(i);
                if (counts[i] > 0) {
                    MemorySegment.copy(batch.slot(i).data(), JAVA_BYTE, 0, got, i * chunk, (int) counts[i]);
                }
            }
        }
        assertEquals(List.of((long) chunk, (long) chunk, (long) chunk, (long) chunk / 2),
                Arrays.stream(counts).boxed().toList(), "pread's counts, the last one short at the end");
        assertArrayEquals(bytes, got);
        assertEquals(3, figure(KindFigure.STORAGE_READS_MAPPED) - mapped, "the chunks inside the known size");
        assertEquals(1, figure(KindFigure.STORAGE_READS_TRAPPED) - trapped, "the chunk that reaches past it");
    }

    @Test
    void withMappingsOff_everyReadIsAPread() throws Exception {
        CallTable off = StorageRing.table(root, Map.of(StorageCallTableProvider.MAP_READS, "false"));
        Files.write(root.resolve("n"), random(PAGE, 12));
        try (StorageRing plain = StorageRing.open(off, 1)) {
            long fd = plain.open("n", O_RDONLY, 0);
            assertEquals(PAGE, readCount(plain, fd, PAGE, 0));
            assertEquals(0, mappingsOf(root.resolve("n")));
            assertEquals(0, off.figures().get(KindFigure.STORAGE_READS_MAPPED));
            assertEquals(1, off.figures().get(KindFigure.STORAGE_READS_TRAPPED));
        }
    }

    @Test
    void fourWorkers_readersRacingCloseTruncateAndOutsideCuts_getPreadsAnswersOrEbadf_neverACrashOrEio()
            throws Exception {
        byte[] content = random(16 * PAGE, 13);
        Files.write(root.resolve("r"), content);
        try (StorageRing four = StorageRing.open(table, 4)) {
            long writer = four.open("r", O_WRONLY, 0);
            AtomicLong shared = new AtomicLong(four.open("r", O_RDONLY, 0));
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong reads = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int me = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    Random random = new Random(me);
                    try {
                        while (running.get()) {
                            int count = 1 + random.nextInt(2 * PAGE);
                            long offset = random.nextInt(17 * PAGE);
                            try (CallSlot slot = four.client.acquire()) {
                                long n = Pread.call(slot, shared.get(), slot.dataOffset(), count, offset);
                                reads.incrementAndGet();
                                if (n == -Errno.EBADF) {
                                    continue; // closed by the churn thread meanwhile: pread's answer too
                                }
                                if (n < 0 || n > count) {
                                    failures.add("pread(" + count + " at " + offset + ") = " + Errno.describe(n));
                                    continue;
                                }
                                byte[] got = slot.data().asSlice(0, n).toArray(JAVA_BYTE);
                                for (int i = 0; i < n; i++) {
                                    byte want = offset + i < content.length ? content[(int) (offset + i)] : 0;
                                    if (got[i] != want && got[i] != 0) {
                                        failures.add("byte " + (offset + i) + " is neither the file's nor a cut's");
                                        break;
                                    }
                                }
                            }
                        }
                    } catch (Exception e) {
                        failures.add("reader " + me + ": " + e);
                    }
                }));
            }
            long end = System.nanoTime() + 3_000_000_000L;
            Random random = new Random(99);
            try (FileChannel outside = FileChannel.open(root.resolve("r"), StandardOpenOption.WRITE)) {
                for (int round = 0; System.nanoTime() < end; round++) {
                    long cut = random.nextInt(16 * PAGE);
                    switch (round % 3) {
                        case 0 -> assertEquals(0, ftruncate(four, writer, cut));
                        case 1 -> outside.truncate(cut); // faults for the readers' mappings: caught, answered by pread
                        default -> {
                            long old = shared.get();
                            shared.set(four.open("r", O_RDONLY, 0));
                            try (CallSlot slot = four.client.acquire()) {
                                assertEquals(0, Close.call(slot, old));
                            }
                        }
                    }
                    outside.write(ByteBuffer.wrap(content, (int) cut, content.length - (int) cut), cut);
                }
            } finally {
                running.set(false);
                for (Thread t : threads) {
                    t.join();
                }
            }
            assertEquals(List.of(), List.copyOf(failures));
            assertTrue(reads.get() > 100, reads.get() + " reads");
            assertTrue(figure(KindFigure.STORAGE_READS_MAPPED) > 0);
        }
    }

    @Test
    void faultsOfAHotCopy_areAnsweredByPread_everyTime() throws Exception {
        byte[] content = random(16 * PAGE, 14);
        Files.write(root.resolve("hot"), content);
        long fd = ring.open("hot", O_RDONLY, 0);
        for (int i = 0; i < 20_000; i++) { // the copy path compiled, where a fault's error is delivered late
            assertEquals(PAGE, vosRead(fd, PAGE, (i % 16) * (long) PAGE).result());
        }
        try (FileChannel outside = FileChannel.open(root.resolve("hot"), StandardOpenOption.WRITE)) {
            for (int round = 0; round < 300; round++) {
                outside.truncate(PAGE);
                Answer cut = vosRead(fd, PAGE, 8 * PAGE);
                assertEquals(0, cut.result(), "round " + round + ": " + Errno.describe(cut.result()));
                outside.write(ByteBuffer.wrap(content, PAGE, content.length - PAGE), PAGE);
                assertEquals(PAGE, vosRead(fd, PAGE, 15 * PAGE).result()); // a pread: teaches the size again
                Answer again = vosRead(fd, PAGE, 8 * PAGE); // from the mapping again
                assertArrayEquals(Arrays.copyOfRange(content, 8 * PAGE, 9 * PAGE), again.bytes(), "round " + round);
            }
        }
    }

    private static long ftruncate(StorageRing r, long fd, long length) throws Exception {
        try (CallSlot slot = r.client.acquire()) {
            return Ftruncate.call(slot, fd, length);
        }
    }
}
