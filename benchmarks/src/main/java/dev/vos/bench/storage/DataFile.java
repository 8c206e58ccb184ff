package dev.vos.bench.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The file the storage benchmarks read: {@code /tmp/vos-bench-storage-<pid>/export/data}, on the same file system as
 * the floors' pread file (ext4 here, not tmpfs), filled with random bytes and read through once so that every page
 * is in the page cache. The export directory is what the storage domain serves.
 */
public final class DataFile implements AutoCloseable {

    /** The random 4 KiB reads fall in the first 16 MiB, as the floors' pread does. */
    public static final long RANDOM_SPAN = 16L << 20;
    /** The whole file: room for sequential 1 MiB reads by 64 clients without all of them on the same pages. */
    public static final long SIZE = 256L << 20;
    /** The file's name within the export root. */
    public static final String NAME = "data";

    private final Path dir;
    private final Path exportRoot;
    private final Path file;

    private DataFile(Path dir, Path exportRoot, Path file) {
        this.dir = dir;
        this.exportRoot = exportRoot;
        this.file = file;
    }

    /** Creates the file, or reuses one of the right size left by an earlier fork of this process. */
    public static DataFile create() throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "vos-bench-storage-" + ProcessHandle.current().pid());
        Path export = Files.createDirectories(dir.resolve("export"));
        Path file = export.resolve(NAME);
        if (!Files.exists(file) || Files.size(file) != SIZE) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
                SplittableRandom random = new SplittableRandom(42);
                for (long at = 0; at < SIZE; at += buf.capacity()) {
                    buf.clear();
                    while (buf.hasRemaining()) {
                        buf.putLong(random.nextLong());
                    }
                    buf.flip();
                    while (buf.hasRemaining()) {
                        ch.write(buf, at + buf.position());
                    }
                }
            }
        }
        warm(file);
        return new DataFile(dir, export, file);
    }

    /** Reads the whole file once, so that the benchmarks find it in the page cache. */
    static void warm(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            long at = 0;
            int n;
            while ((n = ch.read(buf, at)) > 0) {
                at += n;
                buf.clear();
            }
        }
    }

    public Path exportRoot() {
        return exportRoot;
    }

    public Path file() {
        return file;
    }

    /** Removes the file and its directories. */
    @Override
    public void close() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
