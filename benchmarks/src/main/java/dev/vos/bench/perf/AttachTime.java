package dev.vos.bench.perf;

import dev.vos.bench.support.Children;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.TimeUnit;

/**
 * How long {@code vos perf stat -p PID} and {@code perf stat -p PID} take to attach to a process of N busy threads:
 * from starting the tool to the moment it holds every thread's perf_event descriptors (read from /proc/TOOL/fd, so
 * the same measure for both). Alternating perf and vos, R times, for each N; twice over: with the tool in the
 * target's session (one scheduling autogroup: the tool competes with N busy threads for the CPUs) and in a session of
 * its own ({@code setsid}: what a person at a terminal gets, whose shell is not the service's). vos runs as bin/vos
 * runs it (through bin/vos: C1 only, its start-up cache, nice -10 where allowed); its own account of where the time
 * went ({@code -v}) is kept.
 *
 * <p>Args: {@code --vos LAUNCHER [--threads 100,1000] [--reps 3] [--timeout-s 600] [--out FILE.md]}.
 */
public final class AttachTime {

    /** One attach: tool, threads, session, ms (-1: did not attach in time), vos's -v lines. */
    record Attach(String tool, int threads, boolean ownSession, double ms, String notes) {
    }

    private AttachTime() {
    }

    /** The niceness of the thread that watches a tool attach (see {@link #attach}). */
    private static final int WATCHER_NICENESS = -15;

    public static void main(String[] args) throws Exception {
        String vos = null;
        List<Integer> counts = List.of(100, 1000);
        int reps = 3;
        long timeoutS = 600;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--vos" -> vos = args[++i];
                case "--threads" -> counts = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--timeout-s" -> timeoutS = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (vos == null) {
            throw new IllegalArgumentException("--vos LAUNCHER: the vos command (bin/vos) to time");
        }
        String load0 = PerfTools.load();
        List<Attach> all = new ArrayList<>();
        warm(vos);
        for (int n : counts) {
            // A saturated machine can take minutes to start 1000 spinning threads: as long as an attach may take.
            dev.vos.sys.Linux.setpriority(0, 0); // the target at the user's niceness, not the watcher's
            Process target = Children.startJvm(BusyThreads.class, "ready", Duration.ofSeconds(timeoutS),
                    Integer.toString(n));
            try {
                // Its own session first: what a person at a terminal gets, and the quicker of the two.
                for (boolean own : new boolean[]{true, false}) {
                    for (int r = 0; r < reps; r++) {
                        for (String tool : r % 2 == 0 ? List.of("perf", "vos") : List.of("vos", "perf")) {
                            Attach a = attach(tool, vos, target.pid(), n, own, timeoutS);
                            all.add(a);
                            System.out.printf(Locale.ROOT, "threads=%d %s %-4s %.0f ms (load %s)%n", n,
                                    own ? "own-session" : "same-session", tool, a.ms, PerfTools.load());
                        }
                    }
                }
            } finally {
                Children.stop(target);
            }
            if (out != null) { // after each thread count, so that a later failure keeps what was measured
                Files.writeString(out, report(all, counts, reps, load0, PerfTools.load()));
            }
        }
        String report = report(all, counts, reps, load0, PerfTools.load());
        System.out.println(report);
        if (out != null) {
            Files.writeString(out, report);
        }
    }

    /** A first vos run, not measured, that trains bin/vos perf's start-up cache (as a user's first run does). */
    private static void warm(String vos) throws Exception {
        Process p = new ProcessBuilder(PerfTools.vosCommand(vos, "stat", "-e", "task-clock", "--duration",
                "10ms", "--", "true")).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.waitFor(120, TimeUnit.SECONDS);
    }

    static Attach attach(String tool, String vos, long pid, int threads, boolean ownSession,
                         long timeoutS) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (ownSession) {
            cmd.add("setsid");
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        int fds;
        if (tool.equals("perf")) {
            cmd.addAll(List.of("perf", "stat", "-e", "task-clock", "-p", Long.toString(pid)));
            fds = threads;
        } else {
            cmd.addAll(PerfTools.vosCommand(vos, "stat", "-v", "-e", "task-clock", "-p",
                    Long.toString(pid)));
            fds = threads * (1 + cpus);
        }
        // The tool starts at this thread's niceness (0, the user's); then this thread watches it at -15, so that in
        // the target's session the watcher is not one more thread among N busy ones (it would time its own wait
        // for a CPU, for both tools alike). Without the privilege to raise it, it stays at 0.
        dev.vos.sys.Linux.setpriority(0, 0);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        dev.vos.sys.Linux.setpriority(0, WATCHER_NICENESS);
        StringBuilder notes = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("# attach")) {
                        synchronized (notes) {
                            notes.append(line).append('\n');
                        }
                    }
                }
            } catch (IOException e) {
                // the tool ended
            }
        });
        // setsid forks the tool when it is a group leader; the tool is then a child of p, with its own fds.
        long ns = awaitAttached(p, fds, t0, timeoutS * 1000);
        Thread.sleep(300); // vos prints its -v lines just after attaching
        ProcessHandle.of(p.pid()).ifPresent(h -> h.descendants().forEach(d -> dev.vos.sys.Linux.kill(d.pid(), 2)));
        dev.vos.sys.Linux.kill(p.pid(), 2);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        reader.join(5000);
        synchronized (notes) {
            return new Attach(tool, threads, ownSession, ns < 0 ? -1 : ns / 1e6, notes.toString());
        }
    }

    /** Waits for {@code p} (or its child, under setsid) to hold {@code fds} perf_event descriptors. */
    private static long awaitAttached(Process p, int fds, long t0, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline && p.isAlive()) {
            long n = PerfTools.perfEventFds(p.pid());
            for (ProcessHandle d : p.descendants().toList()) {
                n = Math.max(n, PerfTools.perfEventFds(d.pid()));
            }
            if (n >= fds) {
                return System.nanoTime() - t0;
            }
            Thread.sleep(2);
        }
        return -1;
    }

    static String report(List<Attach> all, List<Integer> counts, int reps, String load0, String load1) {
        StringBuilder b = new StringBuilder("# vos perf stat vs perf stat: attach time\n\n");
        b.append(String.format(Locale.ROOT, "%s UTC, %d CPUs, JDK %s. Target: BusyThreads (N platform threads"
                        + " spinning). Attach = from starting the tool to its holding every thread's perf_event"
                        + " descriptors. %d alternating repetitions per cell. Load average before: %s; after: %s.%n%n",
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(Instant.now().atZone(ZoneOffset.UTC)),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), reps, load0, load1));
        b.append("| threads | session | perf, median [min, max] | vos, median [min, max] |\n|---:|---|---|---|\n");
        for (int n : counts) {
            for (boolean own : new boolean[]{false, true}) {
                b.append(String.format(Locale.ROOT, "| %d | %s | %s | %s |%n", n, own ? "own (setsid)"
                        : "the target's", cell(all, "perf", n, own), cell(all, "vos", n, own)));
            }
        }
        b.append("\nvos's own account (-v), last run of each cell:\n\n```\n");
        for (int n : counts) {
            for (boolean own : new boolean[]{false, true}) {
                all.stream().filter(a -> a.tool.equals("vos") && a.threads == n && a.ownSession == own)
                        .reduce((x, y) -> y).ifPresent(a -> b.append(String.format(Locale.ROOT, "threads=%d %s:%n%s",
                                n, own ? "own session" : "target's session", a.notes)));
            }
        }
        b.append("```\n\nEvery run:\n\n```\n");
        all.forEach(a -> b.append(String.format(Locale.ROOT, "threads=%d %s %s %.0f ms%n", a.threads,
                a.ownSession ? "own" : "same", a.tool, a.ms)));
        return b.append("```\n").toString();
    }

    private static String cell(List<Attach> all, String tool, int n, boolean own) {
        double[] ms = all.stream().filter(a -> a.tool.equals(tool) && a.threads == n && a.ownSession == own)
                .mapToDouble(Attach::ms).sorted().toArray();
        if (ms.length == 0) {
            return "-";
        }
        if (ms[0] < 0) {
            return "did not attach in time (" + ms.length + " runs)";
        }
        return String.format(Locale.ROOT, "%.0f ms [%.0f, %.0f]", ms[ms.length / 2], ms[0], ms[ms.length - 1]);
    }
}
