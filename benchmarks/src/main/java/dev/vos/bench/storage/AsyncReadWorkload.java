package dev.vos.bench.storage;

import dev.vos.bench.support.Pinning;
import dev.vos.client.fs.VosFileSystemProvider;
import dev.vos.ring.client.WaitStrategy;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * 4 KiB random reads through an {@link AsynchronousFileChannel}, {@code in-flight} of them outstanding at all times:
 * each read's completion handler starts the next, in a closed loop for a fixed time, over the first 16 MiB of the
 * page-cached data file. Reports reads/s and the cores the client and the domain used.
 * <ul>
 *   <li>{@code --target native}: the JDK's channel (its default thread pool of platform threads), on both CPUs.</li>
 *   <li>{@code --target native-virtual}: the JDK's channel given an executor of virtual threads, as a vos channel
 *       has by default, on both CPUs: the same executor, without the domain.</li>
 *   <li>{@code --target vosfs}: a {@code vos://} path's channel (a virtual thread per read), the client pinned to
 *       CPU 0 and run with {@code -Djdk.virtualThreadScheduler.parallelism=1}; the domain's worker on CPU 1.</li>
 * </ul>
 * <pre>
 * usage: AsyncReadWorkload --target native|native-virtual|vosfs [--in-flight 1,16,64] [--warmup-s 2] [--measure-s 3]
 * </pre>
 */
public final class AsyncReadWorkload {

    private static final long PAGES = DataFile.RANDOM_SPAN / 4096;

    private AsyncReadWorkload() {
    }

    public static void main(String[] args) throws Exception {
        String target = "native";
        List<Integer> inFlight = List.of(1, 16, 64);
        double warmupS = 2;
        double measureS = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--target" -> target = v;
                case "--in-flight" -> inFlight = Arrays.stream(v.split(",")).map(Integer::valueOf).toList();
                case "--warmup-s" -> warmupS = Double.parseDouble(v);
                case "--measure-s" -> measureS = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        boolean vos = switch (target) {
            case "native", "native-virtual" -> false;
            case "vosfs" -> true;
            default -> throw new IllegalArgumentException("unknown target " + target);
        };
        if (vos) {
            Pinning.pinCurrentThread(0);
        }
        try (DataFile data = DataFile.create();
             StorageDomain domain = vos ? StorageDomain.start(data.exportRoot(), StorageDomain.GEOMETRY,
                     WaitStrategy.standard(), 1, Integer.toString(StorageDomain.SERVER_CPU)) : null;
             FileSystem vosFs = vos ? new VosFileSystemProvider().newFileSystem(URI.create("vos://bench-storage/"),
                     Map.of(VosFileSystemProvider.ENV_CALL_SOURCE, domain.ring())) : null) {
            Path file = vos ? vosFs.getPath("/" + DataFile.NAME) : data.file();
            ExecutorService executor = target.equals("native-virtual") ? Executors.newVirtualThreadPerTaskExecutor()
                    : null; // null: the channel's default
            for (int n : inFlight) {
                try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(file, Set.of(StandardOpenOption.READ),
                        executor)) {
                    run(target, ch, n, warmupS, measureS, domain);
                }
            }
        }
    }

    private static void run(String target, AsynchronousFileChannel ch, int inFlight, double warmupS, double measureS,
                            StorageDomain domain) throws Exception {
        LongAdder reads = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(inFlight);
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupS * 1e9);
        long end = measureFrom + (long) (measureS * 1e9);
        List<Lane> lanes = new ArrayList<>();
        for (int i = 0; i < inFlight; i++) {
            lanes.add(new Lane(ch, new SplittableRandom(0x9E3779B97F4A7C15L * (i + 1)), measureFrom, end, reads,
                    failure, stopped));
        }
        lanes.forEach(Lane::next);
        long sleepNs = measureFrom - System.nanoTime();
        if (sleepNs > 0) {
            TimeUnit.NANOSECONDS.sleep(sleepNs);
        }
        long client0 = StorageWorkload.cpuTicks(ProcessHandle.current().pid());
        long domain0 = domain == null ? 0 : StorageWorkload.cpuTicks(domain.pid());
        long t0 = System.nanoTime();
        if (!stopped.await((long) (measureS * 1e9) + 30_000_000_000L, TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("reads still in flight 30 s after the end");
        }
        long wallNs = System.nanoTime() - t0;
        long client1 = StorageWorkload.cpuTicks(ProcessHandle.current().pid());
        long domain1 = domain == null ? 0 : StorageWorkload.cpuTicks(domain.pid());
        if (failure.get() != null) {
            throw new IllegalStateException("a read failed", failure.get());
        }
        double seconds = wallNs / 1e9; // the CPU figures' span: the measured time and the last reads' return
        System.out.printf(Locale.ROOT, "%s in-flight %d reads/s %.0f clientCores %.2f domainCores %.2f%n", target,
                inFlight, reads.sum() / measureS, (client1 - client0) / 100.0 / seconds,
                (domain1 - domain0) / 100.0 / seconds);
    }

    /** One outstanding read at a time: its handler counts it and starts the next, until the end. */
    private static final class Lane implements CompletionHandler<Integer, Void> {
        private final AsynchronousFileChannel ch;
        private final SplittableRandom random;
        private final long measureFrom;
        private final long end;
        private final LongAdder reads;
        private final AtomicReference<Throwable> failure;
        private final CountDownLatch stopped;
        private final ByteBuffer dst = ByteBuffer.allocateDirect(4096);

        Lane(AsynchronousFileChannel ch, SplittableRandom random, long measureFrom, long end, LongAdder reads,
             AtomicReference<Throwable> failure, CountDownLatch stopped) {
            this.ch = ch;
            this.random = random;
            this.measureFrom = measureFrom;
            this.end = end;
            this.reads = reads;
            this.failure = failure;
            this.stopped = stopped;
        }

        void next() {
            dst.clear();
            ch.read(dst, random.nextLong(PAGES) * 4096, null, this);
        }

        @Override
        public void completed(Integer n, Void attachment) {
            long now = System.nanoTime();
            if (n != 4096) {
                failed(new IllegalStateException("short read: " + n), null);
                return;
            }
            if (now >= end) {
                stopped.countDown();
                return;
            }
            if (now >= measureFrom) {
                reads.increment();
            }
            next();
        }

        @Override
        public void failed(Throwable exc, Void attachment) {
            failure.compareAndSet(null, exc);
            stopped.countDown();
        }
    }
}
