package dev.vos.storage;

import dev.vos.sys.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static dev.vos.storage.StorageSyscalls.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every way out of the export root a client might try is refused with the kernel's answer, and nothing beside
 * the root changes: {@code base/} holds the root, a canary file and a sibling file, and after every attempt it
 * holds exactly those, with the same contents.
 */
@Timeout(60)
class ConfinementTest {

    private static final int CREATE = O_WRONLY | O_CREAT | O_TRUNC;

    @TempDir
    Path base;
    Path root;
    Path canary;
    Path sibling;
    StorageRing ring;

    @BeforeEach
    void start() throws Exception {
        root = Files.createDirectory(base.resolve("root"));
        canary = Files.writeString(base.resolve("canary"), "canary");
        sibling = Files.writeString(base.resolve("sibling-file"), "sibling");
        Files.createDirectory(root.resolve("a"));
        Files.writeString(root.resolve("inside"), "inside");
        ring = StorageRing.open(StorageRing.table(root), 1);
    }

    @AfterEach
    void stop() throws Exception {
        ring.close();
        assertNeighboursUntouched();
    }

    private void assertNeighboursUntouched() throws IOException {
        try (Stream<Path> s = Files.list(base)) {
            assertEquals(List.of("canary", "root", "sibling-file"),
                    s.map(p -> p.getFileName().toString()).sorted().toList(), "nothing appeared beside the root");
        }
        assertEquals("canary", Files.readString(canary));
        assertEquals("sibling", Files.readString(sibling));
    }

    @Test
    void dotDot_isExdev() throws Exception {
        assertEquals(-Errno.EXDEV, ring.open("../canary", CREATE, 0600));
        assertEquals(-Errno.EXDEV, ring.open("../x", CREATE, 0600));
        assertEquals(-Errno.EXDEV, ring.open("a/../../x", CREATE, 0600));
        assertEquals(-Errno.EXDEV, ring.open("a/../../canary", O_RDONLY, 0));
        assertEquals(-Errno.EXDEV, ring.open("..", O_RDONLY | O_DIRECTORY, 0));
        assertNeighboursUntouched();
    }

    @Test
    void absolutePath_isExdev() throws Exception {
        assertEquals(-Errno.EXDEV, ring.open("/etc/passwd", O_RDONLY, 0));
        assertEquals(-Errno.EXDEV, ring.open(canary.toString(), CREATE, 0600));
        assertEquals(-Errno.EXDEV, ring.open(root.resolve("inside").toString(), O_RDONLY, 0),
                "even the root's own files by absolute path: paths are relative to the root");
        assertEquals(-Errno.EXDEV, ring.open("/proc/self/fd/0", O_RDONLY, 0));
        assertNeighboursUntouched();
    }

    @Test
    void symlinkOutOfTheRoot_isExdev() throws Exception {
        Files.createSymbolicLink(root.resolve("abs"), canary);
        Files.createSymbolicLink(root.resolve("rel"), Path.of("../canary"));
        Files.createSymbolicLink(root.resolve("a/deep"), Path.of("../../sibling-file"));
        Files.createSymbolicLink(root.resolve("up"), Path.of(".."));
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("../new-file"));
        assertEquals(-Errno.EXDEV, ring.open("abs", CREATE, 0600));
        assertEquals(-Errno.EXDEV, ring.open("abs", O_RDONLY, 0));
        assertEquals(-Errno.EXDEV, ring.open("rel", CREATE, 0600));
        assertEquals(-Errno.EXDEV, ring.open("a/deep", O_RDWR, 0));
        assertEquals(-Errno.EXDEV, ring.open("up/canary", O_RDONLY, 0));
        assertEquals(-Errno.EXDEV, ring.open("dangling", CREATE, 0600), "creating through a dangling link");
        assertNeighboursUntouched();
    }

    @Test
    void magicLinks_areRefused() throws Exception {
        // An absolute symlink to /proc is refused as absolute (EXDEV) before it could become a magic link.
        Files.createSymbolicLink(root.resolve("procroot"), Path.of("/proc/self/root"));
        Files.createSymbolicLink(root.resolve("procfd"), Path.of("/proc/self/fd/3"));
        Files.createSymbolicLink(root.resolve("proccwd"), Path.of("/proc/self/cwd"));
        assertEquals(-Errno.EXDEV, ring.open("procroot/etc/passwd", O_RDONLY, 0));
        assertEquals(-Errno.EXDEV, ring.open("procroot", O_RDONLY | O_DIRECTORY, 0));
        assertEquals(-Errno.EXDEV, ring.open("procfd", O_RDONLY, 0));
        assertEquals(-Errno.EXDEV, ring.open("proccwd/x", CREATE, 0600));
        assertEquals(-Errno.EXDEV, ring.mkdir("procroot/tmp/evil", 0755));
        assertNeighboursUntouched();
    }

    @Test
    void magicLinksBeneathTheRoot_areEloop() throws Exception {
        // The only way to have a magic link beneath the root without crossing it: export /proc/self itself.
        // fd/N, root and cwd are then reached with no ".." and no absolute link; RESOLVE_NO_MAGICLINKS refuses them.
        try (StorageRing proc = StorageRing.open(StorageRing.table(Path.of("/proc/self")), 1)) {
            assertEquals(-Errno.ELOOP, proc.open("fd/0", O_RDONLY, 0));
            assertEquals(-Errno.ELOOP, proc.open("fd/1", O_WRONLY, 0));
            assertEquals(-Errno.ELOOP, proc.open("root/etc/passwd", O_RDONLY, 0));
            assertEquals(-Errno.ELOOP, proc.open("cwd", O_RDONLY | O_DIRECTORY, 0));
            assertEquals(-Errno.ELOOP, proc.open("exe", O_RDONLY, 0));
            long status = proc.open("status", O_RDONLY, 0);
            assertTrue(status >= DescriptorTable.FIRST, "an ordinary file beneath the same root opens");
            assertTrue(proc.pread(status, 100, 0).startsWith("Name:"));
        }
    }

    @Test
    void mkdirUnlinkRename_outOfTheRoot_areExdev() throws Exception {
        Files.createSymbolicLink(root.resolve("up"), Path.of(".."));
        assertEquals(-Errno.EXDEV, ring.mkdir("../evil", 0755));
        assertEquals(-Errno.EXDEV, ring.mkdir("a/../../evil", 0755));
        assertEquals(-Errno.EXDEV, ring.mkdir("/tmp/evil", 0755));
        assertEquals(-Errno.EXDEV, ring.mkdir("up/evil", 0755), "through a symlinked parent");
        assertEquals(-Errno.EXDEV, ring.unlink("../sibling-file", 0));
        assertEquals(-Errno.EXDEV, ring.unlink("up/sibling-file", 0));
        assertEquals(-Errno.EXDEV, ring.unlink(sibling.toString(), 0));
        assertEquals(-Errno.EXDEV, ring.rename("inside", "../outside", 0));
        assertEquals(-Errno.EXDEV, ring.rename("inside", "up/outside", 0));
        assertEquals(-Errno.EXDEV, ring.rename("../sibling-file", "stolen", 0), "rename out of the neighbours in");
        assertEquals(-Errno.EXDEV, ring.rename("inside", "../canary", RENAME_EXCHANGE));
        assertTrue(Files.exists(root.resolve("inside")));
        assertFalse(Files.exists(root.resolve("stolen")));
        assertNeighboursUntouched();
    }

    @Test
    void lastComponentDotOrDotDotOrEmpty_isEinval() throws Exception {
        assertEquals(-Errno.EINVAL, ring.unlink("..", AT_REMOVEDIR));
        assertEquals(-Errno.EINVAL, ring.unlink("a/..", AT_REMOVEDIR));
        assertEquals(-Errno.EINVAL, ring.unlink(".", AT_REMOVEDIR));
        assertEquals(-Errno.EINVAL, ring.mkdir("a/", 0755));
        assertEquals(-Errno.EINVAL, ring.rename("inside", "a/..", 0));
        assertEquals(-Errno.EINVAL, ring.rename("a/..", "x", 0));
        assertTrue(Files.isDirectory(root.resolve("a")));
        assertNeighboursUntouched();
    }

    @Test
    void unlinkingASymlinkToOutside_removesTheLinkNotTheTarget() throws Exception {
        Files.createSymbolicLink(root.resolve("rel"), Path.of("../canary"));
        assertEquals(0, ring.unlink("rel", 0));
        assertFalse(Files.exists(root.resolve("rel"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertNeighboursUntouched();
    }

    @Test
    void nulByte_isEinval() throws Exception {
        byte[] path = StorageRing.utf8("inside\0/../../canary");
        assertEquals(-Errno.EINVAL, ring.open(path, O_RDONLY, 0), "the kernel would have cut the path at the NUL");
        assertEquals(-Errno.EINVAL, ring.mkdir(StorageRing.utf8("x\0y"), 0755));
        assertNeighboursUntouched();
    }

    @Test
    void tooLongPath_isEnametoolong() throws Exception {
        byte[] path = new byte[5000];
        Arrays.fill(path, (byte) 'a');
        assertEquals(-Errno.ENAMETOOLONG, ring.open(path, CREATE, 0600));
        assertEquals(-Errno.ENAMETOOLONG, ring.mkdir(path, 0755));
        byte[] limit = new byte[ClientPath.PATH_MAX];
        Arrays.fill(limit, (byte) 'a');
        assertEquals(-Errno.ENAMETOOLONG, ring.open(limit, CREATE, 0600), "no room left for the NUL");
        try (Stream<Path> s = Files.list(root)) {
            assertEquals(2, s.count(), "nothing was created in the root either");
        }
    }
}
