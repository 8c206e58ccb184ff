package dev.vos.bench.recovery;

import dev.vos.bench.support.Children;
import dev.vos.bench.support.CpuHog;
import dev.vos.client.DomainClient;
import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.journal.EventType;
import dev.vos.controlplane.journal.Journal;
import dev.vos.controlplane.journal.JournalEvent;
import dev.vos.controlplane.process.ProcessBackend;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Does a loaded host make vos kill healthy domains, and are real hangs still found fast? A workload harness (not
 * JMH): a control plane runs two idle storage domains ({@code storage0}, {@code storage1}) on the process backend,
 * and a client calls each every 100 ms, while a {@link CpuHog} keeps the load average at {@code --target-load} or
 * more. Two phases, both under that load:
 * <ol>
 *   <li>idle, for {@code --minutes}: every DOMAIN_HUNG in the journal is a false hang kill (goal: none);</li>
 *   <li>faults on {@code storage1}: {@code --stops} SIGSTOPs, then {@code --deadlocks} calls of
 *       {@code CoreCalls.TEST_BLOCK} (a worker deadlocked on purpose; the domains run with
 *       {@code --test-calls}), each timed from the fault to the supervisor's DOMAIN_HUNG in the journal (goal:
 *       within 2x {@code hangTimeoutMs}); a DOMAIN_HUNG of {@code storage0} meanwhile is a false kill too.</li>
 * </ol>
 * Writes {@code benchmarks/results/hang-judgement-STAMP.md} and {@code .csv}, with the load average as sampled.
 *
 * <p>{@code --hog-session same} (the default) runs the hog in this process's session, with the control plane and
 * the domains: on a kernel with autogroups, the worst case, where every vos thread gets about one
 * {@code hogs}-th of the CPUs; {@code own} runs it in a session of its own, as another user's or service's workload
 * (see {@link CpuHog#start}).
 *
 * <pre>usage: HangJudgement [--minutes 1] [--hogs 80] [--target-load 50] [--hang-timeout-ms 500] [--stops 5]
 *                     [--deadlocks 5] [--hog-session same|own] [--out DIR]</pre>
 * The short form (1 minute of idle load) takes about 4 minutes with the wait for the load; the long form is
 * {@code --minutes 10}.
 */
public final class HangJudgement {

    private static final Duration CALL_PERIOD = Duration.ofMillis(100);
    private static final DomainClient.Options OPTIONS = DomainClient.Options.DEFAULT;
    /**
     * The domains' startTimeoutMs: with the hog in vos's own session a domain JVM takes 30 to 40 s to start on 2
     * CPUs (each thread gets about one hogs-th of them), past the default 30 s; this harness judges hangs, not
     * starts, so it lets them start (RecoveryBenchmark measures starts).
     */
    private static final long START_TIMEOUT_MS = 300_000;

    private final double minutes;
    private final int hogs;
    private final double targetLoad;
    private final long hangTimeoutMs;
    private final int stops;
    private final int deadlocks;
    private final Path out;
    private final boolean hogOwnSession;
    private final List<Double> loads = new ArrayList<>();
    private final List<Double> faultLoads = new ArrayList<>();

    private HangJudgement(double minutes, int hogs, double targetLoad, long hangTimeoutMs, int stops, int deadlocks,
                          Path out, boolean hogOwnSession) {
        this.hogOwnSession = hogOwnSession;
        this.minutes = minutes;
        this.hogs = hogs;
        this.targetLoad = targetLoad;
        this.hangTimeoutMs = hangTimeoutMs;
        this.stops = stops;
        this.deadlocks = deadlocks;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        double minutes = 1;
        int hogs = 80;
        double targetLoad = 50;
        long hangTimeoutMs = 500;
        int stops = 5;
        int deadlocks = 5;
        Path out = Path.of("benchmarks", "results");
        boolean hogOwnSession = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--hog-session" -> hogOwnSession = switch (args[++i]) {
                    case "own" -> true;
                    case "same" -> false;
                    default -> throw new IllegalArgumentException("--hog-session own|same, not " + args[i]);
                };
                case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                case "--hogs" -> hogs = Integer.parseInt(args[++i]);
                case "--target-load" -> targetLoad = Double.parseDouble(args[++i]);
                case "--hang-timeout-ms" -> hangTimeoutMs = Long.parseLong(args[++i]);
                case "--stops" -> stops = Integer.parseInt(args[++i]);
                case "--deadlocks" -> deadlocks = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: HangJudgement [--minutes M] [--hogs N] [--target-load L]"
                            + " [--hang-timeout-ms MS] [--stops N] [--deadlocks N] [--hog-session same|own]"
                            + " [--out DIR]");
                    System.exit(2);
                }
            }
        }
        // The domains serve CoreCalls.TEST_BLOCK: the process backend passes --test-calls to them.
        System.setProperty(ProcessBackend.TEST_CALLS_PROPERTY, "true");
        new HangJudgement(minutes, hogs, targetLoad, hangTimeoutMs, stops, deadlocks, out, hogOwnSession).run();
    }

    /** One fault on storage1 and how long the supervisor took to declare the hang, with the evidence it gave. */
    record Detection(String fault, int index, long generation, double detectedMs, String evidence) {
    }

    /** A client's calls to one domain: how many succeeded, failed, and the slowest. */
    private static final class Caller {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong slowestNs = new AtomicLong();
    }

    private void run() throws Exception {
        Path dir = Files.createTempDirectory("vos-hang-judgement-");
        Files.createDirectories(dir.resolve("export0"));
        Files.createDirectories(dir.resolve("export1"));
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
                    startTimeoutMs: %d
                    resources:
                      memoryMb: 64
                    storage:
                      exportRoot: ./export0
                  - name: storage1
                    kind: storage
                    startTimeoutMs: %d
                    resources:
                      memoryMb: 64
                    storage:
                      exportRoot: ./export1
                """.formatted(hangTimeoutMs, START_TIMEOUT_MS, START_TIMEOUT_MS));
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        AtomicBoolean stop = new AtomicBoolean();
        Caller healthy = new Caller();
        Caller faulted = new Caller();
        Process hog = null;
        List<Detection> detections = new ArrayList<>();
        long idleFalseKills;
        long faultFalseKills;
        long failedStarts;
        double idleLoadMin;
        double idleLoadMean;
        try (ControlPlane plane = ControlPlane.start(SpecParser.parse(spec), quiet);
             DomainClient client0 = DomainClient.forDomain(plane.stateDir(), "storage0", OPTIONS);
             DomainClient client1 = DomainClient.forDomain(plane.stateDir(), "storage1", OPTIONS)) {
            awaitRunning(plane, "storage0", 1);
            awaitRunning(plane, "storage1", 1);
            Thread.ofVirtual().start(() -> callEvery(client0, healthy, stop));
            Thread.ofVirtual().start(() -> callEvery(client1, faulted, stop));
            System.out.printf(Locale.ROOT, "starting %d spinning threads (load average now %.1f)%n", hogs,
                    CpuHog.loadAverage());
            hog = CpuHog.start(hogs, hogOwnSession);
            double reached = CpuHog.awaitLoad(targetLoad, Duration.ofMinutes(5));
            System.out.printf(Locale.ROOT, "load average %.1f: %s idle phase of %.1f min%n", reached,
                    reached >= targetLoad ? "starting the" : "target not reached; starting anyway the", minutes);
            Path journal = plane.stateDir().resolve("journal.jsonl");
            long idleEnd = System.nanoTime() + (long) (minutes * 60e9);
            while (System.nanoTime() - idleEnd < 0) {
                loads.add(CpuHog.loadAverage());
                Thread.sleep(1_000);
            }
            idleLoadMin = loads.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            idleLoadMean = loads.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            idleFalseKills = hangs(journal, null).size();
            System.out.printf(Locale.ROOT, "idle phase over: %d false hang kills; load average min %.1f mean %.1f%n",
                    idleFalseKills, idleLoadMin, idleLoadMean);
            long before0 = hangs(journal, "storage0").size();
            for (int i = 1; i <= stops; i++) {
                detections.add(stopOnce(plane, journal, i));
            }
            for (int i = 1; i <= deadlocks; i++) {
                detections.add(deadlockOnce(plane, client1, journal, i));
            }
            faultFalseKills = hangs(journal, "storage0").size() - before0;
            failedStarts = Journal.read(journal).events().stream().filter(e -> e.type() == EventType.DOMAIN_EXITED
                    && e.detail().startsWith("failed to start")).count();
            stop.set(true);
        } finally {
            Children.stop(hog);
        }
        report(detections, idleFalseKills, faultFalseKills, idleLoadMin, idleLoadMean, healthy, faulted,
                failedStarts);
    }

    private Detection stopOnce(ControlPlane plane, Path journal, int index) throws Exception {
        long generation = awaitRunning(plane, "storage1", 0);
        Thread.sleep(1_000);
        Instant at = Instant.now();
        plane.handle(new Command.Kill("storage1", 19));
        return detection(plane, journal, "SIGSTOP", index, generation, at);
    }

    private Detection deadlockOnce(ControlPlane plane, DomainClient client, Path journal, int index)
            throws Exception {
        long generation = awaitRunning(plane, "storage1", 0);
        Thread.sleep(1_000);
        client.call(CoreCalls.NOP); // bound to the current generation
        Instant[] at = new Instant[1];
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                at[0] = Instant.now();
                client.call(CoreCalls.TEST_BLOCK);
            } catch (DomainFailedException e) {
                // the domain was declared hung and killed: the call fails, as it should
            }
        });
        while (at[0] == null) {
            Thread.sleep(1);
        }
        Detection d = detection(plane, journal, "deadlocked worker", index, generation, at[0]);
        caller.join(30_000);
        return d;
    }

    private Detection detection(ControlPlane plane, Path journal, String fault, int index, long generation,
                                Instant at) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            for (JournalEvent e : hangs(journal, "storage1")) {
                if (e.generation() == generation) {
                    double ms = Duration.between(at, e.time()).toNanos() / 1e6;
                    System.out.printf(Locale.ROOT, "%-17s #%d generation %-3d declared hung after %7.1f ms (load"
                            + " %.1f): %s%n", fault, index, generation, ms, CpuHog.loadAverage(), e.detail());
                    faultLoads.add(CpuHog.loadAverage());
                    awaitRunning(plane, "storage1", generation + 1);
                    return new Detection(fault, index, generation, ms, e.detail());
                }
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException(fault + " #" + index + " of storage1 generation " + generation
                + " was not declared hung within 60 s");
    }

    /** The DOMAIN_HUNG events so far, of {@code domain} (all domains when null). */
    private static List<JournalEvent> hangs(Path journal, String domain) throws IOException {
        return Journal.read(journal).events().stream().filter(e -> e.type() == EventType.DOMAIN_HUNG)
                .filter(e -> domain == null || e.domain().equals(domain)).toList();
    }

    private static void callEvery(DomainClient client, Caller caller, AtomicBoolean stop) {
        while (!stop.get()) {
            long t0 = System.nanoTime();
            try {
                client.call(CoreCalls.NOP);
                caller.ok.incrementAndGet();
            } catch (DomainFailedException e) {
                caller.failed.incrementAndGet();
            }
            caller.slowestNs.accumulateAndGet(System.nanoTime() - t0, Math::max);
            try {
                Thread.sleep(CALL_PERIOD);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Waits until {@code name} is RUNNING at generation {@code generation} or later (0: any); returns it. */
    private static long awaitRunning(ControlPlane plane, String name, long generation) throws InterruptedException {
        long deadline = System.nanoTime() + 600_000_000_000L; // a start under the worst load takes tens of seconds
        while (true) {
            DomainStatus s = plane.ps().stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
            if (s.state() == DomainState.RUNNING && s.generation() >= generation) {
                return s.generation();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(name + " is not RUNNING at generation " + generation + ": " + s);
            }
            Thread.sleep(5);
        }
    }

    private void report(List<Detection> detections, long idleFalseKills, long faultFalseKills, double idleLoadMin,
                        double idleLoadMean, Caller healthy, Caller faulted, long failedStarts) throws IOException {
        Files.createDirectories(out);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        StringBuilder csv = new StringBuilder("fault,index,generation,detected_ms,evidence\n");
        for (Detection d : detections) {
            csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.1f,\"%s\"%n", d.fault(), d.index(), d.generation(),
                    d.detectedMs(), d.evidence().replace("\"", "'")));
        }
        Files.writeString(out.resolve("hang-judgement-" + stamp + ".csv"), csv);
        double goal = 2.0 * hangTimeoutMs;
        StringBuilder md = new StringBuilder("# vos hang judgement under load\n\n");
        md.append(String.format(Locale.ROOT, "Two idle storage domains on the process backend, a client calling each"
                + " every %d ms, hangTimeoutMs %d, startTimeoutMs %d, %d CPUs, a CPU hog of %d spinning threads in %s"
                + " (autogroups %s)."
                + " Idle phase %.1f min at load average min %.1f, mean %.1f (1-minute average, sampled each second);"
                + " faults on storage1 under the same hog, load average at the faults min %.1f, max %.1f.%n%n",
                CALL_PERIOD.toMillis(), hangTimeoutMs, START_TIMEOUT_MS, Runtime.getRuntime().availableProcessors(),
                hogs,
                hogOwnSession ? "a session of its own" : "vos's own session", CpuHog.autogroups() ? "on" : "off",
                minutes, idleLoadMin, idleLoadMean, faultLoads.stream().mapToDouble(Double::doubleValue).min()
                        .orElse(Double.NaN), faultLoads.stream().mapToDouble(Double::doubleValue).max()
                        .orElse(Double.NaN)));
        md.append("| measure | value | goal |\n|---|--:|---|\n");
        md.append(String.format(Locale.ROOT, "| false hang kills, idle phase | %d | 0 |%n", idleFalseKills));
        md.append(String.format(Locale.ROOT, "| false hang kills of storage0 while storage1 was faulted | %d | 0 |%n",
                faultFalseKills));
        md.append(String.format(Locale.ROOT, "| starts that failed (did not listen within startTimeoutMs) | %d | |%n",
                failedStarts));
        md.append(String.format(Locale.ROOT, "| storage0 client: calls ok / failed / slowest ms | %d / %d / %.1f |"
                + " no failure |%n", healthy.ok.get(), healthy.failed.get(), healthy.slowestNs.get() / 1e6));
        md.append(String.format(Locale.ROOT, "| storage1 client: calls ok / failed | %d / %d | fails only with its"
                + " faults |%n%n", faulted.ok.get(), faulted.failed.get()));
        md.append("| fault | n | min | median | p90 | max | within goal | goal |\n|---|--:|--:|--:|--:|--:|--:|---|\n");
        for (String fault : List.of("SIGSTOP", "deadlocked worker")) {
            double[] v = detections.stream().filter(d -> d.fault().equals(fault)).mapToDouble(Detection::detectedMs)
                    .sorted().toArray();
            if (v.length > 0) {
                long within = java.util.Arrays.stream(v).filter(x -> x <= goal).count();
                md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %d | <= %.0f ms |%n",
                        fault, v.length, v[0], v[v.length / 2], v[(int) Math.round(0.9 * (v.length - 1))],
                        v[v.length - 1], within, goal));
            }
        }
        md.append("\nEvidence journaled for each fault:\n\n");
        for (Detection d : detections) {
            md.append(String.format(Locale.ROOT, "- %s #%d (%.1f ms): %s%n", d.fault(), d.index(), d.detectedMs(),
                    d.evidence()));
        }
        Files.writeString(out.resolve("hang-judgement-" + stamp + ".md"), md);
        System.out.println();
        System.out.print(md);
        System.out.println("\nwritten: " + out.resolve("hang-judgement-" + stamp + ".md") + " and .csv");
    }
}
