package dev.vos.storage.domain;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.client.CallSlot;
import dev.vos.storage.protocol.StorageCalls;
import dev.vos.storage.protocol.StorageFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Calls 75-84 with arguments a client could send by mistake or on purpose: random numbers, payload ranges at and
 * past the edges, paths built from escape fragments. The domain answers every one (a value or -errno, never a
 * crash or a hang) and nothing beside the root changes.
 */
@Timeout(120)
class ArbitraryArgumentsTest {

    private static final String[] FRAGMENTS = {"..", ".", "/", "a", "inside", "link", "out", "canary", "proc",
            "/proc/self/fd/0", "\0", "", "//", "a/"};

    @TempDir
    Path base;

    @Test
    void arbitraryArguments_getAnAnswer_andTheNeighboursStayAsTheyWere() throws Exception {
        Path root = Files.createDirectory(base.resolve("root"));
        Path canary = Files.writeString(base.resolve("canary"), "canary");
        Files.setLastModifiedTime(canary, FileTime.fromMillis(1_000_000_000_000L));
        Map<String, Object> before = Files.readAttributes(canary, "unix:mode,uid,gid,lastModifiedTime,ctime");
        Files.createDirectory(root.resolve("a"));
        Files.writeString(root.resolve("inside"), "inside");
        Files.createSymbolicLink(root.resolve("out"), Path.of("../canary"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("inside"));
        Files.createSymbolicLink(root.resolve("proc"), Path.of("/proc/self"));

        SplittableRandom random = new SplittableRandom(75_84);
        try (StorageRing ring = StorageRing.open(StorageRing.table(root), 2)) {
            long dir = ring.open(".", StorageFlags.O_RDONLY | StorageFlags.O_DIRECTORY, 0);
            long file = ring.open("inside", StorageFlags.O_RDWR, 0);
            for (int i = 0; i < 20_000; i++) {
                int call = StorageCalls.STAT + random.nextInt(10);
                try (CallSlot slot = ring.client.acquire()) {
                    int pathLen = fillPayload(slot.data(), random);
                    long[] args = new long[6];
                    for (int a = 0; a < 6; a++) {
                        args[a] = argument(random, slot, pathLen, dir, file);
                    }
                    if (call == StorageCalls.FALLOCATE) {
                        // A valid descriptor and a length of 1 << 40 would really fill the disk, here and on the
                        // CI host, for every other test too: lengths stay arbitrary below 1 MiB.
                        args[StorageCalls.Fallocate.LENGTH] &= (1 << 20) - 1;
                    }
                    long r = slot.call(call, args[0], args[1], args[2], args[3], args[4], args[5]);
                    assertTrue(r >= -4095, "call " + call + " answered " + r);
                }
            }
            assertEquals(0, ring.client.call(CoreCalls.NOP), "the domain still serves");
            assertEquals("inside", ring.pread(file, 100, 0).substring(0, 6), "and the session's descriptors work");
        }
        assertEquals(before, Files.readAttributes(canary, "unix:mode,uid,gid,lastModifiedTime,ctime"));
        assertEquals("canary", Files.readString(canary));
        try (Stream<Path> s = Files.list(base)) {
            assertEquals(List.of("canary", "root"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(Path.of("../canary"), Files.readSymbolicLink(root.resolve("out")));
        assertTrue(Files.exists(root, LinkOption.NOFOLLOW_LINKS));
        // JUnit warns on stderr when cleaning up a link to a directory outside the temp dir: not worth the noise
        Files.delete(root.resolve("proc"));
    }

    /** A path of escape fragments at the slot's payload start; its length. */
    private static int fillPayload(MemorySegment data, SplittableRandom random) {
        StringBuilder path = new StringBuilder();
        for (int n = random.nextInt(5); n >= 0; n--) {
            path.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
            if (random.nextBoolean()) {
                path.append('/');
            }
        }
        byte[] bytes = StorageRing.utf8(path.toString());
        data.copyFrom(MemorySegment.ofArray(bytes));
        return bytes.length;
    }

    private static long argument(SplittableRandom random, CallSlot slot, int pathLen, long dir, long file) {
        return switch (random.nextInt(12)) {
            case 0 -> slot.dataOffset();
            case 1 -> pathLen;
            case 2 -> random.nextLong();
            case 3 -> random.nextInt(4096);
            case 4 -> -1;
            case 5 -> Long.MIN_VALUE;
            case 6 -> Long.MAX_VALUE;
            case 7 -> dir;
            case 8 -> file;
            case 9 -> 1L << random.nextInt(64);
            case 10 -> slot.dataOffset() + slot.data().byteSize() - random.nextInt(64);
            default -> 0;
        };
    }
}
