package dev.vos.client.fs;

import dev.vos.client.fs.mount.MountTable;
import dev.vos.client.fs.mount.MountedFileSystemProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential tests: the same random sequences of file operations run on a folder of the default file system
 * and on a folder of a vos file system (a real storage domain), and every step must give the same outcome: the
 * same value, or the same exception type with the same reason and the same path. After each sequence the two
 * trees must hold the same names, types, sizes and bytes.
 */
class DifferentialTest {

    private static final int SEQUENCES = 40;
    private static final int STEPS = 80;
    private static final String[] NAMES = {"f0", "f1", "f2", "d0", "d1", "d0/f0", "d0/f1", "d0/d2", "d0/d2/f3",
            "d1/f0", "nope/f9"};

    @TempDir
    static Path dir;
    private static StorageDomain domain;

    @BeforeAll
    static void up() throws Exception {
        domain = StorageDomain.start(dir.resolve("vos"));
    }

    @AfterAll
    static void down() throws Exception {
        domain.close();
    }

    /**
     * A read into a read-only buffer, relative and positional, scattering too: the default's {@code IOUtil} refuses
     * it (IllegalArgumentException "Read-only buffer") before it reads, so the channel's position does not move.
     */
    @Test
    void aReadIntoAReadOnlyBuffer_isRefused_andMovesNothing_asOnTheDefault() throws Exception {
        List<String> seen = new ArrayList<>();
        for (Path p : List.of(dir.resolve("read-only-local"), domain.fs().getPath("/read-only"))) {
            Files.write(p, bytes(7, 100));
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                ByteBuffer readOnly = ByteBuffer.allocate(10).asReadOnlyBuffer();
                seen.add(refusal(() -> ch.read(readOnly)) + " " + refusal(() -> ch.read(readOnly, 5))
                        + " " + refusal(() -> ch.read(new ByteBuffer[] {ByteBuffer.allocate(4), readOnly}))
                        + " position " + ch.position());
            }
        }
        assertEquals(seen.get(0), seen.get(1), "the default file system, then the storage domain");
    }

    private interface Read {
        long run() throws IOException;
    }

    private static String refusal(Read read) {
        try {
            return "read " + read.run();
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    @Test
    void randomSequences_giveTheSameResults_onTheDefaultFileSystemAndThroughTheStorageDomain() throws Exception {
        compare(dir.resolve("local"), seq -> domain.fs().getPath("/s" + seq), SEQUENCES);
    }

    /**
     * The same, through plain paths of a mount ({@code PREFIX storage0:/mounted}) of the provider a JVM gets with
     * {@code -Djava.nio.file.spi.DefaultFileSystemProvider}: the paths a program writes without knowing of vos.
     */
    @Test
    void randomSequences_giveTheSameResults_throughPlainPathsOfAMount() throws Exception {
        Files.createDirectories(domain.fs().getPath("/mounted"));
        String prefix = dir.resolve("srv/data").toString();
        MountedFileSystemProvider provider = new MountedFileSystemProvider(FileSystems.getDefault().provider(),
                MountTable.parse("test", prefix + " storage0:/mounted stateDir=" + domain.plane().stateDir(), false));
        FileSystem plain = provider.getFileSystem(URI.create("file:///"));
        compare(dir.resolve("local-mounted"), seq -> plain.getPath(prefix, "s" + seq), SEQUENCES);
        assertTrue(Files.exists(domain.exportRoot().resolve("mounted/s0")), "the sequences ran in the domain");
        assertFalse(Files.exists(dir.resolve("srv/data")), "nothing reached the host beneath the mount");
    }

    /**
     * Runs {@code sequences} random sequences on {@code localRoot/sN} (the default file system) and on {@code
     * remoteBase(N)}, step by step, and compares each outcome and then the two trees. Also run by the Xen lab's
     * {@code XenGuestFileSystemIT}, against a storage domain that is a Xen guest.
     */
    static void compare(Path localRoot, IntFunction<Path> remoteBase, int sequences) throws Exception {
        for (int seq = 0; seq < sequences; seq++) {
            Path local = Files.createDirectories(localRoot.resolve("s" + seq));
            Path remote = Files.createDirectories(remoteBase.apply(seq));
            Random a = new Random(seq);
            Random b = new Random(seq);
            List<String> log = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                String expected = run(local, a);
                String actual = run(remote, b);
                log.add(expected);
                assertEquals(expected, actual,
                        "sequence " + seq + " step " + step + " after:\n" + String.join("\n", log));
            }
            assertEquals(snapshot(local), snapshot(remote), "the trees differ after sequence " + seq);
        }
    }

    /** One random operation on {@code base}: its description and outcome, with {@code base} left out of paths. */
    private static String run(Path base, Random random) {
        int op = random.nextInt(18);
        String n1 = NAMES[random.nextInt(NAMES.length)];
        String n2 = NAMES[random.nextInt(NAMES.length)];
        long offset = random.nextInt(3) == 0 ? 70_000 + random.nextInt(5000) : random.nextInt(200);
        int length = random.nextInt(4) == 0 ? 100_000 + random.nextInt(50_000) : random.nextInt(300);
        long seed = random.nextLong();
        Path p = base.resolve(n1);
        Path q = base.resolve(n2);
        String what = op + " " + n1 + " " + n2 + " " + offset + " " + length;
        try {
            return what + " -> " + switch (op) {
                case 0 -> Files.createFile(p).getFileName();
                case 1 -> Files.createDirectory(p).getFileName();
                case 2 -> writeAt(p, offset, bytes(seed, length), StandardOpenOption.WRITE, StandardOpenOption.CREATE);
                case 3 -> writeAt(p, offset, bytes(seed, length), StandardOpenOption.WRITE);
                case 4 -> hash(Files.readAllBytes(p));
                case 5 -> readAt(p, offset, length);
                case 6 -> truncate(p, offset);
                case 7 -> Files.move(p, q, options(random)).getFileName();
                case 8 -> Files.copy(p, q, copyOptions(random)).getFileName();
                case 9 -> {
                    Files.delete(p);
                    yield "deleted";
                }
                case 10 -> Files.deleteIfExists(p);
                case 11 -> list(p);
                case 12 -> attributes(p, random.nextBoolean());
                case 13 -> {
                    Files.setPosixFilePermissions(p, permissions(random));
                    yield attributes(p, true);
                }
                case 14 -> {
                    Files.setLastModifiedTime(p, FileTime.fromMillis(1_000_000_000_000L + seed % 1000));
                    yield Files.getLastModifiedTime(p);
                }
                case 15 -> Files.write(p, bytes(seed, length), StandardOpenOption.CREATE_NEW).getFileName();
                case 16 -> gatherThenScatter(p, offset, bytes(seed, 3 * length + 7));
                case 17 -> transfer(p, q, offset, length, seed);
                default -> throw new AssertionError(op);
            };
        } catch (IOException | RuntimeException e) {
            return what + " -> " + describe(base, e);
        }
    }

    private static String describe(Path base, Exception e) {
        if (e instanceof FileSystemException f) {
            return f.getClass().getSimpleName() + "(" + relative(base, f.getFile()) + ", "
                    + relative(base, f.getOtherFile()) + ", " + f.getReason() + ")";
        }
        if (e instanceof java.nio.file.DirectoryIteratorException d) {
            return "DirectoryIteratorException(" + describe(base, d.getCause()) + ")";
        }
        return e.getClass().getSimpleName();
    }

    private static String relative(Path base, String file) {
        return file == null ? null : file.replace(base.toString(), "BASE");
    }

    private static byte[] bytes(long seed, int length) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String hash(byte[] bytes) {
        return bytes.length + ":" + Arrays.hashCode(bytes);
    }

    private static int writeAt(Path p, long offset, byte[] data, OpenOption... options) throws IOException {
        try (FileChannel ch = FileChannel.open(p, options)) {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            int total = 0;
            while (buffer.hasRemaining()) {
                total += ch.write(buffer, offset + total);
            }
            return total;
        }
    }

    /**
     * A transfer between two files' channels, {@code transferTo} or {@code transferFrom} by the seed, at positions
     * and counts from it (some past the end of a file): within one vos file system a copy inside the domain. The
     * answer is the count and both channels' positions after it. Not between a file and itself, where overlapping
     * ranges are copied in chunks whose size is the implementation's own.
     */
    private static String transfer(Path p, Path q, long offset, int length, long seed) throws IOException {
        if (p.equals(q)) {
            return "same file";
        }
        Random r = new Random(seed);
        try (FileChannel from = FileChannel.open(p, StandardOpenOption.READ);
             FileChannel to = FileChannel.open(q, StandardOpenOption.WRITE, StandardOpenOption.CREATE)) {
            from.position(r.nextInt(3) == 0 ? offset : 0);
            to.position(r.nextInt(200));
            long count = r.nextBoolean() ? length : Long.MAX_VALUE / 4;
            long n = r.nextBoolean() ? from.transferTo(offset, count, to) : to.transferFrom(from, to.position(), count);
            return n + " from@" + from.position() + " to@" + to.position();
        }
    }

    /**
     * A gather write of {@code data} in three buffers (heap, direct, heap) at {@code offset}, then a scatter read of
     * the file from 0 into three buffers: several payload chunks each way when {@code data} is large (the batched
     * path), one chunk when it is small.
     */
    private static String gatherThenScatter(Path p, long offset, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            int third = data.length / 3;
            ByteBuffer middle = ByteBuffer.allocateDirect(third).put(0, data, third, third);
            ByteBuffer[] out = {ByteBuffer.wrap(data, 0, third), middle,
                ByteBuffer.wrap(data, 2 * third, data.length - 2 * third)};
            ch.position(offset);
            long written = ch.write(out);
            ByteBuffer[] in = {ByteBuffer.allocate(1000), ByteBuffer.allocateDirect(third + 5),
                ByteBuffer.allocate(data.length)};
            ch.position(0);
            long read = ch.read(in);
            byte[] back = new byte[(int) Math.max(read, 0)];
            int at = 0;
            for (ByteBuffer b : in) {
                b.flip();
                int n = Math.min(b.remaining(), back.length - at);
                b.get(back, at, n);
                at += n;
            }
            return written + ":" + read + ":" + Arrays.hashCode(back) + ":" + ch.position() + ":" + ch.size();
        }
    }

    private static String readAt(Path p, long offset, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            int n = ch.read(buffer, offset);
            return n + ":" + HexFormat.of().formatHex(Arrays.copyOf(buffer.array(), Math.max(0, Math.min(n, 16))))
                    + ":" + Arrays.hashCode(Arrays.copyOf(buffer.array(), Math.max(n, 0))) + ":" + ch.size();
        }
    }

    private static long truncate(Path p, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.position(Math.min(size + 10, 500));
            ch.truncate(size);
            return ch.size() * 1000 + ch.position();
        }
    }

    private static CopyOption[] options(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> new CopyOption[0];
            case 1 -> new CopyOption[] {StandardCopyOption.REPLACE_EXISTING};
            default -> new CopyOption[] {StandardCopyOption.ATOMIC_MOVE};
        };
    }

    private static CopyOption[] copyOptions(Random random) {
        return random.nextBoolean() ? new CopyOption[0] : new CopyOption[] {StandardCopyOption.REPLACE_EXISTING};
    }

    /**
     * Modes that keep the owner's rights: the local side runs as root, which ignores modes, while the domain runs
     * with no capabilities (docs/spec.md), so a directory without its owner's search bit would differ by privilege,
     * not by the calls' semantics.
     */
    private static Set<PosixFilePermission> permissions(Random random) {
        return PosixFilePermissions.fromString(random.nextBoolean() ? "rwxr-x---" : "rwxr--r--");
    }

    private static List<String> list(Path p) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
            entries.forEach(e -> names.add(e.getFileName().toString()));
        }
        names.sort(null);
        return names;
    }

    private static String attributes(Path p, boolean follow) throws IOException {
        BasicFileAttributes a = follow ? Files.readAttributes(p, BasicFileAttributes.class)
                : Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        return (a.isDirectory() ? "dir" : a.isRegularFile() ? "file " + a.size() : "other") + " " + perms;
    }

    /** Every name beneath {@code base}, its type, size and bytes. */
    private static List<String> snapshot(Path base) throws IOException {
        try (Stream<Path> walk = Files.walk(base)) {
            List<String> out = new ArrayList<>();
            for (Path p : walk.toList()) {
                String name = base.relativize(p).toString();
                out.add(Files.isDirectory(p) ? name + "/" : name + " " + hash(Files.readAllBytes(p)));
            }
            out.sort(null);
            return out;
        }
    }
}
