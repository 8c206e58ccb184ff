package dev.vos.client.fs.mount;

import dev.vos.client.fs.StorageDomain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plain paths through the mount table, on a real storage domain: the provider the JDK would make the default one,
 * made here over this JVM's platform provider. The mount's prefix lies in this test's folder, and the host's folder
 * of the same name is left empty, so a byte that reached the host instead of the domain is seen.
 */
class MountedPathsTest {

    @TempDir
    static Path dir;
    private static StorageDomain domain;
    private static MountedFileSystemProvider provider;
    /** The mount's prefix, a plain host path. */
    private static String prefix;

    @BeforeAll
    static void up() throws Exception {
        domain = StorageDomain.start(dir.resolve("vos"));
        prefix = dir.resolve("srv/data").toString();
        Files.createDirectories(Path.of(prefix));
        provider = new MountedFileSystemProvider(FileSystems.getDefault().provider(), MountTable.parse("test",
                prefix + " storage0:/ stateDir=" + domain.plane().stateDir(), false));
    }

    @AfterAll
    static void down() throws Exception {
        domain.close();
    }

    /** A plain path of the mounting provider's default file system. */
    private static Path path(String text) {
        return provider.getFileSystem(java.net.URI.create("file:///")).getPath(text);
    }

    @Test
    void writeString_underTheMount_landsInTheExportRoot_notOnTheHost() throws Exception {
        Path hello = path(prefix + "/hello.txt");
        Files.writeString(hello, "served by storage0\n");
        assertEquals("served by storage0\n", Files.readString(hello));
        assertEquals("served by storage0\n", Files.readString(domain.exportRoot().resolve("hello.txt")));
        assertFalse(Files.exists(Path.of(prefix, "hello.txt")), "the host's folder of the mount stays empty");
        assertEquals(prefix + "/hello.txt", hello.toString());
    }

    @Test
    void aPathOutsideTheMount_isTheHosts_andANeighbourWithTheSameStartIsToo() throws Exception {
        Path host = path(dir.resolve("srv/database.txt").toString());
        Files.writeString(host, "host");
        assertEquals("host", Files.readString(dir.resolve("srv/database.txt")));
        assertFalse(Files.exists(domain.exportRoot().resolve("base.txt")));
        assertEquals(4, Files.size(host));
    }

    @Test
    void dotDot_outOfTheMount_isTheHosts_asTheKernelsWalkWouldTakeIt() throws Exception {
        Path out = path(prefix + "/../escaped.txt");
        Files.writeString(out, "host");
        assertTrue(Files.exists(dir.resolve("srv/escaped.txt")));
        Path in = path(prefix + "/../data/./in.txt");
        Files.writeString(in, "domain");
        assertTrue(Files.exists(domain.exportRoot().resolve("in.txt")));
    }

    @Test
    void toRealPath_neverLeavesTheMountByDotDot() throws Exception {
        Files.createDirectories(domain.exportRoot().resolve("real/a"));
        Files.createSymbolicLink(domain.exportRoot().resolve("real/a/up"), Path.of("../../../../.."));
        Path real = path(prefix + "/real/a/up").toRealPath();
        assertEquals(prefix, real.toString());
        assertEquals(prefix + "/real/a", path(prefix + "/real/a/../a/.").toRealPath().toString());
        assertSame(provider, real.getFileSystem().provider());
    }

    @Test
    void getFileStore_namesTheDomain() throws Exception {
        Files.writeString(path(prefix + "/store.txt"), "x");
        assertEquals("vos://storage0", Files.getFileStore(path(prefix + "/store.txt")).name());
        assertEquals(Files.getFileStore(dir).name(), Files.getFileStore(path(dir.toString())).name());
    }

    @Test
    void exceptions_nameThePathTheProgramGave() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> Files.readString(path(prefix + "/nope/missing.txt")));
        assertEquals(prefix + "/nope/missing.txt", e.getFile());
    }

    @Test
    void move_fromTheHostIntoTheMount_copiesAndDeletes() throws Exception {
        Path source = path(dir.resolve("moved.txt").toString());
        Files.writeString(source, "across");
        Path target = path(prefix + "/moved.txt");
        Files.move(source, target);
        assertFalse(Files.exists(dir.resolve("moved.txt")));
        assertEquals("across", Files.readString(domain.exportRoot().resolve("moved.txt")));
        Files.move(target, source);
        assertEquals("across", Files.readString(dir.resolve("moved.txt")));
        assertFalse(Files.exists(domain.exportRoot().resolve("moved.txt")));
    }

    @Test
    void move_atomicAcrossTheBorder_isRefused_andNothingMoves() throws Exception {
        Path source = path(dir.resolve("atomic.txt").toString());
        Files.writeString(source, "stays");
        AtomicMoveNotSupportedException e = assertThrows(AtomicMoveNotSupportedException.class,
                () -> Files.move(source, path(prefix + "/atomic.txt"), StandardCopyOption.ATOMIC_MOVE));
        assertEquals(source.toString(), e.getFile());
        assertEquals(prefix + "/atomic.txt", e.getOtherFile());
        assertEquals("Invalid cross-device link", e.getReason());
        assertTrue(Files.exists(dir.resolve("atomic.txt")));
        assertFalse(Files.exists(domain.exportRoot().resolve("atomic.txt")));
    }

    @Test
    void move_aFullDirectoryAcrossTheBorder_isDirectoryNotEmpty_andNothingIsCopied() throws Exception {
        Files.createDirectories(domain.exportRoot().resolve("full"));
        Files.writeString(domain.exportRoot().resolve("full/f"), "f");
        DirectoryNotEmptyException e = assertThrows(DirectoryNotEmptyException.class,
                () -> Files.move(path(prefix + "/full"), path(dir.resolve("full").toString())));
        assertEquals(prefix + "/full", e.getFile());
        assertFalse(Files.exists(dir.resolve("full")));
    }

    @Test
    void move_withinTheMount_isTheDomainsRename() throws Exception {
        Files.writeString(path(prefix + "/r1.txt"), "r");
        Files.move(path(prefix + "/r1.txt"), path(prefix + "/r2.txt"), StandardCopyOption.ATOMIC_MOVE);
        assertTrue(Files.exists(domain.exportRoot().resolve("r2.txt")));
    }

    @Test
    void list_namesEntriesBeneathTheHostPath() throws Exception {
        Files.createDirectories(path(prefix + "/listed"));
        Files.writeString(path(prefix + "/listed/a"), "a");
        try (Stream<Path> entries = Files.list(path(prefix + "/listed"))) {
            List<Path> all = entries.toList();
            assertEquals(List.of(prefix + "/listed/a"), all.stream().map(Path::toString).toList());
            assertInstanceOf(MountedPath.class, all.getFirst());
            assertEquals("a", Files.readString(all.getFirst()));
        }
        try (Stream<Path> walk = Files.walk(path(prefix + "/listed"))) {
            assertEquals(2, walk.count());
        }
    }

    @Test
    void map_readOnlyAndPrivate_areCopiesOfTheRange_readWriteIsRefused() throws Exception {
        Path file = path(prefix + "/mapped.bin");
        Files.writeString(file, "0123456789");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer ro = ch.map(MapMode.READ_ONLY, 2, 5);
            assertTrue(ro.isReadOnly());
            assertEquals("23456", StandardCharsets.US_ASCII.decode(ro.duplicate()).toString());
            MappedByteBuffer copy = ch.map(MapMode.PRIVATE, 0, 10);
            copy.put(0, (byte) 'X');
            assertEquals('X', copy.get(0));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment segment = ch.map(MapMode.READ_ONLY, 1, 3, arena);
                assertEquals('1', segment.get(ValueLayout.JAVA_BYTE, 0));
                assertTrue(segment.isReadOnly());
                assertEquals(0, segment.address() % 4096, "page-aligned, for a program that advises on pages");
            }
            ch.write(ByteBuffer.wrap("A".getBytes(StandardCharsets.US_ASCII)), 2);
            assertEquals('2', ro.get(0), "a copy made when mapped: later writes are not seen");
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> ch.map(MapMode.READ_WRITE, 0, 10));
            assertTrue(e.getMessage().startsWith("a vos file cannot be mapped READ_WRITE"), e.getMessage());
            assertThrows(IOException.class, () -> ch.map(MapMode.READ_ONLY, 5, 10));
        }
        assertEquals("01A3456789", Files.readString(domain.exportRoot().resolve("mapped.bin")),
                "a PRIVATE map's stores never reach the file");
    }

    @Test
    void pathsOfTheFileSystem_areTheProvidersOwn() {
        Path p = path(prefix + "/a");
        assertInstanceOf(MountedPath.class, p.getParent());
        assertInstanceOf(MountedPath.class, p.resolve("b"));
        assertInstanceOf(MountedPath.class, p.getFileSystem().getPath("x").toAbsolutePath());
        assertEquals(p, path(prefix).resolve("a"));
    }
}
