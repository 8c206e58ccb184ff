package dev.vos.bench.recovery;

import dev.vos.backend.Signals;
import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The fault loop the outside review ran, kept as the project's own: a control plane runs one storage domain while
 * {@code writers} virtual threads append fsync'ed records to their own files through {@code vos://} channels; the
 * harness SIGKILLs the domain {@code kills} times and SIGSTOPs it {@code stops} times (the supervisor must see the
 * hang and replace it). A writer whose call fails opens its file again and writes the record again. At the end
 * every record a writer saw acknowledged (its write and its force returned) must be on the disk, in its own file
 * at its own place, and no record may sit in another writer's file.
 *
 * <p>The short form runs in {@code ./mvnw verify} ({@code FaultLoopTest}); the long form is this main:
 * <pre>usage: FaultLoop [--kills 100] [--stops 10] [--writers 8] [--hang-timeout-ms 500]</pre>
 * It prints kills, recoveries, time to fail and time to serving (p50, p99, max, from the signal), records
 * acknowledged and lost, and the longest single call.
 */
public final class FaultLoop {

    /** One record: a header naming its writer and number, then filler derived from both. */
    static final int RECORD = 512;

    /**
     * What to run.
     *
     * @param kills         SIGKILLs of the domain
     * @param stops         SIGSTOPs of the domain (each must be judged hung and replaced)
     * @param writers       virtual threads writing, each to its own file
     * @param hangTimeoutMs the spec's hang timeout
     * @param serveMs       how long the writers write undisturbed between a recovery and the next fault (0: the
     *                      next fault at once, which tests recovery most often and data least)
     */
    public record Options(int kills, int stops, int writers, long hangTimeoutMs, long serveMs) {

        /** Faults back to back. */
        public Options(int kills, int stops, int writers, long hangTimeoutMs) {
            this(kills, stops, writers, hangTimeoutMs, 0);
        }
    }

    /**
     * What happened.
     *
     * @param faults       signals sent, in order ("SIGKILL", "SIGSTOP")
     * @param recoveries   faults after which every writer wrote again on a later generation
     * @param timeToFailMs per fault: from the signal until every writer had seen a call fail
     * @param timeToServeMs per fault: from the signal until every writer had a write acknowledged again
     * @param acknowledged records whose write and force returned
     * @param lost         acknowledged records not on disk as written
     * @param misplaced    records on disk in a file or at a place that is not theirs
     * @param longestCallMs the longest single write or force, successful or failed
     */
    public record Result(List<String> faults, int recoveries, double[] timeToFailMs, double[] timeToServeMs,
                         long acknowledged, long lost, long misplaced, double longestCallMs) {
    }

    private FaultLoop() {
    }

    public static void main(String[] args) throws Exception {
        int kills = 100;
        int stops = 10;
        int writers = 8;
        long hangTimeoutMs = 500;
        long serveMs = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--kills" -> kills = Integer.parseInt(args[++i]);
                case "--stops" -> stops = Integer.parseInt(args[++i]);
                case "--writers" -> writers = Integer.parseInt(args[++i]);
                case "--hang-timeout-ms" -> hangTimeoutMs = Long.parseLong(args[++i]);
                case "--serve-ms" -> serveMs = Long.parseLong(args[++i]);
                default -> {
                    System.err.println("usage: FaultLoop [--kills N] [--stops N] [--writers N] [--hang-timeout-ms MS]"
                            + " [--serve-ms MS]");
                    System.exit(2);
                }
            }
        }
        Options o = new Options(kills, stops, writers, hangTimeoutMs, serveMs);
        double[] load0 = loadAverage();
        Result r = run(o, Files.createTempDirectory("vos-fault-loop-"), System.out);
        double[] load1 = loadAverage();
        System.out.println(report(o, r, load0, load1));
        System.exit(r.lost() == 0 && r.misplaced() == 0 ? 0 : 1);
    }

    /** Runs the loop in {@code dir} (an empty folder), printing one line per fault to {@code log}. */
    public static Result run(Options o, Path dir, PrintStream log) throws Exception {
        Path export = Files.createDirectories(dir.resolve("export"));
        Path spec = dir.resolve("host.yaml");
        Files.writeString(spec, """
                version: 1
                controlPlane: {stateDir: ./state, metricsPort: 0}
                supervisor:
                  intensity: %d
                  periodSeconds: 600
                  backoff: {initialMs: 0, maxMs: 0}
                  hangTimeoutMs: %d
                domains:
                  - {name: storage0, kind: storage, resources: {memoryMb: 64}, storage: {exportRoot: ./export}}
                """.formatted(o.kills() + o.stops() + 10, o.hangTimeoutMs()));
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try (ControlPlane plane = ControlPlane.start(SpecParser.parse(spec), quiet);
             FileSystem fs = FileSystems.newFileSystem(URI.create("vos://storage0/"),
                     Map.of("stateDir", plane.stateDir()))) {
            awaitRunning(plane, 0);
            Writers writers = new Writers(fs, o.writers());
            List<String> faults = new ArrayList<>();
            double[] toFail = new double[o.kills() + o.stops()];
            double[] toServe = new double[toFail.length];
            int recoveries = 0;
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> running = writers.start(threads);
                writers.awaitAllWrote(0, Duration.ofSeconds(30));
                for (int i = 0; i < toFail.length; i++) {
                    Thread.sleep(o.serveMs());
                    boolean stop = i >= o.kills();
                    int signal = stop ? Signals.SIGSTOP : Signals.SIGKILL;
                    long generation = status(plane).generation();
                    long signalled = writers.markFault();
                    plane.handle(new Command.Kill("storage0", signal));
                    faults.add(Signals.name(signal));
                    awaitRunning(plane, generation);
                    boolean recovered = writers.awaitAllWrote(signalled, Duration.ofSeconds(30));
                    recoveries += recovered ? 1 : 0;
                    toFail[i] = writers.lastFailureSince(signalled);
                    toServe[i] = writers.lastWriteSince(signalled);
                    log.printf(Locale.ROOT, "%-7s #%-3d generation %d -> %d: every writer failed after %7.1f ms,"
                            + " wrote again after %7.1f ms%s%n", Signals.name(signal), i + 1, generation,
                            status(plane).generation(), toFail[i], toServe[i], recovered ? "" : " (NOT RECOVERED)");
                }
                writers.stop();
                for (Future<?> f : running) {
                    f.get(60, TimeUnit.SECONDS);
                }
            }
            long[] check = writers.check(export);
            return new Result(faults, recoveries, toFail, toServe, writers.acknowledged(), check[0], check[1],
                    writers.longestCallMs());
        }
    }

    /** The report: one table of times, one of records. */
    static String report(Options o, Result r, double[] load0, double[] load1) {
        StringBuilder md = new StringBuilder("# vos fault loop\n\n");
        md.append(String.format(Locale.ROOT, "%d SIGKILLs and %d SIGSTOPs of storage0 under %d fsync'ing writers"
                + " (hangTimeoutMs %d, %d ms of service between faults, %d CPUs; load average %.2f before, %.2f"
                + " after).%n%n", o.kills(), o.stops(), o.writers(), o.hangTimeoutMs(), o.serveMs(),
                Runtime.getRuntime().availableProcessors(), load0[0], load1[0]));
        md.append("| ms from the signal | n | p50 | p99 | max |\n|---|--:|--:|--:|--:|\n");
        row(md, "every writer saw a call fail", r.timeToFailMs());
        row(md, "every writer acknowledged again", r.timeToServeMs());
        md.append(String.format(Locale.ROOT, "%nfaults %d, recoveries %d; records acknowledged %,d, lost %d, in the"
                + " wrong place %d; longest single call %.1f ms%n", r.faults().size(), r.recoveries(),
                r.acknowledged(), r.lost(), r.misplaced(), r.longestCallMs()));
        return md.toString();
    }

    private static void row(StringBuilder md, String what, double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        if (v.length == 0) {
            return;
        }
        md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |%n", what, v.length,
                percentile(v, 0.5), percentile(v, 0.99), v[v.length - 1]));
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    }

    /** The machine's load averages (1, 5, 15 minutes), NaN where /proc does not say. */
    static double[] loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
    }

    private static DomainStatus status(ControlPlane plane) {
        return plane.ps().getFirst();
    }

    /** Waits until storage0 runs a generation after {@code after}. */
    private static void awaitRunning(ControlPlane plane, long after) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (status(plane).state() != DomainState.RUNNING || status(plane).generation() <= after) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("storage0 did not run a generation after " + after + ": "
                        + status(plane));
            }
            Thread.sleep(2);
        }
    }

    /** Record {@code n} of writer {@code w}: recognisable bytes, so a torn, missing or misplaced record shows. */
    static byte[] record(int w, long n) {
        byte[] r = new byte[RECORD];
        for (int i = 0; i < RECORD; i++) {
            r[i] = (byte) ('a' + (w * 31 + n * 7 + i) % 26);
        }
        byte[] head = ("writer " + w + " record " + n + "\n").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, r, 0, head.length);
        return r;
    }

    /** The writers, and what each saw: acknowledgements, failures and the times of both. */
    private static final class Writers {
        private final FileSystem fs;
        private final int count;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final ConcurrentLinkedQueue<long[]> acknowledged = new ConcurrentLinkedQueue<>();
        /** Per writer: the last time (nanoTime) a record was acknowledged. */
        private final AtomicLongArray lastAck;
        /** Per writer: its first failure and its first acknowledgement after the current fault's signal. */
        private final AtomicLongArray failedAfterFault;
        private final AtomicLongArray wroteAfterFault;
        private volatile long faultAt;
        private final AtomicLong longestCallNs = new AtomicLong();

        Writers(FileSystem fs, int count) {
            this.fs = fs;
            this.count = count;
            this.lastAck = new AtomicLongArray(count);
            this.failedAfterFault = new AtomicLongArray(count);
            this.wroteAfterFault = new AtomicLongArray(count);
        }

        List<Future<?>> start(ExecutorService threads) {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < count; w++) {
                int writer = w;
                running.add(threads.submit(() -> {
                    write(writer);
                    return null;
                }));
            }
            return running;
        }

        /** One writer: appends record after record, each forced; on a failure opens the file again and retries. */
        private void write(int w) throws InterruptedException {
            Path file = fs.getPath("/log-" + w);
            FileChannel ch = null;
            long n = 0;
            while (!stop.get()) {
                long t0 = System.nanoTime();
                try {
                    if (ch == null) {
                        ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    }
                    ByteBuffer b = ByteBuffer.wrap(record(w, n));
                    while (b.hasRemaining()) {
                        ch.write(b, n * RECORD + b.position());
                    }
                    ch.force(false);
                    long now = System.nanoTime();
                    longestCallNs.accumulateAndGet(now - t0, Math::max);
                    acknowledged.add(new long[] {w, n});
                    lastAck.set(w, now);
                    if (failedAfterFault.get(w) != 0) { // served again, after this fault failed its calls
                        wroteAfterFault.compareAndSet(w, 0, now);
                    }
                    n++;
                } catch (IOException e) {
                    long now = System.nanoTime();
                    longestCallNs.accumulateAndGet(now - t0, Math::max);
                    if (now > faultAt) {
                        failedAfterFault.compareAndSet(w, 0, now);
                    }
                    closeQuietly(ch);
                    ch = null;
                    Thread.sleep(2); // the domain is down or coming back: do not spin on it
                }
            }
            closeQuietly(ch);
        }

        /** Starts a fault: returns the time of its signal; the writers' first failure and write after it count. */
        long markFault() {
            for (int w = 0; w < count; w++) {
                failedAfterFault.set(w, 0);
                wroteAfterFault.set(w, 0);
            }
            long now = System.nanoTime();
            faultAt = now;
            return now;
        }

        /**
         * Waits until every writer has a record acknowledged after {@code since} and, once a fault was marked, after
         * a call of its own failed with that fault.
         */
        boolean awaitAllWrote(long since, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                boolean all = true;
                for (int w = 0; w < count; w++) {
                    all &= lastAck.get(w) > since && (faultAt == 0 || wroteAfterFault.get(w) != 0);
                }
                if (all) {
                    return true;
                }
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                Thread.sleep(1);
            }
        }

        /** ms from {@code since} until the last writer saw its first failure after it (0 if none failed). */
        double lastFailureSince(long since) {
            long last = since;
            for (int w = 0; w < count; w++) {
                last = Math.max(last, failedAfterFault.get(w));
            }
            return (last - since) / 1e6;
        }

        /** ms from {@code since} until the last writer's first acknowledged record after it. */
        double lastWriteSince(long since) {
            long last = since;
            for (int w = 0; w < count; w++) {
                last = Math.max(last, wroteAfterFault.get(w));
            }
            return (last - since) / 1e6;
        }

        void stop() {
            stop.set(true);
        }

        long acknowledged() {
            return acknowledged.size();
        }

        double longestCallMs() {
            return longestCallNs.get() / 1e6;
        }

        /**
         * Reads the files on the real disk: {lost, misplaced}. Lost: an acknowledged record that is not there as
         * written. Misplaced: a record-sized block that holds another writer's record, or a record of another
         * number (a block may be empty, or hold a record whose write failed: written, never acknowledged).
         */
        long[] check(Path export) throws IOException {
            long lost = 0;
            for (long[] ack : acknowledged) {
                Path file = export.resolve("log-" + ack[0]);
                byte[] onDisk = new byte[RECORD];
                try (FileChannel ch = FileChannel.open(file)) {
                    ch.read(ByteBuffer.wrap(onDisk), ack[1] * RECORD);
                }
                if (!Arrays.equals(onDisk, record((int) ack[0], ack[1]))) {
                    lost++;
                }
            }
            long misplaced = 0;
            for (int w = 0; w < count; w++) {
                byte[] all = Files.readAllBytes(export.resolve("log-" + w));
                for (int at = 0; at + RECORD <= all.length; at += RECORD) {
                    byte[] block = Arrays.copyOfRange(all, at, at + RECORD);
                    if (!isEmpty(block) && !Arrays.equals(block, record(w, at / RECORD))) {
                        misplaced++;
                    }
                }
            }
            return new long[] {lost, misplaced};
        }

        private static boolean isEmpty(byte[] block) {
            for (byte b : block) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }

        private static void closeQuietly(FileChannel ch) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException e) {
                    // a channel of a dead generation: its descriptor is gone already
                }
            }
        }
    }
}
