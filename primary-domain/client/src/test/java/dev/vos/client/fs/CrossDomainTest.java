package dev.vos.client.fs;

import dev.vos.client.fs.mount.MountTable;
import dev.vos.client.fs.mount.MountedFileSystemProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.spi.FileSystemProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Files.copy} and {@code Files.move} between the file systems of two storage domains, storage0 and
 * storage1, each serving its own export root: the bytes are read from one domain and written into the other, as
 * the default provider copies between two devices, and a move copies and deletes (an atomic one is refused).
 * Each file's place is checked on the real disks beneath both export roots, so a write that lands in the
 * source's domain is seen. The same through two mounts, one of each domain, of the default provider a JVM would
 * get from the flags.
 */
class CrossDomainTest {

    @TempDir
    static Path dir;
    private static StorageDomain domains;
    private static FileSystem zero;
    private static FileSystem one;
    /** The default file system a JVM would get from the flags: PREFIX/zero is storage0's, PREFIX/one storage1's. */
    private static FileSystem mounted;
    private static String zeroPrefix;
    private static String onePrefix;
    private static int testNumber;
    private String name;
    private Path realZero;
    private Path realOne;

    @BeforeAll
    static void up() throws Exception {
        domains = StorageDomain.startTwo(dir);
        zero = domains.fs(StorageDomain.NAME);
        one = domains.fs(StorageDomain.SECOND);
        zeroPrefix = dir.resolve("srv/zero").toString();
        onePrefix = dir.resolve("srv/one").toString();
        String stateDir = " stateDir=" + domains.plane().stateDir();
        FileSystemProvider provider = new MountedFileSystemProvider(FileSystems.getDefault().provider(),
                MountTable.parse("test", zeroPrefix + " storage0:/" + stateDir + "\n" + onePrefix + " storage1:/"
                        + stateDir, false));
        mounted = provider.getFileSystem(URI.create("file:///"));
    }

    @AfterAll
    static void down() throws Exception {
        domains.close();
    }

    /** A folder of the same name in both domains, for this test alone. */
    @BeforeEach
    void folders() throws IOException {
        name = "t" + testNumber++;
        Files.createDirectory(zero.getPath("/" + name));
        Files.createDirectory(one.getPath("/" + name));
        realZero = domains.exportRoot(StorageDomain.NAME).resolve(name);
        realOne = domains.exportRoot(StorageDomain.SECOND).resolve(name);
    }

    private Path inZero(String file) {
        return zero.getPath("/" + name, file);
    }

    private Path inOne(String file) {
        return one.getPath("/" + name, file);
    }

    /** A plain path beneath the mount of storage0 (zero) or storage1 (one), in this test's folder. */
    private Path mountedPath(String prefix, String file) {
        return mounted.getPath(prefix, name, file);
    }

    @Test
    void copy_fromOneDomainToAnother_writesIntoTheTarget() throws Exception {
        Files.writeString(inZero("a.txt"), "from storage0");
        Files.copy(inZero("a.txt"), inOne("b.txt"));
        assertEquals("from storage0", Files.readString(realOne.resolve("b.txt")));
        assertFalse(Files.exists(realZero.resolve("b.txt")), "nothing written in the source's domain");
        assertEquals("from storage0", Files.readString(realZero.resolve("a.txt")), "the source stays");
        assertEquals("from storage0", Files.readString(inOne("b.txt")));
    }

    @Test
    void copy_largerThanAChunk_arrivesWhole() throws Exception {
        byte[] bytes = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(17).nextBytes(bytes);
        Files.write(inOne("big.bin"), bytes);
        Files.copy(inOne("big.bin"), inZero("big.bin"));
        assertTrue(java.util.Arrays.equals(bytes, Files.readAllBytes(realZero.resolve("big.bin"))));
    }

    @Test
    void copy_targetOfTheSameNameInTheSourcesDomainOnly_isNoObstacle() throws Exception {
        Files.writeString(inZero("a.txt"), "new");
        Files.writeString(inZero("b.txt"), "storage0's own b");
        Files.copy(inZero("a.txt"), inOne("b.txt"));
        assertEquals("new", Files.readString(realOne.resolve("b.txt")));
        assertEquals("storage0's own b", Files.readString(realZero.resolve("b.txt")));
    }

    @Test
    void copy_ontoAnExistingTarget_isFileAlreadyExists_unlessReplacing() throws Exception {
        Files.writeString(inZero("a.txt"), "new");
        Files.writeString(inOne("b.txt"), "old");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> Files.copy(inZero("a.txt"), inOne("b.txt")));
        assertEquals(inOne("b.txt").toString(), e.getFile());
        assertEquals("old", Files.readString(realOne.resolve("b.txt")));
        Files.copy(inZero("a.txt"), inOne("b.txt"), StandardCopyOption.REPLACE_EXISTING);
        assertEquals("new", Files.readString(realOne.resolve("b.txt")));
    }

    @Test
    void copy_aMissingSource_isNoSuchFile_namingIt() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> Files.copy(inZero("missing"), inOne("b.txt")));
        assertEquals(inZero("missing").toString(), e.getFile());
        assertFalse(Files.exists(realOne.resolve("b.txt")));
    }

    @Test
    void copy_aDirectory_copiesItAlone() throws Exception {
        Files.createDirectory(inZero("d"));
        Files.writeString(inZero("d/f"), "f");
        Files.copy(inZero("d"), inOne("d"));
        assertTrue(Files.isDirectory(realOne.resolve("d")));
        try (var entries = Files.list(realOne.resolve("d"))) {
            assertEquals(0, entries.count(), "a directory is copied without its entries, as the JDK copies one");
        }
    }

    @Test
    void move_fromOneDomainToAnother_copiesAndDeletes() throws Exception {
        Files.writeString(inOne("m.txt"), "moving");
        Files.setPosixFilePermissions(inOne("m.txt"), PosixFilePermissions.fromString("rwx------"));
        FileTime modified = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(inOne("m.txt"), modified);
        Files.move(inOne("m.txt"), inZero("m.txt"));
        assertEquals("moving", Files.readString(realZero.resolve("m.txt")));
        assertFalse(Files.exists(realOne.resolve("m.txt")), "the source is deleted");
        assertEquals("rwx------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(realZero.resolve("m.txt"))),
                "its permissions moved with it");
        assertEquals(modified, Files.getLastModifiedTime(realZero.resolve("m.txt")), "and its times");
    }

    @Test
    void move_atomicAcrossDomains_isRefused_andNothingMoves() throws Exception {
        Files.writeString(inZero("atomic.txt"), "stays");
        AtomicMoveNotSupportedException e = assertThrows(AtomicMoveNotSupportedException.class,
                () -> Files.move(inZero("atomic.txt"), inOne("atomic.txt"), StandardCopyOption.ATOMIC_MOVE));
        assertEquals(inZero("atomic.txt").toString(), e.getFile());
        assertEquals(inOne("atomic.txt").toString(), e.getOtherFile());
        assertEquals("Invalid cross-device link", e.getReason());
        assertEquals("stays", Files.readString(realZero.resolve("atomic.txt")));
        assertFalse(Files.exists(realOne.resolve("atomic.txt")));
    }

    @Test
    void move_aFullDirectoryAcrossDomains_isDirectoryNotEmpty_andNothingIsCopied() throws Exception {
        Files.createDirectory(inZero("full"));
        Files.writeString(inZero("full/f"), "f");
        DirectoryNotEmptyException e = assertThrows(DirectoryNotEmptyException.class,
                () -> Files.move(inZero("full"), inOne("full")));
        assertEquals(inZero("full").toString(), e.getFile());
        assertFalse(Files.exists(realOne.resolve("full")));
        assertTrue(Files.exists(realZero.resolve("full/f")));
    }

    @Test
    void move_withinOneDomain_isStillItsRename() throws Exception {
        Files.writeString(inOne("r1.txt"), "r");
        Files.move(inOne("r1.txt"), inOne("r2.txt"), StandardCopyOption.ATOMIC_MOVE);
        assertEquals("r", Files.readString(realOne.resolve("r2.txt")));
        assertFalse(Files.exists(realZero.resolve("r2.txt")));
    }

    @Test
    void copyAndMove_betweenMountsOfTwoDomains_landInTheTargetsDomain() throws Exception {
        Files.writeString(mountedPath(zeroPrefix, "p.txt"), "plain");
        Files.copy(mountedPath(zeroPrefix, "p.txt"), mountedPath(onePrefix, "copied.txt"));
        Files.move(mountedPath(zeroPrefix, "p.txt"), mountedPath(onePrefix, "moved.txt"));
        assertEquals("plain", Files.readString(realOne.resolve("copied.txt")));
        assertEquals("plain", Files.readString(realOne.resolve("moved.txt")));
        assertFalse(Files.exists(realZero.resolve("p.txt")), "the moved source is deleted");
        assertFalse(Files.exists(realZero.resolve("copied.txt")));
        assertFalse(Files.exists(realZero.resolve("moved.txt")));
        assertFalse(Files.exists(Path.of(zeroPrefix)), "nothing beneath a mount reached the host");
        assertFalse(Files.exists(Path.of(onePrefix)));
    }

    @Test
    void move_atomicBetweenMountsOfTwoDomains_isRefused_namingThePlainPaths() throws Exception {
        Path source = mountedPath(zeroPrefix, "a.txt");
        Files.writeString(source, "stays");
        AtomicMoveNotSupportedException e = assertThrows(AtomicMoveNotSupportedException.class,
                () -> Files.move(source, mountedPath(onePrefix, "a.txt"), StandardCopyOption.ATOMIC_MOVE));
        assertEquals(source.toString(), e.getFile());
        assertEquals(mountedPath(onePrefix, "a.txt").toString(), e.getOtherFile());
        assertEquals("stays", Files.readString(realZero.resolve("a.txt")));
        assertFalse(Files.exists(realOne.resolve("a.txt")));
    }
}
