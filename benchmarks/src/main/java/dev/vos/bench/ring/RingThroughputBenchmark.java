package dev.vos.bench.ring;

import dev.vos.bench.support.Pinning;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Calls per second through one shared ring from {@code clients} concurrent virtual threads, for each client wait
 * strategy. One invocation starts the virtual threads, which together make {@link #CALLS_PER_INVOCATION}
 * {@code NOP} calls ({@code CALLS_PER_INVOCATION / clients} each), and joins them; the score is calls/s.
 *
 * <p>The server polls with one worker pinned to CPU 1. The client side keeps off that CPU: setup pins the benchmark
 * thread to CPU 0 before it creates the ring, and the threads created from it (the ring's monitor, the virtual
 * thread scheduler's carrier) inherit that affinity. Virtual threads themselves are not pinned (nothing calls
 * {@code sched_setaffinity} from one); they share the one carrier ({@code jdk.virtualThreadScheduler.parallelism=1},
 * since CPU 0 is all the client has). Without this, the carrier or the monitor lands on CPU 1 now and then, shares
 * it with the polling worker in scheduler time slices, and a run measures thousands of calls/s instead of millions.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(RingThroughputBenchmark.CALLS_PER_INVOCATION)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx256m",
        "--sun-misc-unsafe-memory-access=allow",
        "-Djdk.virtualThreadScheduler.parallelism=1"})
@Threads(1)
@State(Scope.Benchmark)
public class RingThroughputBenchmark {

    /** Calls per invocation, all clients together; divisible by every {@code clients} value. */
    public static final int CALLS_PER_INVOCATION = 16_384;
    /** How long {@code spinThenPark} spins before it parks. */
    public static final Duration SPIN = Duration.ofNanos(20_000);

    @Param({"1", "4", "64"})
    public int clients;

    @Param({"busyPoll", "spinThenPark"})
    public String strategy;

    private RingFixture ring;
    private int pinnedTid;

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        if (CALLS_PER_INVOCATION % clients != 0) {
            throw new IllegalArgumentException("clients=" + clients + " does not divide " + CALLS_PER_INVOCATION);
        }
        WaitStrategy wait = switch (strategy) {
            case "busyPoll" -> WaitStrategy.busyPoll();
            case "spinThenPark" -> WaitStrategy.spinThenPark(SPIN);
            default -> throw new IllegalArgumentException("unknown strategy " + strategy);
        };
        pinnedTid = Pinning.pinCurrentThread(RingFixture.CLIENT_CPU); // before anything creates client threads
        ring = RingFixture.start(wait);
        AtomicReference<String> carrierCpus = new AtomicReference<>();
        Thread.ofVirtual().start(() -> carrierCpus.set(Pinning.allowedCpus())).join();
        if (!carrierCpus.get().equals(Integer.toString(RingFixture.CLIENT_CPU))) {
            throw new IllegalStateException("virtual threads run on a carrier allowed CPUs " + carrierCpus.get());
        }
    }

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
    public void nopCalls() throws Throwable {
        RingClient client = ring.client();
        int each = CALLS_PER_INVOCATION / clients;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[clients];
        for (int t = 0; t < clients; t++) {
            threads[t] = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < each; i++) {
                        long r = client.call(CoreCalls.NOP);
                        if (r != 0) {
                            throw new IllegalStateException("NOP returned " + r);
                        }
                    }
                } catch (DomainFailedException | RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            });
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }
}
