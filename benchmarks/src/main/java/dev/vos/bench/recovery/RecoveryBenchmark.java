package dev.vos.bench.recovery;

import dev.vos.bench.support.Children;
import dev.vos.bench.support.CpuHog;
import dev.vos.client.DomainClient;
import dev.vos.client.DomainUnavailableException;
import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.journal.EventType;
import dev.vos.controlplane.journal.Journal;
import dev.vos.controlplane.journal.JournalEvent;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.StandbyState;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How fast a domain's clients learn of its death and get service back, on the process backend: a workload harness
 * (not JMH: each sample is a whole fault and recovery, seconds apart).
 *
 * <p>A control plane runs one storage domain; {@code --threads} virtual threads call it in a loop through a
 * {@link DomainClient}. The harness kills the domain with SIGKILL {@code --kills} times and stops it with SIGSTOP
 * {@code --hangs} times, and measures from the moment the signal is sent:
 * <ul>
 *   <li>in-flight failed: until every calling thread has learned of the failure (its call in flight failed, or
 *       its next call was refused at once);</li>
 *   <li>first success: until the first call succeeds on the next generation;</li>
 *   <li>detected (from the journal): until the supervisor recorded the exit, or the hang.</li>
 * </ul>
 * The spec uses no back-off ({@code initialMs: 0}), so the figures are the mechanism's; a spec's back-off adds
 * to "first success" as configured. Writes a markdown table and a CSV of every sample.
 *
 * <p>Domain JVMs start from the control plane's AOT cache (see {@code ProcessBackend}): the harness waits until
 * the first generation's training has written it, and restarts the domain once so that every measured
 * generation uses it; {@code --no-aot} measures without ({@code -Dvos.domain.aot=false}). {@code --hogs N} runs
 * a {@link CpuHog} of N spinning threads and waits for the load average to reach {@code --target-load} before
 * the faults: SIGKILL-to-serving on a loaded host, with the hog in vos's session ({@code --hog-session same}, the
 * default: the worst case on a kernel with autogroups) or in one of its own ({@code own}: another workload; see
 * {@link CpuHog#start}). The report gives the load average as sampled at each fault.
 *
 * <p>The domain keeps a warm standby ({@code standby: true}): before each fault the harness waits until the
 * standby has parked, so each recovery is a promotion; {@code --no-standby} measures cold starts instead.
 *
 * <pre>usage: RecoveryBenchmark [--kills 20] [--hangs 5] [--threads 16] [--hang-timeout-ms 200] [--no-aot]
 *                          [--no-standby] [--hogs 0] [--target-load 50] [--hog-session same|own] [--out DIR]</pre>
 */
public final class RecoveryBenchmark {

    private final int kills;
    private final int hangs;
    private final int threads;
    private final long hangTimeoutMs;
    private final Path out;
    private final boolean aot;
    private final int hogs;
    private final double targetLoad;
    private final boolean hogOwnSession;
    private final boolean standby;
    private final List<Double> loads = new ArrayList<>();

    private RecoveryBenchmark(int kills, int hangs, int threads, long hangTimeoutMs, Path out, boolean aot,
                              int hogs, double targetLoad, boolean hogOwnSession, boolean standby) {
        this.standby = standby;
        this.hogOwnSession = hogOwnSession;
        this.kills = kills;
        this.hangs = hangs;
        this.threads = threads;
        this.hangTimeoutMs = hangTimeoutMs;
        this.out = out;
        this.aot = aot;
        this.hogs = hogs;
        this.targetLoad = targetLoad;
    }

    public static void main(String[] args) throws Exception {
        int kills = 20;
        int hangs = 5;
        int threads = 16;
        long hangTimeoutMs = 200;
        Path out = Path.of("benchmarks", "results");
        boolean aot = true;
        int hogs = 0;
        double targetLoad = 50;
        boolean hogOwnSession = false;
        boolean standby = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--hog-session" -> hogOwnSession = switch (args[++i]) {
                    case "own" -> true;
                    case "same" -> false;
                    default -> throw new IllegalArgumentException("--hog-session own|same, not " + args[i]);
                };
                case "--no-aot" -> aot = false;
                case "--no-standby" -> standby = false;
                case "--hogs" -> hogs = Integer.parseInt(args[++i]);
                case "--target-load" -> targetLoad = Double.parseDouble(args[++i]);
                case "--kills" -> kills = Integer.parseInt(args[++i]);
                case "--hangs" -> hangs = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--hang-timeout-ms" -> hangTimeoutMs = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: RecoveryBenchmark [--kills N] [--hangs N] [--threads N]"
                            + " [--hang-timeout-ms MS] [--no-aot] [--no-standby] [--hogs N] [--target-load L]"
                            + " [--hog-session same|own] [--out DIR]");
                    System.exit(2);
                }
            }
        }
        if (!aot) {
            System.setProperty("vos.domain.aot", "false");
        }
        new RecoveryBenchmark(kills, hangs, threads, hangTimeoutMs, out, aot, hogs, targetLoad, hogOwnSession,
                standby).run();
    }

    /** One fault and its recovery, in ms from the signal. */
    record Sample(String fault, int index, long generation, double inFlightFailedMs, double firstSuccessMs,
                  double detectedMs) {
    }

    private void run() throws Exception {
        Path dir = Files.createTempDirectory("vos-recovery-");
        Files.createDirectories(dir.resolve("export"));
        Path spec = dir.resolve("host.yaml");
        Files.writeString(spec, """
                version: 1
                controlPlane:
                  stateDir: ./state
                  metricsPort: 0
                supervisor:
                  intensity: 1000
                  periodSeconds: 60
                  backoff:
                    initialMs: 0
                    maxMs: 0
                  hangTimeoutMs: %d
                domains:
                  - name: storage0
                    kind: storage
                    backend: process
                    resources:
                      memoryMb: 64
                    standby: %s
                    storage:
                      exportRoot: ./export
                """.formatted(hangTimeoutMs, standby));
        List<Sample> samples = new ArrayList<>();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Process hog = null;
        try (ControlPlane plane = ControlPlane.start(SpecParser.parse(spec), quiet);
             DomainClient client = DomainClient.forDomain(plane.stateDir(), "storage0", DomainClient.Options.DEFAULT)) {
            awaitRunning(plane);
            if (aot) {
                awaitAotCache(plane);
            }
            client.call(CoreCalls.NOP);
            if (hogs > 0) {
                hog = CpuHog.start(hogs, hogOwnSession);
                System.out.printf(Locale.ROOT, "load average %.1f with %d spinning threads%n",
                        CpuHog.awaitLoad(targetLoad, Duration.ofMinutes(5)), hogs);
            }
            for (int i = 1; i <= kills + hangs; i++) {
                loads.add(CpuHog.loadAverage());
                boolean hang = i > kills;
                Sample s = fault(plane, client, hang ? "SIGSTOP" : "SIGKILL", hang ? i - kills : i, hang ? 19 : 9);
                samples.add(s);
                System.out.printf(Locale.ROOT, "%-7s #%-2d generation %-3d in-flight failed %7.1f ms   first success"
                        + " %7.1f ms   supervisor detected %7.1f ms%n", s.fault(), s.index(), s.generation(),
                        s.inFlightFailedMs(), s.firstSuccessMs(), s.detectedMs());
            }
        } finally {
            Children.stop(hog);
        }
        report(samples);
    }

    /**
     * Waits until the first generation's start has trained the AOT cache (STATE/aot/domain-*.aot), then restarts
     * the domain so that the generations measured start from it.
     */
    private void awaitAotCache(ControlPlane plane) throws Exception {
        Path dir = plane.stateDir().resolve("aot");
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (!hasCache(dir)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no AOT cache in " + dir + " after 300 s; see "
                        + dir.resolve("training/domain.log") + " (or run with --no-aot)");
            }
            Thread.sleep(100);
        }
        // With a standby, the first restart promotes the one parked before the cache was there; the second, one
        // started from the cache.
        String cmdline = "";
        for (int round = 0; round < (standby ? 2 : 1); round++) {
            if (standby) {
                awaitStandbyParked(plane);
            }
            plane.handle(new Command.Restart("storage0"));
            awaitRunning(plane);
            long pid = plane.ps().getFirst().pid();
            cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
        }
        if (!cmdline.contains("-XX:AOTCache=")) {
            throw new IllegalStateException("the restarted domain does not use the AOT cache: " + cmdline);
        }
        System.out.println("domains start from the AOT cache in " + dir);
    }

    private static boolean hasCache(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().matches("domain-[0-9a-f]+\\.aot"));
        }
    }

    private Sample fault(ControlPlane plane, DomainClient client, String fault, int index, int signal)
            throws Exception {
        awaitRunning(plane);
        if (standby) {
            awaitStandbyParked(plane);
        }
        long generation = plane.ps().getFirst().generation();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLongArray failedAt = new AtomicLongArray(threads);
        AtomicLong firstSuccessAt = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        long[] signalAt = new long[1];
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int id = t;
                pool.submit(() -> {
                    while (!stop.get()) {
                        try {
                            client.call(CoreCalls.NOP);
                            calls.incrementAndGet();
                            if (client.generation() > generation) {
                                firstSuccessAt.compareAndSet(0, System.nanoTime());
                            }
                        } catch (DomainUnavailableException e) {
                            // down: nothing was sent; a thread whose call began after the failure learns it here
                            failedAt.compareAndSet(id, 0, System.nanoTime());
                            Thread.sleep(1);
                        } catch (DomainFailedException e) {
                            failedAt.compareAndSet(id, 0, System.nanoTime()); // its call was in flight
                        }
                    }
                    return null;
                });
            }
            while (calls.get() < 10_000) {
                Thread.sleep(1);
            }
            Instant signalInstant = Instant.now();
            signalAt[0] = System.nanoTime();
            plane.handle(new Command.Kill("storage0", signal));
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (firstSuccessAt.get() == 0 || !allSet(failedAt)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(fault + " #" + index + ": no recovery within 300 s");
                }
                Thread.sleep(1);
            }
            stop.set(true);
            long lastFailure = 0;
            for (int t = 0; t < threads; t++) {
                lastFailure = Math.max(lastFailure, failedAt.get(t));
            }
            double detected = detectedMs(plane, generation, signal == 19 ? EventType.DOMAIN_HUNG
                    : EventType.DOMAIN_EXITED, signalInstant);
            return new Sample(fault, index, generation, (lastFailure - signalAt[0]) / 1e6,
                    (firstSuccessAt.get() - signalAt[0]) / 1e6, detected);
        }
    }

    /** Waits until the domain's standby has parked, as {@code vos ps} would show it. */
    private static void awaitStandbyParked(ControlPlane plane) throws Exception {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (plane.supervisor("storage0").standbyState() != StandbyState.PARKED) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no standby parked after 300 s; see "
                        + plane.stateDir().resolve("domains/storage0/domain.log"));
            }
            Thread.sleep(10);
        }
    }

    private static boolean allSet(AtomicLongArray values) {
        for (int i = 0; i < values.length(); i++) {
            if (values.get(i) == 0) {
                return false;
            }
        }
        return true;
    }

    /** From the journal: ms from {@code since} to the supervisor's record of the fault of {@code generation}. */
    private static double detectedMs(ControlPlane plane, long generation, EventType type, Instant since)
            throws IOException {
        for (JournalEvent e : Journal.read(plane.stateDir().resolve("journal.jsonl")).events()) {
            if (e.generation() == generation && e.type() == type) {
                return Duration.between(since, e.time()).toNanos() / 1e6;
            }
        }
        return Double.NaN;
    }

    private static void awaitRunning(ControlPlane plane) throws InterruptedException {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (plane.ps().getFirst().state() != DomainState.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("storage0 is not RUNNING after 300 s: " + plane.ps().getFirst());
            }
            Thread.sleep(2);
        }
    }

    private void report(List<Sample> samples) throws IOException {
        Files.createDirectories(out);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        StringBuilder csv = new StringBuilder(
                "fault,index,generation,in_flight_failed_ms,first_success_ms,detected_ms\n");
        for (Sample s : samples) {
            csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.3f,%.3f,%.3f%n", s.fault(), s.index(), s.generation(),
                    s.inFlightFailedMs(), s.firstSuccessMs(), s.detectedMs()));
        }
        Files.writeString(out.resolve("recovery-" + stamp + ".csv"), csv);
        StringBuilder md = new StringBuilder("# vos recovery on the process backend\n\n");
        md.append(String.format(Locale.ROOT, "%d SIGKILLs and %d SIGSTOPs of a storage domain while %d virtual threads"
                + " call it through a DomainClient; no back-off; hangTimeoutMs %d; %d CPUs; domain JVMs %s the AOT"
                + " cache; %s; %s; load average at the faults min %.1f, mean %.1f, max %.1f. Milliseconds from the"
                + " signal.%n%n", kills, hangs, threads, hangTimeoutMs, Runtime.getRuntime().availableProcessors(),
                aot ? "with" : "without",
                standby ? "each recovery promotes the parked standby" : "no standby (each recovery starts a JVM)",
                hogs > 0 ? "a CPU hog of " + hogs + " spinning threads in "
                        + (hogOwnSession ? "a session of its own" : "vos's own session") + " (autogroups "
                        + (CpuHog.autogroups() ? "on" : "off") + ")" : "no CPU hog",
                loads.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                loads.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN),
                loads.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)));
        md.append("| fault | measure | n | min | median | p90 | max | goal |\n|---|---|--:|--:|--:|--:|--:|---|\n");
        row(md, samples, "SIGKILL", "in-flight calls failed", Sample::inFlightFailedMs, "<= 100 ms");
        row(md, samples, "SIGKILL", "first success, next generation", Sample::firstSuccessMs, "<= 1000 ms");
        row(md, samples, "SIGKILL", "supervisor saw the exit", Sample::detectedMs, "");
        row(md, samples, "SIGSTOP", "in-flight calls failed", Sample::inFlightFailedMs, "");
        row(md, samples, "SIGSTOP", "supervisor saw the hang", Sample::detectedMs, "");
        row(md, samples, "SIGSTOP", "first success, next generation", Sample::firstSuccessMs, "");
        Files.writeString(out.resolve("recovery-" + stamp + ".md"), md);
        System.out.println();
        System.out.print(md);
        System.out.println("\nwritten: " + out.resolve("recovery-" + stamp + ".md") + " and .csv");
    }

    private static void row(StringBuilder md, List<Sample> samples, String fault, String measure,
                            java.util.function.ToDoubleFunction<Sample> value, String goal) {
        double[] v = samples.stream().filter(s -> s.fault().equals(fault)).mapToDouble(value).sorted().toArray();
        if (v.length == 0) {
            return;
        }
        md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f | %.1f | %.1f | %.1f | %s |%n", fault, measure,
                v.length, v[0], percentile(v, 0.5), percentile(v, 0.9), v[v.length - 1], goal));
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))];
    }
}
