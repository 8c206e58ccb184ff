package dev.vos.storage.domain;

import dev.vos.storage.protocol.DirentLayout;
import dev.vos.storage.protocol.StorageCalls;
import dev.vos.storage.protocol.StorageCalls.Close;
import dev.vos.storage.protocol.StorageCalls.Getdents;
import dev.vos.storage.protocol.StorageCalls.Readlink;
import dev.vos.storage.protocol.StorageCalls.Symlink;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.vos.storage.domain.StorageSyscalls.*;
import static dev.vos.storage.protocol.StorageFlags.*;
import static org.junit.jupiter.api.Assertions.*;

/** getdents, symlink and readlink on real directories through a real ring. */
@Timeout(60)
class LinksAndListingTest {

    @TempDir
    Path root;
    StorageRing ring;

    @BeforeEach
    void start() throws Exception {
        ring = StorageRing.open(StorageRing.table(root), 1);
    }

    @AfterEach
    void stop() throws Exception {
        ring.close();
    }

    /** Every record of the directory open as {@code fd}, read {@code count} bytes at a time. */
    private List<DirentLayout.Entry> list(long fd, int count) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int calls = 0;
        for (byte[] chunk; (chunk = ring.getdents(fd, count)).length > 0; calls++) {
            assertTrue(chunk.length <= count);
            DirentLayout.decode(MemorySegment.ofArray(chunk)); // throws unless the chunk is whole records
            all.writeBytes(chunk);
        }
        assertEquals(0, ring.getdents(fd, count).length, "the end stays the end");
        if (count < all.size()) {
            assertTrue(calls > 1);
        }
        return DirentLayout.decode(MemorySegment.ofArray(all.toByteArray()));
    }

    @Test
    void getdents_listsExactlyWhatNioLists_overManyCalls() throws Exception {
        Path dir = Files.createDirectory(root.resolve("big"));
        Map<String, Integer> expectedTypes = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            String name = "entry-" + i + "-" + "x".repeat(i % 40) + (i % 7 == 0 ? "-\u00e9\u6f22" : "");
            switch (i % 3) {
                case 0 -> {
                    Files.writeString(dir.resolve(name), "f");
                    expectedTypes.put(name, DirentLayout.DT_REG);
                }
                case 1 -> {
                    Files.createDirectory(dir.resolve(name));
                    expectedTypes.put(name, DirentLayout.DT_DIR);
                }
                default -> {
                    Files.createSymbolicLink(dir.resolve(name), Path.of("../nowhere"));
                    expectedTypes.put(name, DirentLayout.DT_LNK);
                }
            }
        }
        long fd = ring.open("big", O_RDONLY | O_DIRECTORY, 0);
        List<DirentLayout.Entry> entries = list(fd, 4096);

        List<String> names = entries.stream().map(DirentLayout.Entry::name).sorted().toList();
        try (Stream<Path> nio = Files.list(dir)) {
            assertEquals(nio.map(p -> p.getFileName().toString()).sorted().toList(), names);
        }
        assertEquals(300, names.size(), "each once; no '.' or '..'");
        for (DirentLayout.Entry e : entries) {
            assertEquals(expectedTypes.get(e.name()), e.type(), e.name());
            assertEquals(Files.getAttribute(dir.resolve(e.name()), "unix:ino", LinkOption.NOFOLLOW_LINKS), e.ino());
        }
        assertEquals(0, Close.call(ring.client, fd));
    }

    @Test
    void getdents_ofTheRootAndOfAnEmptyDirectory() throws Exception {
        Files.createDirectory(root.resolve("empty"));
        Files.writeString(root.resolve("f"), "f");
        long rootFd = ring.open(".", O_RDONLY | O_DIRECTORY, 0);
        assertEquals(List.of("empty", "f"),
                list(rootFd, 65536).stream().map(DirentLayout.Entry::name).sorted().toList());
        long empty = ring.open("empty", O_RDONLY | O_DIRECTORY, 0);
        byte[] dots = ring.getdents(empty, 65536);
        assertTrue(dots.length > 0, "'.' and '..' are records");
        assertEquals(List.of(), DirentLayout.decode(MemorySegment.ofArray(dots)));
        assertEquals(0, ring.getdents(empty, 65536).length);
    }

    @Test
    void getdents_errors() throws Exception {
        Files.writeString(root.resolve("f"), "f");
        long dir = ring.open(".", O_RDONLY | O_DIRECTORY, 0);
        assertEquals(-Errno.EINVAL, ring.getdentsResult(dir, 10), "too small for one record: the kernel's EINVAL");
        long file = ring.open("f", O_RDONLY, 0);
        assertEquals(-Errno.ENOTDIR, ring.getdentsResult(file, 4096));
        assertEquals(-Errno.EBADF, ring.getdentsResult(99, 4096), "never opened");
        try (StorageRing other = StorageRing.open(StorageRing.table(root), 1)) {
            assertEquals(-Errno.EBADF, other.getdentsResult(dir, 4096), "another session's descriptor");
        }
        long dataBytes = 64L * (64 << 10);
        assertEquals(-Errno.EFAULT, Getdents.call(ring.client, dir, 0, dataBytes + 1));
        assertEquals(-Errno.EFAULT, Getdents.call(ring.client, dir, -1, 4096));
        assertEquals(-Errno.EFAULT, Getdents.call(ring.client, dir, dataBytes - 10, 4096));
        assertEquals(List.of("f"), list(dir, 4096).stream().map(DirentLayout.Entry::name).toList(),
                "the refused calls did not move the directory's position");
    }

    @Test
    void symlink_storesTheTargetAsGiven_andReadlinkReadsIt() throws Exception {
        Files.createDirectory(root.resolve("a"));
        Files.writeString(root.resolve("a/target"), "through the link");
        assertEquals(0, ring.symlink("a/target", "link"));
        assertEquals(Path.of("a/target"), Files.readSymbolicLink(root.resolve("link")));
        assertEquals("through the link", ring.pread(ring.open("link", O_RDONLY, 0), 100, 0));
        assertEquals("a/target", ring.readlink("link", 100));
        assertEquals("a/t", ring.readlink("link", 3), "truncated to the buffer, as the kernel does");

        assertEquals(0, ring.symlink("../target", "a/up"), "a link in a subdirectory");
        assertEquals("../target", ring.readlink("a/up", 100));
        assertEquals(0, ring.symlink("does/not/exist", "dangling"), "the target need not exist");
        assertEquals("does/not/exist", ring.readlink("dangling", 100));
    }

    @Test
    void symlink_targetLimitsAreTheKernels() throws Exception {
        byte[] longest = new byte[StorageCalls.PATH_MAX - 1];
        Arrays.fill(longest, (byte) 'a');
        assertEquals(0, ring.symlink(longest, "longest"), "4095 bytes fit");
        assertEquals(4095, Files.readSymbolicLink(root.resolve("longest")).toString().length());
        assertEquals(new String(longest), ring.readlink("longest", 8192));

        assertEquals(-Errno.ENAMETOOLONG, ring.symlink(new byte[StorageCalls.PATH_MAX], "toolong"));
        assertEquals(-Errno.ENOENT, ring.symlink("", "empty"), "the kernel's answer to an empty target");
        assertEquals(-Errno.EINVAL, ring.symlink(StorageRing.utf8("a\0b"), "nul"));
        try (Stream<Path> s = Files.list(root)) {
            assertEquals(List.of("longest"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void symlink_andReadlink_errors() throws Exception {
        Files.writeString(root.resolve("f"), "f");
        Files.createDirectory(root.resolve("d"));
        assertEquals(-Errno.EEXIST, ring.symlink("x", "f"));
        assertEquals(-Errno.EEXIST, ring.symlink("x", "d"));
        assertEquals(-Errno.ENOENT, ring.symlink("x", "missing/link"));
        assertEquals(-Errno.ENOTDIR, ring.symlink("x", "f/link"));
        assertEquals(-Errno.EINVAL, ring.symlink("x", "d/"), "no name to create");
        assertEquals(-Errno.EINVAL, ring.symlink("x", "d/.."));
        assertEquals(-Errno.ENOENT, ring.symlink("x", ""));
        assertEquals("f", Files.readString(root.resolve("f")), "unchanged");

        assertEquals("-ENOENT", ring.readlink("missing", 100));
        assertEquals("-EINVAL", ring.readlink("f", 100), "not a link");
        assertEquals("-EINVAL", ring.readlink("d", 100));
        assertEquals("-EINVAL", ring.readlink(".", 100));
        assertEquals("-ENOTDIR", ring.readlink("f/x", 100));
        assertEquals(0, ring.symlink("f", "link"));
        assertEquals("-EINVAL", ring.readlink("link", 0), "the kernel's EINVAL for size 0");
        assertEquals(-Errno.EFAULT, Readlink.call(ring.client, 0, 4, -1, 100));
        assertEquals(-Errno.EFAULT, Symlink.call(ring.client, Long.MAX_VALUE, 4, 0, 4));
        assertEquals(-Errno.EFAULT, Symlink.call(ring.client, 0, 4, -4, 4));
    }

    @Test
    void linkTypes_inTheListing_matchStat() throws Exception {
        Files.writeString(root.resolve("f"), "f");
        assertEquals(0, ring.symlink("f", "l"));
        long dir = ring.open(".", O_RDONLY | O_DIRECTORY, 0);
        Map<String, Integer> types = list(dir, 4096).stream()
                .collect(Collectors.toMap(DirentLayout.Entry::name, DirentLayout.Entry::type));
        assertEquals(Map.of("f", DirentLayout.DT_REG, "l", DirentLayout.DT_LNK), types);
        assertTrue(ring.stat("l", AT_SYMLINK_NOFOLLOW).isSymbolicLink());
    }
}
