package dev.vos.client.fs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDK's own file API on vos paths, served by a real storage domain: every call below is the code a program
 * written for the default file system runs, and every file it touches is checked on the real disk beneath the
 * export root.
 */
class VosFilesTest {

    @TempDir
    static Path dir;
    private static StorageDomain domain;
    private static FileSystem vos;
    private static int testNumber;
    private Path base;
    private Path real;

    @BeforeAll
    static void up() throws Exception {
        domain = StorageDomain.start(dir);
        vos = domain.fs();
    }

    @AfterAll
    static void down() throws Exception {
        domain.close();
    }

    @BeforeEach
    void folder() throws IOException {
        String name = "t" + testNumber++;
        base = Files.createDirectory(vos.getPath("/" + name));
        real = domain.exportRoot().resolve(name);
    }

    @Test
    void writeAndReadBack_throughFiles_landsOnTheRealDisk() throws IOException {
        Path file = base.resolve("hello.txt");
        Files.writeString(file, "hello, domain\n");
        assertEquals("hello, domain\n", Files.readString(file));
        assertEquals("hello, domain\n", Files.readString(real.resolve("hello.txt")));
        assertEquals(14, Files.size(file));
        assertTrue(Files.isRegularFile(file));
        assertTrue(Files.isDirectory(base));
        assertTrue(Files.exists(file));
        assertFalse(Files.exists(base.resolve("nope")));
    }

    @Test
    void pathOfAUri_findsTheSameFileSystem() throws IOException {
        Files.writeString(base.resolve("u.txt"), "by uri");
        Path byUri = Path.of(URI.create("vos://storage0" + base.resolve("u.txt")));
        assertEquals("by uri", Files.readString(byUri));
    }

    @Test
    void fileChannel_positionSizeTruncateForce_behaveAsTheDefaultChannel() throws IOException {
        Path file = base.resolve("chan.bin");
        byte[] big = new byte[300_000]; // several payload chunks
        new Random(7).nextBytes(big);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            assertEquals(big.length, ch.write(ByteBuffer.wrap(big)));
            assertEquals(big.length, ch.position());
            assertEquals(big.length, ch.size());
            ch.force(true);
            ByteBuffer back = ByteBuffer.allocateDirect(big.length);
            ch.position(0);
            while (back.hasRemaining() && ch.read(back) > 0) {
                // read until full
            }
            back.flip();
            byte[] got = new byte[big.length];
            back.get(got);
            assertArrayEquals(big, got);
            assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 400_000); // past the end: a hole
            assertEquals(400_003, ch.size());
            ch.truncate(10);
            assertEquals(10, ch.size());
            assertEquals(10, ch.position(), "truncate moves a position past the new end to it");
        }
        byte[] disk = Files.readAllBytes(real.resolve("chan.bin"));
        assertEquals(10, disk.length);
        assertArrayEquals(java.util.Arrays.copyOf(big, 10), disk);
    }

    @Test
    void scatterAndGather_moveEveryBuffer_inOrder() throws IOException {
        Path file = base.resolve("vectored.bin");
        byte[] one = new byte[100];
        byte[] two = new byte[100_000]; // the gather spans payload chunks
        byte[] three = new byte[7];
        Random random = new Random(3);
        random.nextBytes(one);
        random.nextBytes(two);
        random.nextBytes(three);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            assertEquals(100_107, ch.write(new ByteBuffer[] {ByteBuffer.wrap(one), ByteBuffer.wrap(two),
                    ByteBuffer.wrap(three)}));
            assertEquals(100_107, ch.position());
        }
        byte[] disk = Files.readAllBytes(real.resolve("vectored.bin"));
        assertArrayEquals(one, java.util.Arrays.copyOfRange(disk, 0, 100));
        assertArrayEquals(two, java.util.Arrays.copyOfRange(disk, 100, 100_100));
        assertArrayEquals(three, java.util.Arrays.copyOfRange(disk, 100_100, 100_107));
        ByteBuffer a = ByteBuffer.allocate(100);
        ByteBuffer b = ByteBuffer.allocateDirect(100_000);
        ByteBuffer c = ByteBuffer.allocate(50);
        try (FileChannel ch = FileChannel.open(file)) {
            assertEquals(100_107, ch.read(new ByteBuffer[] {a, b, c}));
            assertEquals(-1, ch.read(new ByteBuffer[] {ByteBuffer.allocate(1)}));
        }
        assertArrayEquals(one, a.array());
        byte[] back = new byte[100_000];
        b.flip().get(back);
        assertArrayEquals(two, back);
        assertEquals(7, c.position());
        assertArrayEquals(three, java.util.Arrays.copyOf(c.array(), 7));
    }

    @Test
    void closingTheFileSystem_closesItsChannelsAndStreams() throws IOException {
        FileSystem other = new VosFileSystemProvider().newFileSystem(URI.create("vos://storage0/"),
                java.util.Map.of(VosFileSystemProvider.ENV_STATE_DIR, domain.plane().stateDir()));
        Path file = Files.writeString(other.getPath(base.toString(), "c.txt"), "x");
        FileChannel channel = FileChannel.open(file);
        DirectoryStream<Path> stream = Files.newDirectoryStream(other.getPath(base.toString()));
        other.close();
        assertFalse(channel.isOpen());
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> channel.read(ByteBuffer.allocate(1)));
        assertThrows(IllegalStateException.class, stream::iterator);
        assertThrows(java.nio.file.ClosedFileSystemException.class, () -> Files.readString(file));
        assertEquals("x", Files.readString(base.resolve("c.txt")), "the other file system is untouched");
    }

    @Test
    void aLargeRead_withChunksInFlight_isWhole_andStopsAtTheEnd() throws IOException {
        Path file = base.resolve("large.bin");
        byte[] data = new byte[(int) (5.5 * 65536) + 123]; // 5 whole chunks and a piece
        new Random(11).nextBytes(data);
        Files.write(file, data);
        ByteBuffer all = ByteBuffer.allocate(2 << 20);
        try (FileChannel ch = FileChannel.open(file)) {
            int total = 0;
            for (int n; (n = ch.read(all)) > 0; ) {
                total += n;
            }
            assertEquals(data.length, total);
            assertEquals(-1, ch.read(all));
            ByteBuffer middle = ByteBuffer.allocateDirect(3 * 65536 + 7);
            assertEquals(middle.capacity(), ch.read(middle, 1000));
            byte[] got = new byte[middle.capacity()];
            middle.flip().get(got);
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 1000, 1000 + got.length), got);
        }
        assertArrayEquals(data, java.util.Arrays.copyOf(all.array(), data.length));
        assertEquals(data.length, all.position());
    }

    @Test
    void append_writesAtTheEnd() throws IOException {
        Path file = base.resolve("log.txt");
        Files.writeString(file, "one\n");
        Files.writeString(file, "two\n", StandardOpenOption.APPEND);
        assertEquals("one\ntwo\n", Files.readString(file));
    }

    @Test
    void aReadOnlyChannel_refusesWrites() throws IOException {
        Path file = Files.writeString(base.resolve("ro.txt"), "x");
        try (FileChannel ch = FileChannel.open(file)) {
            assertThrows(NonWritableChannelException.class, () -> ch.write(ByteBuffer.wrap(new byte[1])));
        }
    }

    @Test
    void errors_areTheDefaultProvidersExceptions_namingThePath() throws IOException {
        Path missing = base.resolve("missing");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Files.readString(missing));
        assertEquals(missing.toString(), e.getFile());
        Path file = Files.writeString(base.resolve("f"), "x");
        assertThrows(FileAlreadyExistsException.class, () -> Files.createFile(file));
        assertThrows(FileAlreadyExistsException.class, () -> Files.createDirectory(file));
        Files.createDirectory(base.resolve("d"));
        Files.writeString(base.resolve("d/inner"), "x");
        assertThrows(DirectoryNotEmptyException.class, () -> Files.delete(base.resolve("d")));
        assertThrows(NotDirectoryException.class, () -> Files.newDirectoryStream(file).close());
        assertThrows(NoSuchFileException.class, () -> Files.createDirectory(base.resolve("no/such")));
        assertThrows(NoSuchFileException.class, () -> Files.delete(missing));
        assertFalse(Files.deleteIfExists(missing));
    }

    @Test
    void directoryStreamAndWalk_listWhatIsThere() throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 700; i++) { // more than one batch of records
            names.add("entry-" + i + "-with-a-longish-name");
            Files.createFile(base.resolve(names.getLast()));
        }
        Files.createDirectories(base.resolve("sub/deeper"));
        Files.writeString(base.resolve("sub/deeper/leaf.txt"), "leaf");
        List<String> listed = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(base, "entry-*")) {
            stream.forEach(p -> listed.add(p.getFileName().toString()));
        }
        assertEquals(names.stream().sorted().toList(), listed.stream().sorted().toList());
        try (Stream<Path> walk = Files.walk(base.resolve("sub"))) {
            assertEquals(List.of("sub", "deeper", "leaf.txt"),
                    walk.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void attributes_matchTheRealFile() throws IOException {
        Path file = Files.writeString(base.resolve("attrs.txt"), "12345");
        FileTime when = FileTime.fromMillis(1_600_000_000_123L);
        Files.setLastModifiedTime(file, when);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        PosixFileAttributes viaVos = Files.readAttributes(file, PosixFileAttributes.class);
        PosixFileAttributes onDisk = Files.readAttributes(real.resolve("attrs.txt"), PosixFileAttributes.class);
        assertEquals(when, viaVos.lastModifiedTime());
        assertEquals(onDisk.lastModifiedTime(), viaVos.lastModifiedTime());
        assertEquals(onDisk.lastAccessTime(), viaVos.lastAccessTime());
        assertEquals(onDisk.creationTime(), viaVos.creationTime());
        assertEquals(onDisk.permissions(), viaVos.permissions());
        assertEquals(onDisk.owner().getName(), viaVos.owner().getName());
        assertEquals(onDisk.group().getName(), viaVos.group().getName());
        assertEquals(5, viaVos.size());
        assertEquals(Files.getAttribute(real.resolve("attrs.txt"), "unix:ino"), Files.getAttribute(file, "unix:ino"));
        assertEquals(5L, Files.getAttribute(file, "size"));
        assertThrows(IllegalArgumentException.class, () -> Files.getAttribute(file, "basic:colour"));
        assertThrows(UnsupportedOperationException.class, () -> Files.getAttribute(file, "dos:hidden"));
    }

    @Test
    void symbolicLinks_insideTheRoot_work() throws IOException {
        Path target = Files.writeString(base.resolve("target.txt"), "via link");
        Path link = Files.createSymbolicLink(base.resolve("link"), vos.getPath("target.txt"));
        assertEquals("via link", Files.readString(link));
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(vos.getPath("target.txt"), Files.readSymbolicLink(link));
        assertEquals(target, link.toRealPath());
        assertTrue(Files.readAttributes(link, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isSymbolicLink());
        assertThrows(java.nio.file.NotLinkException.class, () -> Files.readSymbolicLink(target));
    }

    @Test
    void moveAndCopy_followTheDefaultProvidersRules() throws IOException {
        Path a = Files.writeString(base.resolve("a"), "A");
        Path b = Files.writeString(base.resolve("b"), "B");
        assertThrows(FileAlreadyExistsException.class, () -> Files.move(a, b));
        Files.move(a, b, StandardCopyOption.REPLACE_EXISTING);
        assertFalse(Files.exists(a));
        assertEquals("A", Files.readString(b));
        Path c = Files.copy(b, base.resolve("c"), StandardCopyOption.COPY_ATTRIBUTES);
        assertEquals("A", Files.readString(c));
        assertEquals(Files.getLastModifiedTime(b), Files.getLastModifiedTime(c));
        Files.move(c, base.resolve("d"), StandardCopyOption.ATOMIC_MOVE);
        assertEquals("A", Files.readString(real.resolve("d")));
    }

    @Test
    void checkAccess_andTheFileStore() throws IOException {
        Path file = Files.writeString(base.resolve("acc"), "x");
        assertTrue(Files.isReadable(file));
        assertTrue(Files.isWritable(file));
        assertFalse(Files.isExecutable(file));
        var store = Files.getFileStore(file);
        assertTrue(store.getTotalSpace() > 0);
        assertEquals(Files.getFileStore(real).getTotalSpace(), store.getTotalSpace());
        assertThrows(NoSuchFileException.class, () -> Files.getFileStore(base.resolve("missing")));
    }

    @Test
    void inputAndOutputStreams_work() throws IOException {
        Path file = base.resolve("stream.txt");
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < 10_000; i++) {
                out.write("line " + i + "\n");
            }
        }
        try (var lines = Files.lines(file)) {
            assertEquals(10_000, lines.count());
        }
        assertEquals(Files.size(real.resolve("stream.txt")), Files.size(file));
    }

    @Test
    void aPathLeavingTheRoot_failsWithAFileSystemExceptionThatSaysSo() {
        Path escape = base.resolve("../../neighbour/secret.txt");
        FileSystemException e = assertThrows(FileSystemException.class, () -> Files.readString(escape));
        assertEquals(escape.toString(), e.getFile());
        assertTrue(e.getMessage().contains("leaves the storage domain's export root"), e.getMessage());
    }

    @Test
    void newInputStream_ofAPlantedFifo_isAccessDeniedAtOnce_andTheDomainServesOn() throws Exception {
        Path fifo = real.resolve("planted");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        Path path = base.resolve("planted");
        CompletableFuture<Throwable> open = CompletableFuture.supplyAsync(() -> {
            try (var in = Files.newInputStream(path)) {
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        Throwable refused;
        try {
            refused = open.get(2, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            try (FileChannel writer = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
                open.get(10, TimeUnit.SECONDS); // the domain's worker was held in open(2) until now
            }
            throw new AssertionError("opening a FIFO held the domain for more than 2 s");
        }
        AccessDeniedException e = assertInstanceOf(AccessDeniedException.class, refused);
        assertEquals(path.toString(), e.getFile());
        Files.writeString(base.resolve("after.txt"), "served");
        assertEquals("served", Files.readString(base.resolve("after.txt")));
    }

    @Test
    void anAppendChannel_writesAtTheEnd_whenTheFileGrowsBehindItsBack() throws IOException {
        Path file = base.resolve("log.txt");
        Files.writeString(file, "one\n");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap("two\n".getBytes(StandardCharsets.US_ASCII)));
            Files.writeString(real.resolve("log.txt"), "host\n", StandardOpenOption.APPEND);
            ch.write(new ByteBuffer[] {ByteBuffer.wrap("thr".getBytes(StandardCharsets.US_ASCII)),
                ByteBuffer.wrap("ee\n".getBytes(StandardCharsets.US_ASCII))});
            assertEquals(19, ch.position(), "an append channel's position is the end");
        }
        assertEquals("one\ntwo\nhost\nthree\n", Files.readString(real.resolve("log.txt")));
    }
}
