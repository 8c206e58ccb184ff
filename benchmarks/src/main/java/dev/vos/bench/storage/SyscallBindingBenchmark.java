package dev.vos.bench.storage;

import dev.vos.bench.support.Pinning;
import dev.vos.storage.domain.StorageSyscalls;
import dev.vos.storage.protocol.StorageFlags;
import dev.vos.sys.Linux;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The storage domain's system-call binding, in this process, no ring: what one {@code pread} costs the domain's
 * worker on top of the kernel. One thread pinned to CPU 0.
 * <ul>
 *   <li>{@link #preadErrno}: {@code StorageSyscalls.pread}, i.e. {@code Linux.syscallErrno} (errno captured), as
 *       the PREAD handler calls it;</li>
 *   <li>{@link #preadRaw}: the same system call through {@code Linux.syscall}, no errno capture: the FFM floor;</li>
 *   <li>{@link #getpidErrno} and {@link #getpidRaw}: the binding's overhead without the pread's work.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx256m"})
@Threads(1)
@State(Scope.Thread)
public class SyscallBindingBenchmark {

    private static final long PAGES = DataFile.RANDOM_SPAN / 4096;

    private DataFile data;
    private Arena arena;
    private MemorySegment buf;
    private int fd;
    private long seed = 0x9E3779B97F4A7C15L;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Pinning.pinCurrentThread(0);
        data = DataFile.create();
        arena = Arena.ofShared();
        buf = arena.allocate(4096, 4096);
        byte[] path = data.file().toString().getBytes(StandardCharsets.UTF_8);
        MemorySegment cpath = arena.allocate(path.length + 1L);
        cpath.copyFrom(MemorySegment.ofArray(path));
        long r = StorageSyscalls.openat2(StorageSyscalls.AT_FDCWD, cpath, StorageFlags.O_RDONLY
                | StorageSyscalls.O_CLOEXEC, 0, 0);
        if (r < 0) {
            throw new IOException("openat2 " + data.file() + ": " + r);
        }
        fd = (int) r;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        StorageSyscalls.close(fd);
        arena.close();
        data.close();
    }

    private long nextOffset() {
        long x = seed;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        seed = x;
        return ((x >>> 1) % PAGES) * 4096;
    }

    @Benchmark
    public long preadErrno() {
        return StorageSyscalls.pread(fd, buf, nextOffset());
    }

    @Benchmark
    public long preadRaw() {
        return Linux.syscall(StorageSyscalls.SYS_PREAD64, fd, buf.address(), 4096, nextOffset(), 0, 0);
    }

    @Benchmark
    public long getpidErrno() {
        return Linux.syscallErrno(Linux.SYS_GETPID, 0, 0, 0, 0, 0, 0);
    }

    @Benchmark
    public long getpidRaw() {
        return Linux.syscall(Linux.SYS_GETPID, 0, 0, 0, 0, 0, 0);
    }
}
