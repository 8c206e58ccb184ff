package dev.vos.client.fs;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.agent.DomainStats;
import dev.vos.ring.client.CallSlot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A copy within one domain ({@code Files.copy}, and {@code transferTo}/{@code transferFrom} between two channels of
 * one vos file system) is made by the domain's copyRange call: the bytes never cross the ring, which the domain's
 * own call counts show (no pread, no pwrite), and they land whole. Anything else still moves through the ring.
 */
@Timeout(120)
class CopyInDomainTest {

    /** 3 MiB and 5 bytes: four copyRange calls of at most 1 MiB, or 49 reads and 49 writes of 64 KiB. */
    private static final int SIZE = 3 * 1024 * 1024 + 5;

    @TempDir
    static Path dir;
    private static StorageDomain domain;
    private static byte[] content;

    @BeforeAll
    static void up() throws Exception {
        domain = StorageDomain.start(dir.resolve("vos"));
        content = new byte[SIZE];
        new Random(87).nextBytes(content);
        Files.write(domain.exportRoot().resolve("source"), content);
    }

    @AfterAll
    static void down() throws Exception {
        domain.close();
    }

    @Test
    void filesCopy_withinADomain_isCopiedByTheDomain_noByteThroughTheRing() throws Exception {
        DomainStats before = stats();
        Files.copy(domain.fs().getPath("/source"), domain.fs().getPath("/copied"));
        DomainStats after = stats();
        assertArrayEquals(content, Files.readAllBytes(domain.exportRoot().resolve("copied")));
        assertTrue(calls(before, after, "copyRange") >= 4, "copyRange calls: " + calls(before, after, "copyRange"));
        assertEquals(0, calls(before, after, "pread"), "no byte read through the ring");
        assertEquals(0, calls(before, after, "pwrite"), "no byte written through the ring");
    }

    @Test
    void transferToAndFrom_betweenTwoChannelsOfTheDomain_copyInTheDomain_andMoveThePositionsAsTheJdkDoes()
            throws Exception {
        Path source = domain.fs().getPath("/source");
        Path target = domain.fs().getPath("/transferred");
        DomainStats before = stats();
        try (FileChannel from = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel to = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.CREATE)) {
            to.position(10);
            assertEquals(SIZE - 1000, from.transferTo(1000, Long.MAX_VALUE, to));
            assertEquals(0, from.position(), "transferTo leaves the source's position");
            assertEquals(10 + SIZE - 1000, to.position(), "and moves the target's");
            from.position(5);
            assertEquals(100, to.transferFrom(from, 0, 100));
            assertEquals(105, from.position(), "transferFrom moves the source's position");
            assertEquals(10 + SIZE - 1000, to.position(), "and leaves the target's");
        }
        DomainStats after = stats();
        byte[] expected = new byte[10 + SIZE - 1000];
        System.arraycopy(content, 1000, expected, 10, SIZE - 1000);
        System.arraycopy(content, 5, expected, 0, 100);
        assertArrayEquals(expected, Files.readAllBytes(domain.exportRoot().resolve("transferred")));
        assertTrue(calls(before, after, "copyRange") >= 5);
        assertEquals(0, calls(before, after, "pread") + calls(before, after, "pwrite"), "nothing through the ring");
    }

    @Test
    void transfers_thatTheDomainCannotCopy_stillMoveEveryByte() throws Exception {
        Path source = domain.fs().getPath("/source");
        Path host = dir.resolve("on-the-host");
        Path appended = domain.fs().getPath("/appended");
        Files.writeString(appended, "HEAD");
        try (FileChannel from = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(host, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
             FileChannel append = FileChannel.open(appended, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            assertEquals(SIZE, from.transferTo(0, SIZE, out), "to a channel of the default file system");
            assertEquals(50, from.transferTo(0, 50, append), "to a channel opened for appending: at its end");
        }
        assertArrayEquals(content, Files.readAllBytes(host));
        byte[] tail = Files.readAllBytes(domain.exportRoot().resolve("appended"));
        assertEquals("HEAD", new String(tail, 0, 4));
        assertArrayEquals(Arrays.copyOf(content, 50), Arrays.copyOfRange(tail, 4, tail.length));
    }

    /** The figures of the file system's own session (a client's STATS answers its session's calls alone). */
    private static DomainStats stats() throws Exception {
        try (CallSlot slot = ((VosFileSystem) domain.fs()).client().calls().acquire()) {
            long n = slot.call(CoreCalls.STATS, slot.dataOffset(), slot.data().byteSize(), 0);
            assertTrue(n > 0, "STATS answered " + n);
            return DomainStats.decode(slot.data().asSlice(0, n));
        }
    }

    private static long calls(DomainStats before, DomainStats after, String call) {
        return after.callsByKind().getOrDefault(call, 0L) - before.callsByKind().getOrDefault(call, 0L);
    }
}
