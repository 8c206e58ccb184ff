package dev.vos.bench.storage;

import dev.vos.client.fs.VosFileSystemProvider;
import dev.vos.ring.client.WaitStrategy;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code Files.copy} of one page-cached file within a file system, timed copy by copy: on the default file system
 * ({@code --target native}: the JDK's copy, copy_file_range in the kernel) or within a vos:// storage domain
 * ({@code --target vos}: the domain's copyRange calls where the client has them; the domain's worker busy-polls CPU
 * 1). Each copy goes to a new name and is deleted after it is timed, so every copy allocates its blocks afresh as
 * the first did. A row: target, MiB, copies, then MiB/s of each copy, and their median.
 *
 * <pre>usage: FileCopyWorkload --target native|vos [--mib N] [--copies N]</pre>
 */
public final class FileCopyWorkload {

    private FileCopyWorkload() {
    }

    public static void main(String[] args) throws Exception {
        String target = null;
        int mib = 256;
        int copies = 7;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--target" -> target = args[i + 1];
                case "--mib" -> mib = Integer.parseInt(args[i + 1]);
                case "--copies" -> copies = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (!"native".equals(target) && !"vos".equals(target)) {
            throw new IllegalArgumentException("--target native|vos is required");
        }
        Path scratch = Files.createTempDirectory("vos-bench-copy");
        Path export = Files.createDirectories(scratch.resolve("export"));
        try {
            write(export.resolve("source"), mib);
            boolean vos = target.equals("vos");
            try (StorageDomain domain = vos ? StorageDomain.start(export, WaitStrategy.busyPoll()) : null;
                 FileSystem vosFs = vos ? new VosFileSystemProvider().newFileSystem(URI.create("vos://bench-copy/"),
                         Map.of(VosFileSystemProvider.ENV_CALL_SOURCE, domain.ring())) : null) {
                Path root = vos ? vosFs.getPath("/") : export;
                double[] rates = new double[copies];
                for (int c = -1; c < copies; c++) { // copy -1 warms the JIT and is not counted
                    Path to = root.resolve("copy-" + c);
                    long t0 = System.nanoTime();
                    Files.copy(root.resolve("source"), to);
                    long ns = System.nanoTime() - t0;
                    if (Files.size(export.resolve("copy-" + c)) != (long) mib << 20) {
                        throw new IllegalStateException("copy " + c + " is not whole");
                    }
                    Files.delete(to);
                    if (c >= 0) {
                        rates[c] = mib / (ns / 1e9);
                    }
                }
                double[] sorted = rates.clone();
                Arrays.sort(sorted);
                StringBuilder row = new StringBuilder(target + " " + mib + " MiB " + copies + " copies, MiB/s:");
                for (double r : rates) {
                    row.append(String.format(Locale.ROOT, " %.0f", r));
                }
                row.append(String.format(Locale.ROOT, "; median %.0f", sorted[copies / 2]));
                System.out.println(row);
            }
        } finally {
            try (var walk = Files.walk(scratch)) {
                walk.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Writes {@code mib} MiB of random bytes, left in the page cache. */
    private static void write(Path file, int mib) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        SplittableRandom random = new SplittableRandom(256);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < mib; i++) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    chunk.putLong(random.nextLong());
                }
                chunk.flip();
                while (chunk.hasRemaining()) {
                    ch.write(chunk);
                }
            }
        }
    }
}
