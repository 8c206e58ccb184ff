package dev.vos.bench.perf;

import dev.vos.bench.support.Children;
import dev.vos.perf.PerfEvent;
import dev.vos.perf.counting.CounterCollector;
import dev.vos.perf.counting.ThreadNamer;
import dev.vos.perf.ring.RecordHandler;
import dev.vos.perf.ring.Sample;
import dev.vos.perf.sampling.Sampler;
import dev.vos.perf.sampling.SamplerOptions;
import dev.vos.perf.sys.PerfEventAttrDescriptor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * What perfctr-xen costs a CPU-bound workload: {@link SpinWorkload} with T threads run bare, with the counting
 * collector at a 1 s interval (vos perf stat's default events, per thread), and with the sampler at 1 kHz per
 * thread (drained every 20 ms). Modes alternate within each repetition (bare, stat, record, bare, stat, ...) so
 * that drift in the machine's load hits all three alike. Throughput is chunks of arithmetic per second over the
 * window; overhead is 1 - mode / bare, per repetition against that repetition's bare run, reported as median and
 * range.
 *
 * <p>Args: {@code [--threads 100,1000] [--reps 5] [--warmup-ms 2000] [--window-ms 4000] [--out FILE.md]
 * [--events task-clock,cs,...]} (default: vos perf stat's default events that this machine counts).
 */
public final class CollectorOverhead {

    /** What runs beside the workload; PERF_RECORD is the reference tool sampling the same way (per thread, 1 kHz). */
    enum Mode { BARE, STAT, RECORD, PERF_RECORD }

    /** One run's figures. */
    record Run(Mode mode, int threads, double chunksPerSecond, long collectorCpuNs, double collectorSeconds,
               long samples, long lost, long attachMs) {
    }

    /**
     * What the stat mode counts per thread: {@code --events}, else what {@code vos perf stat} counts by default that
     * this machine has (its software events: the hardware ones fail to open without a PMU and cost nothing).
     */
    private static List<PerfEvent> statEvents = PerfEvent.DEFAULT_COUNTING.stream()
            .filter(e -> e.type() == PerfEventAttrDescriptor.PERF_TYPE_SOFTWARE).toList();

    private CollectorOverhead() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> threadCounts = List.of(100, 1000);
        int reps = 5;
        long warmupMs = 2000;
        long windowMs = 4000;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threadCounts = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--warmup-ms" -> warmupMs = Long.parseLong(args[++i]);
                case "--window-ms" -> windowMs = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--events" -> statEvents = Arrays.stream(args[++i].split(",")).map(PerfEvent::parse).toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String load0 = Files.readString(Path.of("/proc/loadavg")).strip();
        List<Run> runs = new ArrayList<>();
        for (int threads : threadCounts) {
            for (int rep = 0; rep < reps; rep++) {
                for (Mode mode : Mode.values()) {
                    if (mode == Mode.PERF_RECORD && !perfInstalled()) {
                        continue;
                    }
                    Run r = run(mode, threads, warmupMs, windowMs);
                    System.out.printf(Locale.ROOT, "threads=%d rep=%d %-6s %,.0f chunks/s collector=%.1f ms CPU"
                            + " samples=%d lost=%d attach=%d ms%n", threads, rep, mode, r.chunksPerSecond,
                            r.collectorCpuNs / 1e6, r.samples, r.lost, r.attachMs);
                    runs.add(r);
                }
            }
        }
        String load1 = Files.readString(Path.of("/proc/loadavg")).strip();
        String report = report(runs, threadCounts, reps, warmupMs, windowMs, load0, load1);
        System.out.println(report);
        if (out != null) {
            Files.writeString(out, report);
        }
    }

    static Run run(Mode mode, int threads, long warmupMs, long windowMs) throws Exception {
        Process child = Children.startJvm(SpinWorkload.class, "ready", Duration.ofSeconds(60),
                Integer.toString(threads), Long.toString(warmupMs), Long.toString(windowMs));
        int pid = (int) child.pid();
        BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream()));
        CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> {
            try {
                return in.readLine();
            } catch (IOException e) {
                return null;
            }
        }, Thread::startVirtualThread);
        long t0 = System.nanoTime();
        try {
            PrintWriter go = new PrintWriter(child.getOutputStream(), true);
            long timeoutMs = warmupMs + windowMs + 30_000;
            Watched w = switch (mode) {
                case BARE -> watchBare(go, result, timeoutMs, t0);
                case STAT -> watchStat(pid, go, result);
                case RECORD -> watchRecord(pid, go, result);
                case PERF_RECORD -> watchPerfRecord(pid, go, result, timeoutMs);
            };
            String line = result.get(30, TimeUnit.SECONDS);
            if (line == null || !line.startsWith("chunks ")) {
                throw new IOException("workload said: " + line);
            }
            String[] f = line.split(" ");
            double cps = Long.parseLong(f[1]) / (Long.parseLong(f[2]) / 1e9);
            return new Run(mode, threads, cps, w.collectorNs(), (System.nanoTime() - w.startNs()) / 1e9, w.samples(),
                    w.lost(), w.attachMs());
        } finally {
            Children.stop(child);
        }
    }

    /**
     * What one mode saw of a run: when the window's clock started, the collector's CPU time, its samples and lost
     * records, and how long attaching took.
     */
    private record Watched(long startNs, long collectorNs, long samples, long lost, long attachMs) {
    }

    /** The workload alone; its clock started before "go", with the run. */
    private static Watched watchBare(PrintWriter go, CompletableFuture<String> result, long timeoutMs, long t0)
            throws Exception {
        go.println("go");
        result.get(timeoutMs, TimeUnit.MILLISECONDS);
        return new Watched(t0, 0, 0, 0, 0);
    }

    /** The counting collector, every software event per thread, polled each 1 s until the workload reports. */
    private static Watched watchStat(int pid, PrintWriter go, CompletableFuture<String> result) throws Exception {
        long collectorNs = 0;
        long a0 = System.nanoTime();
        try (CounterCollector c = CounterCollector.attach(pid, statEvents, ThreadNamer.COMM)) {
            long attachMs = (System.nanoTime() - a0) / 1_000_000;
            go.println("go");
            long t0 = System.nanoTime();
            // As vos perf stat runs: track new threads every 10 ms, read every counter each 1 s; its CPU is this
            // thread's, both included.
            long cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            long nextPoll = t0 + 1_000_000_000L;
            while (!result.isDone()) {
                try {
                    result.get(10, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    c.track();
                    if (System.nanoTime() >= nextPoll) {
                        c.poll();
                        nextPoll += 1_000_000_000L;
                    }
                }
            }
            collectorNs = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0;
            return new Watched(t0, collectorNs, 0, 0, attachMs);
        }
    }

    /**
     * The sampler, drained every 20 ms until the workload reports; its CPU is this thread's, closing the sampler
     * included.
     */
    private static Watched watchRecord(int pid, PrintWriter go, CompletableFuture<String> result) throws Exception {
        long[] n = new long[2];
        RecordHandler h = new RecordHandler() {
            public void onSample(Sample s) {
                n[0]++;
            }

            public void onLost(long count) {
                n[1] += count;
            }
        };
        long attachMs;
        long t0;
        long a0 = System.nanoTime();
        long cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        try (Sampler s = Sampler.attach(pid, SamplerOptions.DEFAULT, h)) {
            attachMs = (System.nanoTime() - a0) / 1_000_000;
            cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            go.println("go");
            t0 = System.nanoTime();
            while (!result.isDone()) {
                Thread.sleep(20);
                s.poll();
            }
            s.poll();
        }
        long collectorNs = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0;
        return new Watched(t0, collectorNs, n[0], n[1], attachMs);
    }

    /** The reference, {@code perf record} on the workload; its CPU is the perf process's utime + stime. */
    private static Watched watchPerfRecord(int pid, PrintWriter go, CompletableFuture<String> result, long timeoutMs)
            throws Exception {
        Path data = Files.createTempFile("vos-bench-perf", ".data");
        Process perf = new ProcessBuilder("perf", "record", "-q", "--per-thread", "-F", "1000", "-g", "-p",
                Integer.toString(pid), "-o", data.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Thread.sleep(1500); // perf opens its per-thread events while the workload's threads wait
            long ticks0 = cpuTicks(perf.pid());
            go.println("go");
            long t0 = System.nanoTime();
            result.get(timeoutMs, TimeUnit.MILLISECONDS);
            long collectorNs = (cpuTicks(perf.pid()) - ticks0) * 10_000_000L;
            dev.vos.sys.Linux.kill(perf.pid(), 2);
            perf.waitFor(30, TimeUnit.SECONDS);
            return new Watched(t0, collectorNs, 0, 0, 0);
        } finally {
            perf.destroyForcibly();
            Files.deleteIfExists(data);
        }
    }

    static boolean perfInstalled() {
        try {
            Process p = new ProcessBuilder("perf", "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** utime + stime of a process, in clock ticks (USER_HZ = 100). */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static String report(List<Run> runs, List<Integer> threadCounts, int reps, long warmupMs, long windowMs,
                         String load0, String load1) {
        StringBuilder b = new StringBuilder();
        b.append("# perfctr-xen collector overhead\n\n");
        b.append(String.format(Locale.ROOT, "%s UTC, %d CPUs, JDK %s. CPU-bound workload (SpinWorkload): T platform"
                        + " threads of pure arithmetic, throughput over a %d ms window after %d ms of warm-up. %d"
                        + " repetitions, modes alternating within each. Load average before: %s; after: %s.%n%n",
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(Instant.now().atZone(ZoneOffset.UTC)),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), windowMs, warmupMs,
                reps, load0, load1));
        b.append("- **stat**: the counting collector as vos perf stat runs it: " + statEvents.size() + " events per"
                + " thread (" + statEvents.stream().map(PerfEvent::perfName).collect(Collectors.joining(", "))
                + "), inherited, one group read per thread each 1 s, the thread tracker drained every 10 ms; collector"
                + " CPU is its own thread's CPU time, tracking included.\n");
        b.append("- **record**: cpu-clock sampling at 1 kHz per thread, one mmap ring per thread, drained every 20 ms;"
                + " collector CPU includes decoding (no symbolisation).\n");
        b.append("- **perf_record**: the reference, `perf record --per-thread -F 1000 -g -p PID` writing to a file;"
                + " its CPU is the perf process's utime+stime (10 ms ticks). Only when perf is installed.\n");
        b.append("- overhead = 1 - throughput(mode) / throughput(bare of the same repetition); median [min, max].\n\n");
        b.append("| threads | mode | throughput, median chunks/s [min, max] | overhead vs bare, median [min, max] |"
                + " collector CPU, % of one CPU | samples/s | lost | attach |\n");
        b.append("|---:|---|---|---|---:|---:|---:|---:|\n");
        for (int threads : threadCounts) {
            List<Run> bare = runs.stream().filter(r -> r.threads == threads && r.mode == Mode.BARE).toList();
            for (Mode mode : Mode.values()) {
                List<Run> rs = runs.stream().filter(r -> r.threads == threads && r.mode == mode).toList();
                if (rs.isEmpty()) {
                    continue;
                }
                double[] cps = rs.stream().mapToDouble(Run::chunksPerSecond).sorted().toArray();
                String overhead = "-";
                if (mode != Mode.BARE) {
                    double[] o = new double[rs.size()];
                    for (int i = 0; i < rs.size(); i++) {
                        o[i] = 100 * (1 - rs.get(i).chunksPerSecond / bare.get(i).chunksPerSecond);
                    }
                    Arrays.sort(o);
                    overhead = String.format(Locale.ROOT, "%+.2f%% [%+.2f, %+.2f]", median(o), o[0], o[o.length - 1]);
                }
                double cpuPct = rs.stream().mapToDouble(r -> r.collectorSeconds <= 0 ? 0
                        : 100.0 * r.collectorCpuNs / 1e9 / r.collectorSeconds).average().orElse(0);
                double sps = rs.stream().mapToDouble(r -> r.collectorSeconds <= 0 ? 0 : r.samples / r.collectorSeconds)
                        .average().orElse(0);
                long lost = rs.stream().mapToLong(Run::lost).sum();
                double attach = rs.stream().mapToLong(Run::attachMs).average().orElse(0);
                b.append(String.format(Locale.ROOT, "| %d | %s | %,.0f [%,.0f, %,.0f] | %s | %s | %s | %s | %s |%n",
                        threads, mode.name().toLowerCase(Locale.ROOT), median(cps), cps[0], cps[cps.length - 1],
                        overhead, mode == Mode.BARE ? "-" : String.format(Locale.ROOT, "%.3f%%", cpuPct),
                        mode == Mode.RECORD ? String.format(Locale.ROOT, "%,.0f", sps) : "-",
                        mode == Mode.RECORD ? Long.toString(lost) : "-",
                        mode == Mode.BARE ? "-" : String.format(Locale.ROOT, "%.0f ms", attach)));
            }
        }
        b.append("\nPer run (chunks/s):\n\n```\n");
        for (Run r : runs) {
            b.append(String.format(Locale.ROOT, "threads=%d %-6s %,12.0f  collector=%.1f ms  samples=%d lost=%d%n",
                    r.threads, r.mode, r.chunksPerSecond, r.collectorCpuNs / 1e6, r.samples, r.lost));
        }
        b.append("```\n");
        return b.toString();
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
