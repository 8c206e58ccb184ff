package dev.vos.client.fs;

import dev.vos.client.DescriptorLostException;
import dev.vos.ring.DomainFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The storage domain is SIGKILLed while clients write through it. Nothing acknowledged is lost: every write that
 * returned, and every record whose force() returned, is on the disk after the crash; a write in flight fails
 * with an IOException and is never reported as done. Channels of the dead generation fail with an error that says
 * so, and paths work again once the supervisor has the domain back.
 */
class DomainCrashTest {

    private static final int WRITERS = 8;
    private static final int RECORD = 512;

    @TempDir
    static Path dir;
    private static StorageDomain domain;

    @BeforeAll
    static void up() throws Exception {
        domain = StorageDomain.start(dir);
    }

    @AfterAll
    static void down() throws Exception {
        domain.close();
    }

    /** Record {@code n} of writer {@code w}: recognisable bytes, so a torn or missing record shows. */
    private static byte[] record(int w, long n) {
        byte[] r = new byte[RECORD];
        byte[] head = ("writer " + w + " record " + n + "\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < RECORD; i++) {
            r[i] = (byte) ('a' + (w * 31 + n * 7 + i) % 26);
        }
        System.arraycopy(head, 0, r, 0, head.length);
        return r;
    }

    @Test
    void sigkillDuringWrites_losesNothingAcknowledged_andFailsWhatWasInFlight() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<long[]> acknowledged = new ConcurrentLinkedQueue<>(); // {writer, record, forced}
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch writing = new CountDownLatch(WRITERS);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                futures.add(threads.submit(() -> {
                    Path file = domain.fs().getPath("/log-" + writer);
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                        for (long n = 0; !stop.get(); n++) {
                            ByteBuffer b = ByteBuffer.wrap(record(writer, n));
                            int written = ch.write(b, n * RECORD);
                            assertEquals(RECORD, written, "a write that returns has written everything");
                            boolean force = n % 4 == 0;
                            if (force) {
                                ch.force(false);
                            }
                            acknowledged.add(new long[] {writer, n, force ? 1 : 0});
                            if (n == 20) {
                                writing.countDown();
                            }
                        }
                    } catch (IOException e) {
                        failures.add(e);
                    } finally {
                        writing.countDown();
                    }
                    return null;
                }));
            }
            assertTrue(writing.await(30, TimeUnit.SECONDS), "the writers did not get going");
            domain.killAndAwaitRestart();
            stop.set(true);
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        assertEquals(WRITERS, failures.size(), "every writer's channel must fail across the crash: " + failures);
        for (Throwable t : failures) {
            assertTrue(t instanceof DomainFailedException || t instanceof DescriptorLostException, t.toString());
            assertTrue(t.getMessage().contains("storage0") || t.getMessage().contains("domain"), t.getMessage());
        }
        long forced = 0;
        for (long[] ack : acknowledged) {
            int writer = (int) ack[0];
            long n = ack[1];
            byte[] onDisk = new byte[RECORD];
            try (FileChannel ch = FileChannel.open(domain.exportRoot().resolve("log-" + writer))) {
                assertEquals(RECORD, ch.read(ByteBuffer.wrap(onDisk), n * RECORD), "record " + n + " of " + writer);
            }
            assertArrayEquals(record(writer, n), onDisk, "acknowledged record " + n + " of writer " + writer);
            forced += ack[2];
        }
        assertTrue(forced >= WRITERS * 5L, "too few forced records to mean anything: " + forced);
    }

    @Test
    void aChannelOfTheDeadGeneration_saysSo_andThePathWorksAgain() throws Exception {
        Path file = Files.writeString(domain.fs().getPath("/survivor.txt"), "written before the crash");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            assertEquals(5, ch.read(ByteBuffer.allocate(5)));
            domain.killAndAwaitRestart();
            IOException e = assertThrows(IOException.class, () -> ch.read(ByteBuffer.allocate(5)));
            assertTrue(e.getMessage().contains("restarted") || e instanceof DomainFailedException, e.getMessage());
        } // close() of a channel whose descriptor died with its generation does not throw
        assertEquals("written before the crash", Files.readString(file));
        Files.writeString(file, "and after");
        assertEquals("and after", Files.readString(domain.exportRoot().resolve("survivor.txt")));
    }
}
