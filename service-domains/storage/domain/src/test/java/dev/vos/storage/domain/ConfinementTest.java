package dev.vos.storage.domain;

import dev.vos.storage.protocol.FileStat;
import dev.vos.storage.protocol.StorageCalls;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.vos.storage.domain.StorageSyscalls.*;
import static dev.vos.storage.protocol.StorageFlags.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every way out of the export root a client might try is refused with the kernel's answer, and nothing beside
 * the root changes: {@code base/} holds the root, a canary file and a sibling file, and after every attempt it
 * holds exactly those, with the same contents, modes, owners, mtimes and ctimes (a chmod, chown or utimens that
 * got through would change the ctime at least).
 */
@Timeout(60)
class ConfinementTest {

    private static final int CREATE = O_WRONLY | O_CREAT | O_TRUNC;
    private static final int NOFOLLOW = AT_SYMLINK_NOFOLLOW;
    private static final long UNCHANGED = StorageCalls.UTIME_UNCHANGED;
    private static final long Y2K = 946_684_800_000_000_000L;

    @TempDir
    Path base;
    Path root;
    Path canary;
    Path sibling;
    StorageRing ring;
    Map<Path, Map<String, Object>> neighbourMetadata;

    @BeforeEach
    void start() throws Exception {
        root = Files.createDirectory(base.resolve("root"));
        canary = Files.writeString(base.resolve("canary"), "canary");
        sibling = Files.writeString(base.resolve("sibling-file"), "sibling");
        Files.setLastModifiedTime(canary, FileTime.fromMillis(1_000_000_000_000L));
        Files.setLastModifiedTime(sibling, FileTime.fromMillis(1_000_000_000_000L));
        neighbourMetadata = Map.of(canary, metadata(canary), sibling, metadata(sibling), base, metadata(base));
        Files.createDirectory(root.resolve("a"));
        Files.writeString(root.resolve("inside"), "inside");
        ring = StorageRing.open(StorageRing.table(root), 1);
    }

    /** What a metadata call that escaped would change (not atime: reading the canary's contents moves that). */
    private static Map<String, Object> metadata(Path p) throws IOException {
        return Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
    }

    @AfterEach
    void stop() throws Exception {
        ring.close();
        assertNeighboursUntouched();
    }

    private void assertNeighboursUntouched() throws IOException {
        for (Map.Entry<Path, Map<String, Object>> e : neighbourMetadata.entrySet()) {
            assertEquals(e.getValue(), metadata(e.getKey()), e.getKey() + "'s metadata");
        }
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

    /**
     * Asserts that every call that resolves {@code path} fully (stat, utimens, chmod, chown, access; open too)
     * answers {@code errno}, and, where {@code nofollowToo}, so do their AT_SYMLINK_NOFOLLOW forms (for paths whose
     * escape is not only in the final symlink).
     */
    private void assertMetadataCallsRefused(String path, int errno, boolean nofollowToo) throws Exception {
        assertEquals(-errno, ring.statResult(path, 0), "stat " + path);
        assertEquals(-errno, ring.utimens(path, Y2K, Y2K, 0), "utimens " + path);
        assertEquals(-errno, ring.chmod(path, 0777), "chmod " + path);
        assertEquals(-errno, ring.chown(path, 4242, 4242, 0), "chown " + path);
        assertEquals(-errno, ring.access(path, F_OK), "access " + path);
        assertEquals(-errno, ring.open(path, O_RDONLY, 0), "open " + path);
        if (nofollowToo) {
            assertEquals(-errno, ring.statResult(path, NOFOLLOW), "lstat " + path);
            assertEquals(-errno, ring.utimens(path, Y2K, Y2K, NOFOLLOW), "utimens nofollow " + path);
            assertEquals(-errno, ring.chown(path, 4242, 4242, NOFOLLOW), "lchown " + path);
        }
    }

    @Test
    void metadataCalls_dotDotAndAbsolute_areExdev() throws Exception {
        for (String path : List.of("../canary", "a/../../canary", "..", "../root/../canary", canary.toString(),
                "/etc/passwd", "/")) {
            assertMetadataCallsRefused(path, Errno.EXDEV, true);
        }
        assertEquals("-EXDEV", ring.readlink("../canary", 100));
        assertEquals("-EXDEV", ring.readlink(canary.toString(), 100));
        assertEquals(-Errno.EXDEV, ring.symlink("x", "../evil"));
        assertEquals(-Errno.EXDEV, ring.symlink("x", "a/../../evil"));
        assertEquals(-Errno.EXDEV, ring.symlink("x", base.resolve("evil").toString()));
        assertNeighboursUntouched();
    }

    @Test
    void metadataCalls_throughASymlinkOutOfTheRoot_areExdev() throws Exception {
        Files.createSymbolicLink(root.resolve("abs"), canary);
        Files.createSymbolicLink(root.resolve("rel"), Path.of("../canary"));
        Files.createSymbolicLink(root.resolve("a/deep"), Path.of("../../sibling-file"));
        Files.createSymbolicLink(root.resolve("up"), Path.of(".."));
        for (String path : List.of("abs", "rel", "a/deep", "up", "up/canary", "up/root/rel")) {
            assertMetadataCallsRefused(path, Errno.EXDEV, false);
        }
        for (String path : List.of("up/canary", "up/sibling-file", "up/root/inside")) {
            assertMetadataCallsRefused(path, Errno.EXDEV, true); // the escape is in a directory, not the last name
        }
        assertEquals("-EXDEV", ring.readlink("up/canary", 100));
        assertEquals(-Errno.EXDEV, ring.symlink("x", "up/evil"));
        assertNeighboursUntouched();
    }

    @Test
    void nofollowOnALinkOutOfTheRoot_actsOnTheLinkOnly() throws Exception {
        Path rel = Files.createSymbolicLink(root.resolve("rel"), Path.of("../canary"));
        assertTrue(ring.stat("rel", NOFOLLOW).isSymbolicLink(), "the link is inside; where it points is not");
        assertEquals("../canary", ring.readlink("rel", 100), "reading a link does not follow it");
        assertEquals(0, ring.utimens("rel", UNCHANGED, Y2K, NOFOLLOW));
        assertEquals(FileTime.from(java.time.Instant.ofEpochSecond(Y2K / 1_000_000_000L)),
                Files.getLastModifiedTime(rel, LinkOption.NOFOLLOW_LINKS), "the link's own time");
        assertEquals(0, ring.chown("rel", -1, -1, NOFOLLOW));
        assertNeighboursUntouched();
    }

    @Test
    void aSymlinkMadeThroughTheDomain_isConfinedWhenFollowed() throws Exception {
        // symlink stores any target (as the kernel does); every resolution through it is refused
        assertEquals(0, ring.symlink("../canary", "made-rel"));
        assertEquals(0, ring.symlink(canary.toString(), "made-abs"));
        assertEquals(0, ring.symlink("..", "made-up"));
        assertEquals(0, ring.symlink("../../sibling-file", "a/made-deep"));
        assertEquals("../canary", ring.readlink("made-rel", 100));
        assertEquals(canary.toString(), ring.readlink("made-abs", 4096));
        for (String path : List.of("made-rel", "made-abs", "made-up/canary", "a/made-deep")) {
            assertMetadataCallsRefused(path, Errno.EXDEV, false);
            assertEquals(-Errno.EXDEV, ring.open(path, CREATE, 0600), "open for writing " + path);
        }
        assertEquals(-Errno.EXDEV, ring.symlink("x", "made-up/evil"), "a new link through a made link");
        assertEquals(-Errno.EXDEV, ring.mkdir("made-up/evil", 0755));
        assertNeighboursUntouched();
    }

    @Test
    void metadataCalls_throughProcLinksOutOfTheRoot_areExdev() throws Exception {
        Files.createSymbolicLink(root.resolve("procfd"), Path.of("/proc/self/fd/3"));
        Files.createSymbolicLink(root.resolve("procroot"), Path.of("/proc/self/root"));
        assertMetadataCallsRefused("procfd", Errno.EXDEV, false);
        assertMetadataCallsRefused("procroot/etc/passwd", Errno.EXDEV, true);
        assertEquals(-Errno.EXDEV, ring.symlink("x", "procroot/tmp/evil"));
        assertNeighboursUntouched();
    }

    @Test
    void metadataCalls_onMagicLinksBeneathTheRoot_areEloop() throws Exception {
        // As magicLinksBeneathTheRoot_areEloop: /proc/self exported, its magic links reached with no escape.
        // The arguments are no-ops (times and ids unchanged) in case one got through.
        try (StorageRing proc = StorageRing.open(StorageRing.table(Path.of("/proc/self")), 1)) {
            for (String path : List.of("fd/0", "root", "cwd", "exe", "root/etc/passwd", "cwd/pom.xml")) {
                assertEquals(-Errno.ELOOP, proc.statResult(path, 0), "stat " + path);
                assertEquals(-Errno.ELOOP, proc.utimens(path, UNCHANGED, UNCHANGED, 0), "utimens " + path);
                assertEquals(-Errno.ELOOP, proc.chown(path, -1, -1, 0), "chown " + path);
                assertEquals(-Errno.ELOOP, proc.access(path, F_OK), "access " + path);
            }
            assertEquals(-Errno.ELOOP, proc.chmod("fd/0", 0600), "chmod (of a pipe, had it got through)");
            assertEquals(-Errno.ELOOP, proc.statResult("root/etc/passwd", NOFOLLOW), "a magic link on the way");
            FileStat link = proc.stat("fd/0", NOFOLLOW);
            assertTrue(link.isSymbolicLink(), "NOFOLLOW names the magic link itself, which is harmless");
            assertTrue(proc.stat("status", 0).isRegularFile(), "an ordinary file beneath the same root");
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
        byte[] limit = new byte[StorageCalls.PATH_MAX];
        Arrays.fill(limit, (byte) 'a');
        assertEquals(-Errno.ENAMETOOLONG, ring.open(limit, CREATE, 0600), "no room left for the NUL");
        try (Stream<Path> s = Files.list(root)) {
            assertEquals(2, s.count(), "nothing was created in the root either");
        }
    }
}
