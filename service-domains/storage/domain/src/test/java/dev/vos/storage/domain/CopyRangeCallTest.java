package dev.vos.storage.domain;

import dev.vos.ring.client.CallSlot;
import dev.vos.ring.server.CallTable;
import dev.vos.storage.protocol.StorageCalls;
import dev.vos.storage.protocol.StorageCalls.CopyRange;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static dev.vos.storage.protocol.StorageFlags.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * COPY_RANGE copies between two of the calling session's descriptors inside the domain, at most
 * {@link StorageCalls#COPY_RANGE_MAX} per call, and refuses what the session may not do with an errno and no change.
 */
@Timeout(60)
class CopyRangeCallTest {

    @TempDir
    Path root;

    @Test
    void copyRange_copiesBetweenTwoFiles_atTheOffsetsGiven_andLeavesTheRestAsItWas() throws Exception {
        byte[] content = new byte[300_000];
        new Random(87).nextBytes(content);
        Files.write(root.resolve("from"), content);
        Files.writeString(root.resolve("to"), "HEAD");
        try (StorageRing ring = StorageRing.open(StorageRing.table(root), 1)) {
            long in = ring.open("from", O_RDONLY, 0);
            long out = ring.open("to", O_WRONLY, 0);
            assertEquals(200_000, copy(ring, in, 1_000, out, 4, 200_000));
            assertEquals(0, copy(ring, in, content.length, out, 4, 10), "0 at the end of the input, as the kernel's");
        }
        byte[] to = Files.readAllBytes(root.resolve("to"));
        assertEquals(200_004, to.length);
        assertEquals("HEAD", new String(to, 0, 4));
        assertArrayEquals(Arrays.copyOfRange(content, 1_000, 201_000), Arrays.copyOfRange(to, 4, to.length));
    }

    @Test
    void copyRange_ofMoreThanTheMax_copiesTheMax_soOneCallNeverHoldsTheWorkerLong() throws Exception {
        int size = (int) StorageCalls.COPY_RANGE_MAX * 2 + 5;
        byte[] content = new byte[size];
        new Random(88).nextBytes(content);
        Files.write(root.resolve("big"), content);
        try (StorageRing ring = StorageRing.open(StorageRing.table(root), 1)) {
            long in = ring.open("big", O_RDONLY, 0);
            long out = ring.open("copy", O_WRONLY | O_CREAT, 0600);
            long at = 0;
            int calls = 0;
            while (true) {
                long n = copy(ring, in, at, out, at, Long.MAX_VALUE / 2);
                assertTrue(n >= 0 && n <= StorageCalls.COPY_RANGE_MAX, "a short count, never more: " + n);
                if (n == 0) {
                    break;
                }
                at += n;
                calls++;
            }
            assertTrue(calls >= 3, "three calls at least for 2 MiB and 5 bytes: " + calls);
        }
        assertArrayEquals(content, Files.readAllBytes(root.resolve("copy")));
    }

    @Test
    void copyRange_intoAFileReadBefore_isSeenWholeByTheNextRead() throws Exception {
        Files.writeString(root.resolve("src"), "0123456789");
        Files.writeString(root.resolve("dst"), "abc");
        try (StorageRing ring = StorageRing.open(StorageRing.table(root), 1)) {
            long in = ring.open("src", O_RDONLY, 0);
            long dst = ring.open("dst", O_RDWR, 0);
            assertEquals("abc", ring.pread(dst, 100, 0), "a read that maps dst, knowing 3 bytes");
            assertEquals(10, copy(ring, in, 0, dst, 3, 10));
            assertEquals("abc0123456789", ring.pread(dst, 100, 0), "the copied bytes too, not only the 3 known before");
        }
    }

    @Test
    void attack_anotherSessionsDescriptor_isEbadf_eitherSide_andNothingIsWritten() throws Exception {
        Files.writeString(root.resolve("secret"), "THE OTHER SESSION'S");
        Files.writeString(root.resolve("mine"), "mine");
        CallTable table = StorageRing.table(root);
        try (StorageRing victim = StorageRing.open(table, 1); StorageRing attacker = StorageRing.open(table, 1)) {
            victim.open("secret", O_RDONLY, 0);
            long theirs = victim.open("secret", O_RDWR, 0);
            long mine = attacker.open("mine", O_RDWR, 0);
            // The victim's serial under the attacker's nonce: a serial the attacker's own table does not hold.
            long forged = mine & 0xFFFF_FFFF_0000_0000L | StorageRing.index(theirs);
            assertNotEquals(StorageRing.index(mine), StorageRing.index(theirs));
            for (long other : new long[] {theirs, forged}) {
                assertEquals(-Errno.EBADF, copy(attacker, other, 0, mine, 0, 100), "reading from theirs");
                assertEquals(-Errno.EBADF, copy(attacker, mine, 0, other, 0, 100), "writing into theirs");
            }
            assertEquals("THE OTHER SESSION'S", victim.pread(theirs, 100, 0));
        }
        assertEquals("mine", Files.readString(root.resolve("mine")));
        assertEquals("THE OTHER SESSION'S", Files.readString(root.resolve("secret")));
    }

    @Test
    void attack_badArguments_getTheirErrno_andChangeNothing() throws Exception {
        Files.writeString(root.resolve("a"), "aaaa");
        Files.writeString(root.resolve("b"), "bbbb");
        try (StorageRing ring = StorageRing.open(StorageRing.table(root), 1)) {
            long readOnly = ring.open("a", O_RDONLY, 0);
            long writable = ring.open("b", O_RDWR, 0);
            long appending = ring.open("b", O_WRONLY | O_APPEND, 0);
            assertEquals(-Errno.EINVAL, copy(ring, readOnly, -1, writable, 0, 4), "a negative input offset");
            assertEquals(-Errno.EINVAL, copy(ring, readOnly, 0, writable, -1, 4), "a negative output offset");
            assertEquals(-Errno.EINVAL, copy(ring, readOnly, 0, writable, 0, -1), "a negative count");
            assertEquals(-Errno.EBADF, copy(ring, writable, 0, readOnly, 0, 4), "into a read-only descriptor");
            assertEquals(-Errno.EBADF, copy(ring, readOnly, 0, appending, 0, 4), "into an O_APPEND descriptor");
            assertEquals(-Errno.EINVAL, copy(ring, writable, 0, writable, 1, 2), "overlapping ranges of one file");
            long dir = ring.open(".", O_RDONLY | O_DIRECTORY, 0);
            assertTrue(copy(ring, dir, 0, writable, 0, 4) < 0, "from a directory");
        }
        assertEquals("aaaa", Files.readString(root.resolve("a")));
        assertEquals("bbbb", Files.readString(root.resolve("b")));
    }

    private static long copy(StorageRing ring, long in, long offsetIn, long out, long offsetOut, long count)
            throws Exception {
        try (CallSlot slot = ring.client.acquire()) {
            return CopyRange.call(slot, in, offsetIn, out, offsetOut, count);
        }
    }
}
