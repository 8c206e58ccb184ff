package dev.vos.sys;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static dev.vos.sys.IoUringLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The io_uring binding against the real kernel and real files in a temporary directory. */
@Timeout(30)
class IoUringTest {

    /** {@code __NR_openat}, {@code O_RDWR}, {@code AT_FDCWD}: the file is opened by the kernel, not the JDK. */
    private static final long SYS_OPENAT = 257;
    private static final int O_RDWR = 2;
    private static final long AT_FDCWD = -100;

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofConfined();
    private IoUring ring;

    @BeforeEach
    void setUp() throws Exception {
        ring = IoUring.create(32);
    }

    @AfterEach
    void tearDown() {
        ring.close();
        arena.close();
    }

    private int open(Path file) {
        MemorySegment name = arena.allocateFrom(file.toString());
        int fd = (int) Linux.syscallErrno(SYS_OPENAT, AT_FDCWD, name.address(), O_RDWR, 0, 0, 0);
        assertTrue(fd >= 0, Errno.describe(fd));
        return fd;
    }

    private static Map<Long, Integer> reapAll(IoUring ring) {
        Map<Long, Integer> results = new HashMap<>();
        ring.reap((userData, result) -> assertNull(results.put(userData, result), "user data " + userData));
        return results;
    }

    @Test
    void layout_matchesTheKernelHeadersSizes() {
        assertEquals(120, PARAMS_BYTES);
        assertEquals(40, PARAMS_SQ_OFF_OFFSET);
        assertEquals(80, PARAMS_CQ_OFF_OFFSET);
        assertEquals(32, SQE_USER_DATA_OFFSET);
        assertEquals(28, SQE_OP_FLAGS_OFFSET);
        assertEquals(16, CQE_BYTES);
        assertEquals(24, SQ_OFF_ARRAY);
        assertEquals(20, CQ_OFF_CQES);
    }

    @Test
    void aBatchOf32Reads_inOneEnter_readsWhatPreadReads() throws Exception {
        byte[] content = new byte[32 * 4096];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + i / 4096);
        }
        Path file = dir.resolve("data");
        Files.write(file, content);
        int fd = open(file);
        try {
            MemorySegment buffers = arena.allocate(content.length, 4096);
            // backwards, so that completion order and user data are not simply the file's order
            for (int i = 31; i >= 0; i--) {
                assertTrue(ring.prepareRead(fd, buffers.address() + i * 4096L, 4096, i * 4096L, 1000 + i));
            }
            assertEquals(32, ring.unsubmitted());
            assertEquals(32, ring.submitAndWait(32));
            Map<Long, Integer> results = reapAll(ring);
            assertEquals(32, results.size());
            for (int i = 0; i < 32; i++) {
                assertEquals(4096, results.get(1000L + i), "read " + i);
            }
            assertArrayEquals(content, buffers.toArray(JAVA_BYTE));
        } finally {
            Linux.close(fd);
        }
    }

    @Test
    void writesThenFsync_areOnTheFile_andAShortReadAtTheEndSaysSo() throws Exception {
        Path file = dir.resolve("written");
        Files.write(file, new byte[0]);
        int fd = open(file);
        try {
            MemorySegment block = arena.allocate(8192);
            for (int i = 0; i < 8192; i++) {
                block.set(JAVA_BYTE, i, (byte) (i % 251));
            }
            assertTrue(ring.prepareWrite(fd, block.address(), 4096, 0, 1));
            assertTrue(ring.prepareWrite(fd, block.address() + 4096, 4096, 4096, 2));
            assertEquals(2, ring.submitAndWait(2));
            Map<Long, Integer> writes = reapAll(ring);
            assertEquals(Map.of(1L, 4096, 2L, 4096), writes);
            assertTrue(ring.prepareFsync(fd, false, 3));
            assertTrue(ring.prepareFsync(fd, true, 4));
            assertEquals(2, ring.submitAndWait(2));
            assertEquals(Map.of(3L, 0, 4L, 0), reapAll(ring));
            byte[] onDisk = Files.readAllBytes(file);
            assertArrayEquals(block.toArray(JAVA_BYTE), onDisk);

            MemorySegment tail = arena.allocate(4096);
            assertTrue(ring.prepareRead(fd, tail.address(), 4096, 6000, 5));
            ring.submitAndWait(1);
            assertEquals(Map.of(5L, 8192 - 6000), reapAll(ring));
        } finally {
            Linux.close(fd);
        }
    }

    @Test
    void aBadDescriptor_completesWithEbadf_andTheOthersInTheBatchStillComplete() throws Exception {
        Path file = dir.resolve("small");
        Files.write(file, new byte[] {1, 2, 3});
        int fd = open(file);
        try {
            MemorySegment buffer = arena.allocate(16);
            assertTrue(ring.prepareRead(1 << 20, buffer.address(), 16, 0, 7));
            assertTrue(ring.prepareRead(fd, buffer.address(), 16, 0, 8));
            assertTrue(ring.prepareNop(9));
            assertEquals(3, ring.submitAndWait(3));
            assertEquals(Map.of(7L, -Errno.EBADF, 8L, 3, 9L, 0), reapAll(ring));
        } finally {
            Linux.close(fd);
        }
    }

    @Test
    void aFullQueue_refusesMore_untilSubmitted_andWrapsAroundManyTimes() throws Exception {
        Path file = dir.resolve("laps");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(4096);
        }
        int fd = open(file);
        try {
            MemorySegment buffer = arena.allocate(64);
            long expected = 0;
            for (int lap = 0; lap < 10; lap++) {
                int prepared = 0;
                while (ring.prepareRead(fd, buffer.address(), 64, 0, expected + prepared)) {
                    prepared++;
                }
                assertEquals(ring.entries(), prepared, "the queue holds exactly its entries");
                assertEquals(prepared, ring.submitAndWait(prepared));
                Map<Long, Integer> results = reapAll(ring);
                assertEquals(prepared, results.size());
                for (long u = expected; u < expected + prepared; u++) {
                    assertEquals(64, results.get(u));
                }
                expected += prepared;
            }
        } finally {
            Linux.close(fd);
        }
    }

    /**
     * An fsync submitted without waiting completes on the kernel's side while this thread does other things; a
     * peek (no wait) then finds its completion, as a worker that went on serving finds its force's answer.
     */
    @Test
    void anFsyncSubmittedWithoutWaiting_isFoundByAPeek_once() throws Exception {
        Path file = dir.resolve("synced");
        Files.write(file, new byte[1 << 20]);
        int fd = open(file);
        try {
            assertTrue(ring.prepareFsync(fd, false, 7));
            assertEquals(1, ring.submitAndWait(0), "submitted, not waited for");
            Map<Long, Integer> results = new HashMap<>();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (results.isEmpty() && System.nanoTime() < deadline) {
                assertTrue(ring.submitAndPeek() >= 0);
                results.putAll(reapAll(ring));
            }
            assertEquals(Map.of(7L, 0), results);
            assertTrue(ring.submitAndPeek() >= 0);
            assertEquals(Map.of(), reapAll(ring), "each completion is reaped once");
        } finally {
            Linux.close(fd);
        }
    }

    @Test
    void aTimedWait_withNothingInFlight_endsWithEtime_afterAboutItsTimeout() {
        assumeTrue(ring.timedWaits(), "this kernel's io_uring takes no timeout");
        long start = System.nanoTime();
        assertEquals(-Errno.ETIME, ring.submitAndWait(1, 20_000_000L));
        long tookNs = System.nanoTime() - start;
        assertTrue(tookNs >= 15_000_000L && tookNs < 5_000_000_000L, "waited " + tookNs + " ns for 20 ms");
        assertTrue(ring.prepareNop(3));
        assertEquals(1, ring.submitAndWait(1, 1_000_000_000L), "a completion ends the wait");
        assertEquals(Map.of(3L, 0), reapAll(ring));
    }

    @Test
    void aClosedRing_refusesUse_insteadOfTouchingUnmappedMemory() {
        ring.close();
        assertThrows(IllegalStateException.class, () -> ring.prepareNop(1));
        assertThrows(IllegalStateException.class, () -> ring.submitAndWait(0));
        ring.close(); // idempotent
    }

    /**
     * A futex wait in the ring: it waits while nothing wakes its word, completes once another thread wakes the
     * word, completes at once when the word no longer holds the value, and a cancellation takes it off the word
     * (a wake afterwards finds no waiter). What a storage worker sleeps on while an fsync is in flight.
     */
    @Test
    void aFutexWait_completesOnAWakeOfItsWord_atOnceWhenTheWordMoved_andCancellationEndsIt() throws Exception {
        assumeTrue(ring.timedWaits(), "this kernel's io_uring takes no timeout");
        MemorySegment word = arena.allocate(4, 4);
        long address = word.address();
        assertTrue(ring.prepareFutexWait(address, 0, 1));
        assertEquals(1, ring.submitAndWait(0));
        int r = ring.submitAndWait(1, 50_000_000L);
        Map<Long, Integer> early = reapAll(ring);
        assumeTrue(!Integer.valueOf(-Errno.EINVAL).equals(early.get(1L)), "no IORING_OP_FUTEX_WAIT (Linux < 6.7)");
        assertEquals(-Errno.ETIME, r, "nothing woke the word: the wait timed out");
        assertEquals(Map.of(), early);

        int[] woken = new int[1];
        Thread waker = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
            woken[0] = Linux.futexWake(address, 1);
        });
        assertTrue(ring.submitAndWait(1, 5_000_000_000L) >= 0);
        waker.join();
        assertEquals(1, woken[0], "the ring's wait was the word's one waiter");
        assertEquals(Map.of(1L, 0), reapAll(ring));

        word.set(JAVA_INT, 0, 7);
        assertTrue(ring.prepareFutexWait(address, 0, 2));
        assertTrue(ring.submitAndWait(1, 5_000_000_000L) >= 0);
        assertEquals(Map.of(2L, -Errno.EAGAIN), reapAll(ring), "the word moved: no wait");

        assertTrue(ring.prepareFutexWait(address, 7, 3));
        assertEquals(1, ring.submitAndWait(0));
        assertTrue(ring.prepareCancel(3, 4));
        Map<Long, Integer> cancelled = new HashMap<>();
        for (int i = 0; i < 100 && cancelled.size() < 2; i++) {
            ring.submitAndWait(1, 50_000_000L);
            cancelled.putAll(reapAll(ring));
        }
        assertEquals(-Errno.ECANCELED, cancelled.get(3L), "the wait was cancelled");
        assertTrue(cancelled.get(4L) >= 0, "the cancellation found it: " + cancelled.get(4L));
        assertEquals(0, Linux.futexWake(address, 1), "the cancelled wait left the word");
    }
}
