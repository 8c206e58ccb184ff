package dev.vos.bench.storage;

import dev.vos.bench.support.Pinning;
import dev.vos.ring.agent.DomainStats;
import dev.vos.ring.client.WaitStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One 4 KiB read at a random page-aligned offset of a page-cached file, end to end, on one thread pinned to CPU 0:
 * <ul>
 *   <li>{@code target=vos}: through the storage domain (a child JVM, one worker busy-polling on CPU 1):
 *       {@code PREAD} into the call slot's payload, then a copy into the caller's buffer
 *       ({@link VosRingTarget});</li>
 *   <li>{@code target=native}: the JDK's default {@code FileChannel.read(dst, position)} in this process.</li>
 * </ul>
 * {@code buffer} is the caller's {@code ByteBuffer}: heap or direct. For the vos target, each iteration's teardown
 * prints the domain's mean service time of the calls of that iteration (sampled by the worker: from taking the
 * call to completing it), which separates the domain's share from the ring's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx256m",
        "--sun-misc-unsafe-memory-access=allow"})
@Threads(1)
@State(Scope.Thread)
public class StorageReadBenchmark {

    /** Pages the random reads choose from: {@link DataFile#RANDOM_SPAN} / 4 KiB. */
    private static final long PAGES = DataFile.RANDOM_SPAN / 4096;

    @Param({"vos", "native"})
    public String target;

    @Param({"direct", "heap"})
    public String buffer;

    private DataFile data;
    private StorageDomain domain;
    private ReadTarget reads;
    private ByteBuffer dst;
    private int pinnedTid;
    private long seed = 0x9E3779B97F4A7C15L;
    private DomainStats before;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        pinnedTid = Pinning.pinCurrentThread(0);
        data = DataFile.create();
        if (target.equals("vos")) {
            domain = StorageDomain.start(data.exportRoot(), WaitStrategy.busyPoll());
            reads = VosRingTarget.open(domain.ring(), DataFile.NAME);
        } else {
            reads = ReadTarget.fileChannel(data.file());
        }
        dst = buffer.equals("direct") ? ByteBuffer.allocateDirect(4096) : ByteBuffer.allocate(4096);
    }

    @Setup(Level.Iteration)
    public void beforeIteration() throws IOException {
        Pinning.check(pinnedTid, 0);
        before = domain == null ? null : domain.stats();
    }

    @TearDown(Level.Iteration)
    public void afterIteration() throws IOException {
        if (domain != null) {
            System.out.printf(Locale.ROOT, "  [domain: mean service time %.1f ns/call]%n",
                    StorageDomain.meanServiceNs(before, domain.stats()));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            if (reads != null) {
                reads.close();
            }
        } finally {
            if (domain != null) {
                domain.close();
            }
            data.close();
        }
    }

    @Benchmark
    public int read4k() throws IOException {
        long x = seed;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        seed = x;
        long page = (x >>> 1) % PAGES;
        dst.clear();
        return reads.read(dst, page * 4096);
    }
}
