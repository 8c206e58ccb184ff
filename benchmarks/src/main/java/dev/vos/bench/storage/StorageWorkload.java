package dev.vos.bench.storage;

import dev.vos.bench.support.Pinning;
import dev.vos.client.fs.VosFileSystemProvider;
import dev.vos.ring.agent.DomainStats;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.server.KindFigure;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The storage figures of issue 4: {@code clients} virtual threads, each reading in a closed loop for a fixed time,
 * from one {@link ReadTarget}: 4 KiB at random page-aligned offsets of the first 16 MiB ({@code rand4k}), or 1 MiB
 * sequentially through its own stretch of a 256 MiB file ({@code seq1m}), or 1 KiB the same way ({@code seq1k}:
 * the small reads of a buffered reader such as Lucene's {@code BufferedIndexInput}), or 1 KiB at random
 * page-aligned offsets of the first 16 MiB ({@code rand1k}); the file page-cached; or writes 4 KiB at random
 * page-aligned offsets of a 16 MiB file with {@code force(false)} after every 16th ({@code randwrite}: native and
 * vosfs targets, through a FileChannel of the target's file system). Reports reads (or writes)/s,
 * MiB/s, latency percentiles (each read timed from the previous one's end, one clock read per read), and how many
 * cores the client and the domain used meanwhile (their processes' CPU time over wall time).
 *
 * <p>Run one JVM per target, as the script does, because they need different CPU layouts:
 * <ul>
 *   <li>{@code --target native}: the JDK's {@code FileChannel} in this process; the virtual threads' scheduler
 *       has both CPUs (its default parallelism, 2).</li>
 *   <li>{@code --target vos}: the storage domain, one worker busy-polling on CPU 1; this JVM pins its main thread
 *       to CPU 0 before it starts anything, so every client thread (the carrier, the ring's monitor) stays on CPU 0,
 *       and it must run with {@code -Djdk.virtualThreadScheduler.parallelism=1}. Clients wait as a {@code vos://}
 *       file system's do ({@code --wait standard}: {@code WaitStrategy.standard()}, spin 20 us, then park);
 *       {@code --wait busy} busy-polls ({@code WaitStrategy.busyPoll()}), what the figures before 2026-12-05 used:
 *       see docs/storage.md, "One carrier, 64 clients", for why those runs were bimodal.</li>
 *   <li>{@code --target vosfs}: the same domain and ring, read the way unmodified code reads it: a
 *       {@code FileChannel} of a {@code vos://} path (dev.vos.primary.fs), so the figure includes the provider.</li>
 * </ul>
 * <pre>
 * usage: StorageWorkload --target native|vos|vosfs [--workloads rand4k,rand1k,seq1m,seq1k,randwrite] [--clients 1,4,64]
 *                        [--warmup-s 2] [--measure-s 3] [--buffer direct|heap] [--chunk-threads 1] [--workers 1]
 *                        [--pin-cpus 1] [--wait standard|busy] [--label TEXT] [--out FILE.tsv]
 * </pre>
 * Each figure is a line on standard output and, with {@code --out}, a row appended to a TSV file (header
 * {@link #HEADER}) that {@link StorageReport} turns into the report.
 */
public final class StorageWorkload {

    /** The TSV columns. */
    public static final String HEADER = "label\ttarget\tworkload\tclients\tbuffer\tchunkThreads\treadsPerS\tmibPerS"
            + "\tmeanNs\tp50Ns\tp90Ns\tp99Ns\tp999Ns\tclientCores\tdomainCores\tdomainServiceNs\tcpus\ttime"
            + "\tbestWindowReadsPerS\tmedianWindowReadsPerS\tp1Ns\tp10Ns\tforces\tsyncsIssued\tcallsDeferred"
            + "\tbatchSubmissions\treadsMapped\treadsTrapped";
    /** The measured time is also cut into windows this long, whose rates show what a disturbance left intact. */
    static final long WINDOW_MS = 50;

    private static final long PAGES = DataFile.RANDOM_SPAN / 4096;
    /** The file {@code randwrite} writes: {@link DataFile#RANDOM_SPAN} bytes beside the data file. */
    static final String WRITE_FILE = "writes";
    /** {@code randwrite} forces the file after every this many writes of a client. */
    static final int WRITES_PER_FORCE = 16;
    private static final int MIB = 1 << 20;

    private StorageWorkload() {
    }

    /** One run's settings. */
    record Settings(String target, List<String> workloads, List<Integer> clients, double warmupS, double measureS,
                    String buffer, int chunkThreads, int workers, String pinCpus, String label, Path out,
                    WaitStrategy clientWait) {
    }

    public static void main(String[] args) throws Exception {
        Settings s = parse(args);
        int cpus = Runtime.getRuntime().availableProcessors(); // before the pin below narrows it
        boolean vos = !s.target().equals("native");
        if (vos) {
            Pinning.pinCurrentThread(0);
        }
        try (DataFile data = DataFile.create();
             StorageDomain domain = vos ? StorageDomain.start(data.exportRoot(), StorageDomain.GEOMETRY,
                     s.clientWait(), s.workers(), s.pinCpus()) : null;
             FileSystem vosFs = s.target().equals("vosfs") ? new VosFileSystemProvider().newFileSystem(
                     URI.create("vos://bench-storage/"), Map.of(VosFileSystemProvider.ENV_CALL_SOURCE, domain.ring()))
                     : null;
             ReadTarget target = vosFs != null ? ReadTarget.fileChannel(vosFs.getPath("/" + DataFile.NAME))
                     : vos ? VosRingTarget.open(domain.ring(), DataFile.NAME, s.chunkThreads())
                     : ReadTarget.fileChannel(data.file())) {
            if (s.out() != null && (!Files.exists(s.out()) || Files.size(s.out()) == 0)) {
                Files.writeString(s.out(), HEADER + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            Path writes = null;
            if (s.workloads().contains("randwrite")) {
                Path local = data.exportRoot().resolve(WRITE_FILE);
                try (FileChannel ch = FileChannel.open(local, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    ch.truncate(0);
                    ch.write(ByteBuffer.allocate(1), DataFile.RANDOM_SPAN - 1);
                }
                writes = vosFs != null ? vosFs.getPath("/" + WRITE_FILE) : vos ? null : local;
            }
            for (String workload : s.workloads()) {
                for (int clients : s.clients()) {
                    if (workload.equals("randwrite") && writes == null) {
                        continue; // the raw ring target has no write path of its own
                    }
                    String row = run(s, target, domain, workload, clients, cpus, writes);
                    System.out.println(row.replace('\t', ' '));
                    if (s.out() != null) {
                        Files.writeString(s.out(), row + "\n", StandardOpenOption.APPEND);
                    }
                }
            }
        }
    }

    /** The bytes one read (or write) of {@code workload} moves. */
    private static int bytesPerCall(String workload) {
        return switch (workload) {
            case "rand1k", "seq1k" -> 1024;
            case "seq1m" -> MIB;
            default -> 4096;
        };
    }

    private static String run(Settings s, ReadTarget target, StorageDomain domain, String workload, int clients,
                              int cpus, Path writes) throws Exception {
        boolean random = switch (workload) {
            case "rand4k", "rand1k", "randwrite" -> true;
            case "seq1m", "seq1k" -> false;
            default -> throw new IllegalArgumentException("unknown workload " + workload);
        };
        FileChannel writer = workload.equals("randwrite")
                ? FileChannel.open(writes, StandardOpenOption.READ, StandardOpenOption.WRITE) : null;
        int size = bytesPerCall(workload);
        Client[] all = new Client[clients];
        Thread[] threads = new Thread[clients];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long stretch = (DataFile.SIZE / MIB / clients) * MIB; // each sequential reader's own part of the file
        for (int c = 0; c < clients; c++) {
            ByteBuffer dst = s.buffer().equals("heap") ? ByteBuffer.allocate(size) : ByteBuffer.allocateDirect(size);
            all[c] = new Client(target, dst, random, c * Math.max(stretch, MIB), Math.max(stretch, MIB),
                    0x9E3779B97F4A7C15L * (c + 1), writer);
            Client client = all[c];
            threads[c] = Thread.ofVirtual().name("storage-client-" + c).unstarted(() -> {
                try {
                    client.loop();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    Phase.stop();
                }
            });
        }
        Phase.reset();
        for (Thread t : threads) {
            t.start();
        }
        Thread.sleep((long) (s.warmupS() * 1000));
        DomainStats before = domain == null ? null : domain.stats();
        long clientCpu0 = cpuTicks(ProcessHandle.current().pid());
        long domainCpu0 = domain == null ? 0 : cpuTicks(domain.pid());
        long t0 = System.nanoTime();
        Phase.measure();
        // Windows: on a machine shared with other work, the best ones are the figure of the time the client and the
        // domain had their CPUs; the whole run's rate mixes in the time they did not.
        List<Double> windows = new ArrayList<>();
        long end = t0 + (long) (s.measureS() * 1e9);
        long windowStart = t0;
        long opsAtStart = 0;
        while (true) {
            long now = System.nanoTime();
            long next = Math.min(windowStart + WINDOW_MS * 1_000_000L, end);
            if (next > now) {
                Thread.sleep((next - now) / 1_000_000L, (int) ((next - now) % 1_000_000L));
            }
            now = System.nanoTime();
            long ops = 0;
            for (Client c : all) {
                ops += c.measuredSoFar();
            }
            if (now - windowStart >= WINDOW_MS * 1_000_000L / 2) {
                windows.add((ops - opsAtStart) * 1e9 / (now - windowStart));
            }
            windowStart = now;
            opsAtStart = ops;
            if (now >= end) {
                break;
            }
        }
        Phase.stop();
        long wallNs = System.nanoTime() - t0;
        long clientCpu1 = cpuTicks(ProcessHandle.current().pid());
        long domainCpu1 = domain == null ? 0 : cpuTicks(domain.pid());
        for (Thread t : threads) {
            t.join();
        }
        if (writer != null) {
            writer.close();
        }
        if (failure.get() != null) {
            throw new IllegalStateException(workload + " with " + clients + " clients failed", failure.get());
        }
        DomainStats after = domain == null ? null : domain.stats();
        LatencyHistogram h = new LatencyHistogram();
        long reads = 0;
        for (Client c : all) {
            h.add(c.histogram);
            reads += c.measured;
        }
        double seconds = wallNs / 1e9;
        double hz = 100.0; // USER_HZ on Linux x86_64
        double clientCores = (clientCpu1 - clientCpu0) / hz / seconds;
        double domainCores = domain == null ? 0 : (domainCpu1 - domainCpu0) / hz / seconds;
        double serviceNs = domain == null ? Double.NaN : StorageDomain.meanServiceNs(before, after);
        double readsPerS = reads / seconds;
        return String.join("\t", s.label(), s.target(), workload, Integer.toString(clients), s.buffer(),
                Integer.toString(s.chunkThreads()), f(readsPerS), f(readsPerS * size / MIB),
                f(1e9 * clients / readsPerS),
                f(h.quantile(0.5)), f(h.quantile(0.9)), f(h.quantile(0.99)), f(h.quantile(0.999)), f2(clientCores),
                f2(domainCores), f(serviceNs), Integer.toString(cpus), Instant.now().toString(),
                f(windows.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)),
                f(StorageReport.median(windows.stream().mapToDouble(Double::doubleValue).toArray())),
                f(h.quantile(0.01)), f(h.quantile(0.1)), batchColumns(before, after));
    }

    /**
     * The domain's own counts between two {@code STATS} (the measured time and its tail), as the last six columns:
     * forces answered and fsyncs issued (group commit at work), calls deferred and io_uring_enter calls (the mean
     * batch), reads copied from the domain's mappings and reads it answered through the kernel; zeros for the native
     * target.
     */
    private static String batchColumns(DomainStats before, DomainStats after) {
        if (after == null) {
            return "0\t0\t0\t0\t0\t0";
        }
        return String.join("\t", Long.toString(figure(after, KindFigure.STORAGE_FORCES)
                        - figure(before, KindFigure.STORAGE_FORCES)),
                Long.toString(figure(after, KindFigure.STORAGE_SYNCS_ISSUED)
                        - figure(before, KindFigure.STORAGE_SYNCS_ISSUED)),
                Long.toString(after.callsDeferred() - before.callsDeferred()),
                Long.toString(after.batchSubmissions() - before.batchSubmissions()),
                Long.toString(figure(after, KindFigure.STORAGE_READS_MAPPED)
                        - figure(before, KindFigure.STORAGE_READS_MAPPED)),
                Long.toString(figure(after, KindFigure.STORAGE_READS_TRAPPED)
                        - figure(before, KindFigure.STORAGE_READS_TRAPPED)));
    }

    private static long figure(DomainStats stats, KindFigure figure) {
        return stats.kindFigures().getOrDefault(figure, 0L);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** utime + stime of a process, in clock ticks, from /proc/PID/stat. */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of the whole line
    }

    /** The run's phase, read by every client on every read. */
    static final class Phase {
        static final int WARMUP = 0;
        static final int MEASURE = 1;
        static final int STOP = 2;
        private static volatile int phase;

        static void reset() {
            phase = WARMUP;
        }

        static void measure() {
            phase = MEASURE;
        }

        static void stop() {
            phase = STOP;
        }

        static int get() {
            return phase;
        }
    }

    /** One client thread's loop and figures. */
    static final class Client {
        private final ReadTarget target;
        private final ByteBuffer dst;
        private final boolean random;
        private final long start;
        private final long stretch;
        /** For randwrite: the channel written (dst is then the source), else null. */
        private final FileChannel writer;
        private long seed;
        private static final java.lang.invoke.VarHandle MEASURED;

        static {
            try {
                MEASURED = java.lang.invoke.MethodHandles.lookup().findVarHandle(Client.class, "measured", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final LatencyHistogram histogram = new LatencyHistogram();
        /** Reads measured; written by the client thread only (opaque: no fence), read by the main thread. */
        long measured;

        long measuredSoFar() {
            return (long) MEASURED.getOpaque(this);
        }

        Client(ReadTarget target, ByteBuffer dst, boolean random, long start, long stretch, long seed,
               FileChannel writer) {
            this.target = target;
            this.writer = writer;
            this.dst = dst;
            this.random = random;
            this.start = start;
            this.stretch = stretch;
            this.seed = seed;
        }

        void loop() throws IOException {
            long sequential = 0;
            long ops = 0;
            long last = System.nanoTime();
            int phase;
            while ((phase = Phase.get()) != Phase.STOP) {
                long position;
                if (random) {
                    long x = seed;
                    x ^= x << 13;
                    x ^= x >>> 7;
                    x ^= x << 17;
                    seed = x;
                    position = ((x >>> 1) % PAGES) * 4096;
                } else {
                    position = start + sequential;
                    sequential = (sequential + dst.capacity()) % stretch;
                }
                dst.clear();
                if (writer != null) {
                    while (dst.hasRemaining()) {
                        writer.write(dst, position + dst.position());
                    }
                    if (++ops % WRITES_PER_FORCE == 0) {
                        writer.force(false);
                    }
                }
                while (writer == null && dst.hasRemaining()) {
                    int n = target.read(dst, position + dst.position());
                    if (n < 0) {
                        throw new IOException("end of file at " + (position + dst.position()));
                    }
                }
                long now = System.nanoTime();
                if (phase == Phase.MEASURE) {
                    histogram.record(now - last);
                    MEASURED.setOpaque(this, measured + 1);
                }
                last = now;
            }
        }
    }

    static Settings parse(String[] args) {
        String target = null;
        List<String> workloads = List.of("rand4k", "seq1m");
        List<Integer> clients = List.of(1, 4, 64);
        double warmup = 2;
        double measure = 3;
        String buffer = "direct";
        int chunkThreads = 1;
        int workers = 1;
        String pin = Integer.toString(StorageDomain.SERVER_CPU);
        String label = "";
        Path out = null;
        WaitStrategy wait = WaitStrategy.standard();
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--target" -> target = v;
                case "--workloads" -> workloads = List.of(v.split(","));
                case "--clients" -> {
                    List<Integer> list = new ArrayList<>();
                    for (String c : v.split(",")) {
                        list.add(Integer.parseInt(c));
                    }
                    clients = list;
                }
                case "--warmup-s" -> warmup = Double.parseDouble(v);
                case "--measure-s" -> measure = Double.parseDouble(v);
                case "--buffer" -> buffer = v;
                case "--chunk-threads" -> chunkThreads = Integer.parseInt(v);
                case "--workers" -> workers = Integer.parseInt(v);
                case "--pin-cpus" -> pin = v;
                case "--label" -> label = v;
                case "--out" -> out = Path.of(v);
                case "--wait" -> wait = switch (v) {
                    case "standard" -> WaitStrategy.standard();
                    case "busy" -> WaitStrategy.busyPoll();
                    default -> throw new IllegalArgumentException("--wait standard|busy");
                };
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        if (target == null || !(target.equals("native") || target.equals("vos") || target.equals("vosfs"))) {
            throw new IllegalArgumentException("--target native|vos|vosfs is required");
        }
        if (!buffer.equals("direct") && !buffer.equals("heap")) {
            throw new IllegalArgumentException("--buffer direct|heap");
        }
        return new Settings(target, workloads, clients, warmup, measure, buffer, chunkThreads, workers, pin, label,
                out, wait);
    }
}
