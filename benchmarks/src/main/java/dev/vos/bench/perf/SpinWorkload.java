package dev.vos.bench.perf;

import dev.vos.bench.support.ParentWatch;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The CPU-bound target of {@link CollectorOverhead}: N platform threads, each doing fixed chunks of arithmetic and
 * counting them. Prints "ready PID" once every thread exists and waits; on "go" (stdin) the threads start, and
 * after WARMUP_MS it counts the chunks done in the next WINDOW_MS, prints "chunks N ELAPSED_NS" and exits.
 * The threads wait for "go" so that the harness attaches while the machine is idle: 1000 spinning threads would
 * otherwise starve it for seconds before it even reads "ready".
 *
 * <p>Args: THREADS WARMUP_MS WINDOW_MS.
 */
public final class SpinWorkload {

    /** LCG steps per chunk: about 10 us on one core of these machines. */
    static final int CHUNK = 4096;
    /** Slots 16 longs (128 bytes) apart: no two threads' counters share a cache line. */
    static final int STRIDE = 16;
    static volatile long sink;

    private SpinWorkload() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        long warmupMs = Long.parseLong(args[1]);
        long windowMs = Long.parseLong(args[2]);
        ParentWatch.exitWhenParentDies(() -> { });
        AtomicLongArray counts = new AtomicLongArray(threads * STRIDE);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            int slot = t * STRIDE;
            Thread.ofPlatform().name("spin-" + t).daemon().stackSize(256 * 1024).start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long x = slot + 1;
                long n = 0;
                while (true) {
                    x = chunk(x);
                    counts.setOpaque(slot, ++n); // opaque: the reader sees progress; no fence on the hot path
                    if ((n & 0xffff) == 0) {
                        sink = x;
                    }
                }
            });
        }
        // Compile the chunk before anything is measured: with 1000 threads spinning, the JIT's own threads get so
        // little CPU that an uncompiled chunk can run interpreted for seconds (a tenfold drop seen in a run).
        long w = 1;
        for (int i = 0; i < 30_000; i++) {
            w = chunk(w);
        }
        sink = w;
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
        if (!"go".equals(line)) {
            System.exit(2);
        }
        go.countDown();
        Thread.sleep(warmupMs);
        long before = sum(counts, threads);
        long t0 = System.nanoTime();
        Thread.sleep(windowMs);
        long after = sum(counts, threads);
        long elapsedNs = System.nanoTime() - t0;
        System.out.println("chunks " + (after - before) + " " + elapsedNs);
        System.out.flush();
        System.exit(0);
    }

    /** One chunk of arithmetic: CHUNK steps of a 64-bit LCG. */
    static long chunk(long x) {
        for (int i = 0; i < CHUNK; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    private static long sum(AtomicLongArray counts, int threads) {
        long s = 0;
        for (int t = 0; t < threads; t++) {
            s += counts.getOpaque(t * STRIDE);
        }
        return s;
    }
}
