package dev.vos.bench.perf;

import dev.vos.bench.support.Children;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code vos perf stat --per-thread} against {@code perf stat --per-thread}, both attached to the same
 * {@link ThreadMixWorkload} before it starts and stopped (SIGINT) after it ends: per thread and for the process,
 * with the relative difference. perf counts a thread started after it attached in the row of the thread it descends
 * from (its counters are inherited); vos gives it a row of its own; so the spawner's row is compared with vos's rows
 * of the spawner and of the threads it started (short-N, late), and the JVM's own threads (found or started) as one
 * row, "other".
 *
 * <p>Args: {@code --vos LAUNCHER [--runs 3] [--out FILE.md]}.
 */
public final class AgreementTable {

    static final String EVENTS = "task-clock,context-switches,cpu-migrations,page-faults";
    static final List<String> EVENT_LIST = List.of(EVENTS.split(","));

    /** One run: the table (group name to event to {perf, vos}) and vos's own rows of the spawner's group. */
    record Run(Map<String, Map<String, double[]>> table, String spawnerRows) {
    }

    /** A row of the table: a name and which threads (by comm) it sums. */
    record Group(String name, Predicate<String> threads) {
    }

    static final List<Group> GROUPS = List.of(new Group("long-2s", "long-2s"::equals),
            new Group("long-1s", "long-1s"::equals), new Group("faulter", "faulter"::equals),
            new Group("spawner (+ short-N, late)", n -> n.equals("spawner") || n.equals("late")
                    || n.startsWith("short-")));

    private AgreementTable() {
    }

    public static void main(String[] args) throws Exception {
        String vos = null;
        int runs = 3;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--vos" -> vos = args[++i];
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (vos == null) {
            throw new IllegalArgumentException("--vos LAUNCHER: the vos command (bin/vos) to compare with perf");
        }
        StringBuilder report = new StringBuilder("# vos perf stat against perf stat --per-thread\n\n");
        report.append(String.format(Locale.ROOT, "%s UTC, %d CPUs, JDK %s, %s. Workload: ThreadMixWorkload (threads"
                        + " of 2.0 s and 1.0 s of CPU, one faulting 64 MiB twice, 20 of 5 ms started one after the"
                        + " other and one of 1.0 s started late, by 'spawner'). Both tools attached before it started"
                        + " and stopped with SIGINT after it ended. Events: %s.%n%n",
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(Instant.now().atZone(ZoneOffset.UTC)),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), perfVersion(),
                EVENTS));
        double worst = 0;
        double worstOther = 0;
        int[] otherSigns = new int[3]; // the JVM's own threads' task-clock: vos below, equal to, above perf's
        for (int r = 0; r < runs; r++) {
            String load0 = PerfTools.load();
            Run run = run(vos);
            int from = report.length();
            report.append(String.format(Locale.ROOT, "## Run %d (load average before %s, after %s)%n%n", r + 1,
                    load0, PerfTools.load()));
            double[] w = format(run.table, report);
            worst = Math.max(worst, w[0]);
            worstOther = Math.max(worstOther, w[1]);
            report.append(run.spawnerRows).append("\n\n");
            double[] other = run.table.entrySet().stream().filter(e -> e.getKey().startsWith("other"))
                    .findFirst().orElseThrow().getValue().get("task-clock");
            otherSigns[(int) Math.signum(other[1] - other[0]) + 1]++;
            System.out.print(report.substring(from));
        }
        report.append(String.format(Locale.ROOT, "Largest |relative difference| over the workload's rows and the"
                + " process, every event and run: %.3f %%. The JVM's own threads (\"other\"): %.3f %%; vos attaches"
                + " first and stops last, so it also counts what they do between the two tools' attaches and stops"
                + " (their task-clock by vos: above perf's in %d runs, equal in %d, below in %d).%n", worst,
                worstOther, otherSigns[2], otherSigns[1], otherSigns[0]));
        System.out.println(report);
        if (out != null) {
            Files.writeString(out, report);
        }
    }

    /** One run: both tools on one ThreadMixWorkload. */
    static Run run(String launcher) throws Exception {
        Process w = Children.startJvm(ThreadMixWorkload.class, "ready", Duration.ofSeconds(60));
        Path perfOut = Files.createTempFile("perf-stat", ".csv");
        Path vosOut = Files.createTempFile("vos-perf-stat", ".csv");
        Process perf = null;
        Process vos = null;
        try {
            int threads = (int) Files.list(Path.of("/proc/" + w.pid() + "/task")).count();
            String pid = Long.toString(w.pid());
            // vos first (its JVM takes longer to attach), then perf: the window where one counts and the other not
            // yet is perf's attach, tens of ms, while the workload waits for "go" (its JVM's own threads may still
            // do a little there: the "other" row).
            vos = new ProcessBuilder(PerfTools.vosCommand(launcher, "stat", "--per-thread", "-x,", "-e", EVENTS,
                    "-p", pid, "-o", vosOut.toString())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
            int cpus = Runtime.getRuntime().availableProcessors();
            if (PerfTools.awaitFds(vos, threads * (EVENT_LIST.size() + cpus), System.nanoTime(), 120_000) < 0) {
                throw new IOException("vos did not attach within 120 s");
            }
            perf = new ProcessBuilder("perf", "stat", "--per-thread", "-x,", "-e", EVENTS, "-p", pid, "-o",
                    perfOut.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (PerfTools.awaitFds(perf, threads * EVENT_LIST.size(), System.nanoTime(), 120_000) < 0) {
                throw new IOException("perf did not attach within 120 s");
            }
            PrintWriter in = new PrintWriter(w.getOutputStream(), true);
            BufferedReader lines = new BufferedReader(new InputStreamReader(w.getInputStream(),
                    StandardCharsets.UTF_8));
            in.println("go");
            for (String line; (line = lines.readLine()) != null && !line.equals("all done"); ) {
                // wait for the workload to finish
            }
            Thread.sleep(200);
            dev.vos.sys.Linux.kill(perf.pid(), 2);
            dev.vos.sys.Linux.kill(vos.pid(), 2);
            if (!perf.waitFor(30, TimeUnit.SECONDS) || !vos.waitFor(30, TimeUnit.SECONDS)) {
                throw new IOException("a tool did not stop on SIGINT");
            }
            String vosText = Files.readString(vosOut);
            return new Run(table(Files.readString(perfOut), vosText), spawnerRows(vosText));
        } finally {
            for (Process p : new Process[]{perf, vos}) {
                if (p != null) {
                    p.destroyForcibly();
                }
            }
            Children.stop(w);
            Files.deleteIfExists(perfOut);
            Files.deleteIfExists(vosOut);
        }
    }

    /** The groups, "other" and "process", each event {perf, vos}. */
    static Map<String, Map<String, double[]>> table(String perfText, String vosText) {
        Map<String, Map<Integer, Double>> perf = PerfTools.parseCsv(perfText);
        Map<String, Map<Integer, Double>> vos = PerfTools.parseCsv(vosText);
        Map<Integer, String> perfNames = PerfTools.names(perfText);
        Map<Integer, String> vosNames = PerfTools.names(vosText);
        Map<String, Map<String, double[]>> out = new LinkedHashMap<>();
        List<Group> all = new ArrayList<>(GROUPS);
        all.add(new Group("other (the JVM's own threads)", n -> GROUPS.stream().noneMatch(g -> g.threads.test(n))));
        for (Group g : all) {
            Map<String, double[]> row = new LinkedHashMap<>();
            for (String e : EVENT_LIST) {
                row.put(e, new double[]{sum(perf.get(e), perfNames, g.threads), sum(vos.get(e), vosNames,
                        g.threads)});
            }
            out.put(g.name, row);
        }
        Map<String, double[]> process = new LinkedHashMap<>();
        for (String e : EVENT_LIST) {
            double p = perf.getOrDefault(e, Map.of()).entrySet().stream().filter(x -> x.getKey() >= 0)
                    .mapToDouble(Map.Entry::getValue).sum();
            process.put(e, new double[]{p, vos.getOrDefault(e, Map.of()).getOrDefault(-1, Double.NaN)});
        }
        out.put("process (perf: its rows' sum; vos: its own total)", process);
        return out;
    }

    /**
     * vos's own rows of the spawner's group, which perf folds into the spawner's: "spawner 12.3 ms, late 1000.1 ms,
     * short-N: 20 rows, 98.7 ms in all" (task-clock).
     */
    static String spawnerRows(String vosText) {
        Map<Integer, Double> clock = PerfTools.parseCsv(vosText).getOrDefault("task-clock", Map.of());
        Map<Integer, String> names = PerfTools.names(vosText);
        double spawner = 0;
        double late = 0;
        double shorts = 0;
        int shortRows = 0;
        for (Map.Entry<Integer, Double> e : clock.entrySet()) {
            String n = names.getOrDefault(e.getKey(), "");
            if (n.equals("spawner")) {
                spawner += e.getValue();
            } else if (n.equals("late")) {
                late += e.getValue();
            } else if (n.startsWith("short-")) {
                shorts += e.getValue();
                shortRows++;
            }
        }
        return String.format(Locale.ROOT, "vos's own rows in the spawner's group (task-clock): spawner %.2f ms (with"
                + " what its threads ran before the tracker gave them counters), late %.2f ms, short-N %d rows of 20,"
                + " %.2f ms in all.", spawner / 1e6, late / 1e6, shortRows, shorts / 1e6);
    }

    private static double sum(Map<Integer, Double> byTid, Map<Integer, String> names, Predicate<String> which) {
        if (byTid == null) {
            return 0;
        }
        return byTid.entrySet().stream().filter(e -> e.getKey() >= 0 && which.test(names.getOrDefault(e.getKey(),
                ""))).mapToDouble(Map.Entry::getValue).sum();
    }

    /**
     * Appends the table; returns the largest |relative difference| in percent: {workload rows and process, other}.
     */
    static double[] format(Map<String, Map<String, double[]>> table, StringBuilder b) {
        b.append("| row |");
        EVENT_LIST.forEach(e -> b.append(" ").append(e).append(": perf / vos / diff |"));
        b.append("\n|---|");
        EVENT_LIST.forEach(e -> b.append("---|"));
        b.append('\n');
        double[] worst = new double[2];
        for (Map.Entry<String, Map<String, double[]>> row : table.entrySet()) {
            int which = row.getKey().startsWith("other") ? 1 : 0;
            b.append("| ").append(row.getKey()).append(" |");
            for (String e : EVENT_LIST) {
                double[] v = row.getValue().get(e);
                double diff = v[0] == 0 ? (v[1] == 0 ? 0 : 100) : 100 * (v[1] - v[0]) / v[0];
                boolean small = Math.abs(v[1] - v[0]) <= (e.equals("task-clock") ? 0 : 2);
                if (!small || v[0] >= 100) {
                    worst[which] = Math.max(worst[which], Math.abs(diff));
                }
                b.append(e.equals("task-clock") ? String.format(Locale.ROOT, " %.2f / %.2f ms / %+.2f %% |",
                        v[0] / 1e6, v[1] / 1e6, diff) : String.format(Locale.ROOT, " %.0f / %.0f / %+.2f %% |", v[0],
                        v[1], diff));
            }
            b.append('\n');
        }
        b.append("\n(A count under 100 that differs by 2 or less is not counted in the largest difference: the two"
                + " tools read the counters some ms apart.)\n\n");
        return worst;
    }

    private static String perfVersion() {
        try {
            Process p = new ProcessBuilder("perf", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return v;
        } catch (IOException | InterruptedException e) {
            return "perf ?";
        }
    }
}
