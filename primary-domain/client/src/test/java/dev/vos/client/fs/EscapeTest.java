package dev.vos.client.fs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Escape attempts through the JDK's own API on vos paths: "..", links made on the disk that point out of the root
 * (absolute and relative), links made through vos that point out, and /proc magic links. Every one is refused
 * with an IOException, and after each test the export root's neighbour is exactly as it was: the same names,
 * bytes, modes, owners and times.
 */
class EscapeTest {

    @TempDir
    static Path dir;
    private static StorageDomain domain;
    private static FileSystem vos;
    private List<String> neighbourBefore;

    @BeforeAll
    static void up() throws Exception {
        domain = StorageDomain.start(dir);
        vos = domain.fs();
        Path root = domain.exportRoot();
        Files.createSymbolicLink(root.resolve("abs-out"), domain.neighbour());
        Files.createSymbolicLink(root.resolve("rel-out"), Path.of("../neighbour"));
        Files.createSymbolicLink(root.resolve("secret-link"), domain.neighbour().resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("proc-root"), Path.of("/proc/self/root"));
        Files.createSymbolicLink(root.resolve("proc-cwd"), Path.of("/proc/self/cwd"));
    }

    @AfterAll
    static void down() throws Exception {
        domain.close();
    }

    @BeforeEach
    void snapshot() throws IOException {
        neighbourBefore = snapshot(domain.neighbour());
    }

    @AfterEach
    void neighbourUntouched() throws IOException {
        assertEquals(neighbourBefore, snapshot(domain.neighbour()), "the export root's neighbour changed");
    }

    private static List<String> snapshot(Path where) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(where)) {
            for (Path p : walk.sorted().toList()) {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                out.add(where.relativize(p) + " " + PosixFilePermissions.toString(a.permissions()) + " " + a.owner()
                        + " " + a.lastModifiedTime() + " " + a.size()
                        + (a.isRegularFile() ? " " + java.util.Arrays.hashCode(Files.readAllBytes(p)) : ""));
            }
        }
        return out;
    }

    /** Paths that name the neighbour's secret, each by another way out. */
    private static List<Path> waysOut() {
        return List.of(vos.getPath("/../neighbour/secret.txt"), vos.getPath("../neighbour/secret.txt"),
                vos.getPath("/a/../../neighbour/secret.txt"), vos.getPath("/abs-out/secret.txt"),
                vos.getPath("/rel-out/secret.txt"), vos.getPath("/secret-link"),
                vos.getPath("/proc-root" + domain.neighbour().resolve("secret.txt")),
                vos.getPath("/proc-cwd/../neighbour/secret.txt"));
    }

    private static void refused(Path path, String what, IoAction action) {
        IOException e = assertThrows(IOException.class, action::run, what + " of " + path + " was not refused");
        assertTrue(e instanceof FileSystemException, what + " of " + path + ": " + e);
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    @Test
    void reading_everyWayOut_isRefused() {
        for (Path p : waysOut()) {
            refused(p, "read", () -> Files.readAllBytes(p));
            refused(p, "attributes", () -> Files.readAttributes(p, PosixFileAttributes.class));
            refused(p, "checkAccess", () -> p.getFileSystem().provider().checkAccess(p));
        }
    }

    @Test
    void writingTruncatingAndDeleting_everyWayOut_isRefused() {
        for (Path p : waysOut()) {
            refused(p, "write", () -> Files.writeString(p, "pwned"));
            refused(p, "truncate", () -> Files.newByteChannel(p, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING).close());
            refused(p, "append", () -> Files.writeString(p, "pwned", StandardOpenOption.APPEND));
            if (!p.toString().equals("/secret-link")) { // deleting the link itself is allowed: it is inside
                refused(p, "delete", () -> Files.delete(p));
            }
        }
    }

    @Test
    void attributeChanges_everyWayOut_areRefused() {
        for (Path p : waysOut()) {
            refused(p, "chmod", () -> Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx")));
            refused(p, "utimens", () -> Files.setLastModifiedTime(p, FileTime.fromMillis(0)));
            refused(p, "chown",
                    () -> Files.setOwner(p, vos.getUserPrincipalLookupService().lookupPrincipalByName("nobody")));
        }
    }

    @Test
    void creatingListingAndMovingOut_areRefused() throws IOException {
        Path inside = Files.writeString(vos.getPath("/mine.txt"), "mine");
        for (String out : List.of("/../neighbour/new.txt", "/abs-out/new.txt", "/rel-out/new.txt")) {
            Path p = vos.getPath(out);
            refused(p, "create", () -> Files.createFile(p));
            refused(p, "mkdir", () -> Files.createDirectory(p));
            refused(p, "move in", () -> Files.move(inside, p));
            refused(p, "copy in", () -> Files.copy(inside, p));
            refused(p, "symlink", () -> Files.createSymbolicLink(p, vos.getPath("/mine.txt")));
        }
        for (String out : List.of("/..", "/abs-out", "/rel-out", "/proc-root")) {
            Path p = vos.getPath(out);
            refused(p, "list", () -> Files.newDirectoryStream(p).close());
        }
        refused(vos.getPath("/rel-out/secret.txt"), "move out",
                () -> Files.move(vos.getPath("/rel-out/secret.txt"), vos.getPath("/stolen.txt")));
        refused(vos.getPath("/secret-link"), "copy out",
                () -> Files.copy(vos.getPath("/secret-link"), vos.getPath("/stolen.txt")));
        assertEquals("mine", Files.readString(inside));
    }

    @Test
    void aLinkMadeThroughVos_pointingOut_cannotBeFollowed() throws IOException {
        Path link = Files.createSymbolicLink(vos.getPath("/made-link"), vos.getPath("../neighbour/secret.txt"));
        refused(link, "read via a new link", () -> Files.readString(link));
        refused(link, "write via a new link", () -> Files.writeString(link, "pwned"));
        Path absolute = Files.createSymbolicLink(vos.getPath("/made-abs"),
                vos.getPath(domain.neighbour().resolve("secret.txt").toString()));
        refused(absolute, "read via a new absolute link", () -> Files.readString(absolute));
        assertTrue(Files.isSymbolicLink(link), "the link itself lives inside the root");
    }

    @Test
    void copyWithReplace_ontoALinkOut_replacesTheLink_notItsTarget() throws IOException {
        Path link = Files.createSymbolicLink(vos.getPath("/replace-me"), vos.getPath("../neighbour/secret.txt"));
        Path src = Files.writeString(vos.getPath("/src.txt"), "replacement");
        Files.copy(src, link, StandardCopyOption.REPLACE_EXISTING);
        assertEquals("replacement", Files.readString(domain.exportRoot().resolve("replace-me")));
        assertTrue(Files.isRegularFile(domain.exportRoot().resolve("replace-me"), LinkOption.NOFOLLOW_LINKS));
    }
}
