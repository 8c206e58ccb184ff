package dev.vos.bench.ring;

import dev.vos.bench.support.Pinning;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.WaitStrategy;
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
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Latency of one call through the ring, client and server each busy-polling on a core of their own: the benchmark
 * thread is pinned to CPU 0, the server (a child JVM) polls with one worker pinned to CPU 1. Each method is one
 * complete round trip, measured as the average over a 1 s iteration.
 * <ul>
 *   <li>{@link #nullCall}: {@code NOP} through the ring; the slot (64 bytes) carries the call out and the result
 *       back. What the ring itself costs.</li>
 *   <li>{@link #remoteGetpid}: {@code GETPID} through the ring: the server makes the real system call.</li>
 *   <li>{@link #localGetpid}: {@code getpid} as a system call in this thread (FFM), no ring: the cost the ring
 *       call replaces.</li>
 *   <li>{@link #checksum64B}: 64 payload bytes written to the slot's data chunk and {@code CHECKSUM}med by the
 *       server: a null call that also moves a cache line of payload.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 4, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx256m",
        "--sun-misc-unsafe-memory-access=allow"})
@Threads(1)
@State(Scope.Thread)
public class RingRoundTripBenchmark {

    private RingFixture ring;
    private int pinnedTid;
    private MemorySegment payload;

    /** Runs on the benchmark thread (thread-scoped state): pins it, then starts the ring and its server. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        pinnedTid = Pinning.pinCurrentThread(RingFixture.CLIENT_CPU);
        ring = RingFixture.start(WaitStrategy.busyPoll());
        payload = MemorySegment.ofArray(new byte[64]);
        for (int i = 0; i < 64; i++) {
            payload.set(JAVA_BYTE, i, (byte) i);
        }
    }

    /** Fails the run if JMH measures on another thread than the one pinned. */
    @Setup(Level.Iteration)
    public void checkPinned() {
        Pinning.check(pinnedTid, RingFixture.CLIENT_CPU);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (ring != null) {
            ring.close();
        }
    }

    @Benchmark
    public long nullCall() throws DomainFailedException {
        return ring.client().call(CoreCalls.NOP);
    }

    @Benchmark
    public long remoteGetpid() throws DomainFailedException {
        return ring.client().call(CoreCalls.GETPID);
    }

    @Benchmark
    public long localGetpid() {
        return Linux.getpid();
    }

    @Benchmark
    public long checksum64B() throws DomainFailedException {
        try (CallSlot slot = ring.client().acquire()) {
            slot.data().copyFrom(payload);
            return slot.call(CoreCalls.CHECKSUM, slot.dataOffset(), payload.byteSize(), 0);
        }
    }
}
