package dev.vos.bench.mount;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What vos as the default provider costs a path that is not mounted: {@code Files.size} and
 * {@code Files.newByteChannel} (open and close) on a 4 KiB file of the host, in JVMs of the platform's provider
 * ({@code *Platform}) and of vos's with a mount elsewhere ({@code *Mounted}: {@code /srv/vos-bench storage0:/},
 * never touched, so no domain is needed). The goal is within 5 %.
 * <ul>
 *   <li>{@code size*}: the same {@code Path} each time: its place (host or mount) is looked up once;</li>
 *   <li>{@code sizeFreshPath*}: {@code Path.of(String)} each time, so every call pays the prefix check too;</li>
 *   <li>{@code channel*}: open and close, the same {@code Path}.</li>
 * </ul>
 * Each figure is its own forks (the default provider is the JVM's, chosen at start-up).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@State(Scope.Thread)
public class HostPathBenchmark {

    private static final String MOUNTED_PROVIDER =
            "-Djava.nio.file.spi.DefaultFileSystemProvider=dev.vos.client.fs.mount.MountedFileSystemProvider";
    private static final String MOUNTS = "-Dvos.mounts=/srv/vos-bench storage0:/";

    private Path file;
    private String fileName;

    @Setup
    public void setUp() throws IOException {
        file = Files.createTempFile("vos-host-path-bench-", ".bin");
        Files.write(file, new byte[4096]);
        fileName = file.toString();
        String provider = FileSystems.getDefault().provider().getClass().getName();
        boolean mounted = provider.endsWith("MountedFileSystemProvider");
        if (mounted != (System.getProperty("vos.mounts") != null)) {
            throw new IllegalStateException("the fork's default provider is " + provider);
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    @Fork(value = 3, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx256m"})
    public long sizePlatform() throws IOException {
        return Files.size(file);
    }

    @Benchmark
    @Fork(value = 3, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx256m", MOUNTED_PROVIDER, MOUNTS})
    public long sizeMounted() throws IOException {
        return Files.size(file);
    }

    @Benchmark
    @Fork(value = 3, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx256m"})
    public long sizeFreshPathPlatform() throws IOException {
        return Files.size(Path.of(fileName));
    }

    @Benchmark
    @Fork(value = 3, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx256m", MOUNTED_PROVIDER, MOUNTS})
    public long sizeFreshPathMounted() throws IOException {
        return Files.size(Path.of(fileName));
    }

    @Benchmark
    @Fork(value = 3, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx256m"})
    public long channelPlatform() throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            return ch.position();
        }
    }

    @Benchmark
    @Fork(value = 3, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx256m", MOUNTED_PROVIDER, MOUNTS})
    public long channelMounted() throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            return ch.position();
        }
    }
}
