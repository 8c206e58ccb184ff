package dev.vos.bench.storage;

import dev.vos.bench.report.Spread;
import dev.vos.bench.report.SweepChart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the rows of {@link StorageWorkload} (several repeats of each target, one sitting) and the floors printed in
 * the same sitting into the markdown report: per workload and client count, the native figure and each vos variant,
 * median and min-max over the repeats, their ratio (the median of the per-repeat ratios, repeat i of vos against
 * repeat i of native, which ran next to each other), latency percentiles, cores used, and the goals of issue 4.
 * With a fourth argument it also draws {@link SweepChart}: each vos variant's ratio to native against the client
 * count, per workload.
 * <pre>usage: StorageReport ROWS.tsv FLOORS.txt|- OUT.md [OUT.svg]</pre>
 */
public final class StorageReport {

    /** Issue 4: one 4 KiB read through the domain in at most this many ns, end to end. */
    static final double GOAL_LATENCY_NS = 1600;
    /** Issue 4: at 64 clients, at least this fraction of the native throughput. */
    static final double GOAL_RATIO_64 = 0.7;

    private StorageReport() {
    }

    record Row(String label, String target, String workload, int clients, double readsPerS, double mibPerS,
               double meanNs, double p50, double p90, double p99, double p999, double clientCores,
               double domainCores, double serviceNs, double bestWindow, double medianWindow, double p1, double p10,
               long forces, long syncsIssued, long callsDeferred, long batchSubmissions, long readsMapped,
               long readsTrapped) {
        String variant() {
            String base = switch (target) {
                case "native" -> "native FileChannel";
                case "vosfs" -> "vos FileChannel";
                default -> "vos ring";
            };
            return base + (label.isEmpty() ? "" : " (" + label + ")");
        }
    }

    public static void main(String[] args) throws IOException {
        List<Row> rows = readRows(Path.of(args[0]));
        Map<String, double[]> floors = args[1].equals("-") ? Map.of() : floors(Path.of(args[1]));
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (Row r : rows) {
            groups.computeIfAbsent(r.workload() + "\t" + r.clients() + "\t" + r.variant(), k -> new ArrayList<>())
                    .add(r);
        }
        List<String> keys = sortedKeys(groups);
        StringBuilder goals = new StringBuilder();
        StringBuilder windowGoals = new StringBuilder();
        StringBuilder windows = windowsTable(groups, keys, windowGoals);
        StringBuilder md = figuresTable(groups, keys, goals);
        StringBuilder out = new StringBuilder();
        out.append("## Figures (whole measured time)\n\n").append(md);
        out.append("\n## The same cut into " + StorageWorkload.WINDOW_MS + " ms windows\n\nOn a machine shared with"
                + " other work, the best windows are the figure of the time the client and the domain had their"
                + " CPUs.\n\n")
                .append(windows);
        out.append("\n## Goals (issue 4)\n\n").append(goals).append(windowGoals);
        out.append(batchesTable(groups, keys));
        if (!floors.isEmpty()) {
            appendFloors(out, floors, groups, keys);
        }
        Files.writeString(Path.of(args[2]), out);
        if (args.length > 3) {
            Files.writeString(Path.of(args[3]), SweepChart.svg("Throughput through vos over native, against clients"
                    + " (median of paired repeats; whisker: min-max)", "clients (virtual threads)", sweep(groups)));
        }
        System.out.print(out);
    }

    /** The rows of {@link StorageWorkload}'s file, its header and blank lines skipped. */
    private static List<Row> readRows(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("label\t")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            rows.add(new Row(f[0], f[1], f[2], Integer.parseInt(f[3]), d(f[6]), d(f[7]), d(f[8]), d(f[9]), d(f[10]),
                    d(f[11]), d(f[12]), d(f[13]), d(f[14]), d(f[15]), f.length > 19 ? d(f[18]) : Double.NaN,
                    f.length > 19 ? d(f[19]) : Double.NaN, f.length > 21 ? d(f[20]) : Double.NaN,
                    f.length > 21 ? d(f[21]) : Double.NaN, f.length > 25 ? Long.parseLong(f[22]) : 0,
                    f.length > 25 ? Long.parseLong(f[23]) : 0, f.length > 25 ? Long.parseLong(f[24]) : 0,
                    f.length > 25 ? Long.parseLong(f[25]) : 0, f.length > 27 ? Long.parseLong(f[26]) : 0,
                    f.length > 27 ? Long.parseLong(f[27]) : 0));
        }
        return rows;
    }

    /** The group keys (workload, clients, variant) by workload, then client count, native first, then by name. */
    private static List<String> sortedKeys(Map<String, List<Row>> groups) {
        List<String> keys = new ArrayList<>(groups.keySet());
        keys.sort((a, b) -> {
            String[] x = a.split("\t");
            String[] y = b.split("\t");
            int c = x[0].compareTo(y[0]);
            if (c != 0) {
                return c;
            }
            c = Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
            return c != 0 ? c
                    : (x[2].startsWith("native") ? -1 : y[2].startsWith("native") ? 1 : x[2].compareTo(y[2]));
        });
        return keys;
    }

    /** The table of the windowed figures; the goals they answer go to {@code windowGoals}. */
    private static StringBuilder windowsTable(Map<String, List<Row>> groups, List<String> keys,
                                              StringBuilder windowGoals) {
        StringBuilder windows = new StringBuilder("| workload | clients | reader | best window reads/s, median"
                + " [min-max] over repeats | vs native (best windows, paired) | median window reads/s | vs native"
                + " (median windows, paired) | 1e9 / best window rate x clients (ns per read) |\n"
                + "|---|--:|---|--:|--:|--:|--:|--:|\n");
        for (String key : keys) {
            List<Row> g = groups.get(key);
            String[] k = key.split("\t");
            List<Row> nat = groups.getOrDefault(k[0] + "\t" + k[1] + "\tnative FileChannel", List.of());
            double[] best = g.stream().mapToDouble(Row::bestWindow).toArray();
            double[] mid = g.stream().mapToDouble(Row::medianWindow).toArray();
            if (Double.isNaN(median(best))) {
                continue;
            }
            String bestRatio = "";
            String midRatio = "";
            if (!k[2].startsWith("native") && !nat.isEmpty()) {
                int n = Math.min(nat.size(), g.size());
                double[] rb = new double[n];
                double[] rm = new double[n];
                for (int i = 0; i < n; i++) {
                    rb[i] = g.get(i).bestWindow() / nat.get(i).bestWindow();
                    rm[i] = g.get(i).medianWindow() / nat.get(i).medianWindow();
                }
                bestRatio = String.format(Locale.ROOT, "%.2fx [%.2f-%.2f]", median(rb), min(rb), max(rb));
                midRatio = String.format(Locale.ROOT, "%.2fx [%.2f-%.2f]", median(rm), min(rm), max(rm));
                if (k[0].equals("rand4k") && k[1].equals("64")) {
                    windowGoals.append(String.format(Locale.ROOT, "- 64 clients, in the best %d ms windows of each"
                            + " run: %.2fx [%.2f-%.2f]; in the median windows %.2fx.%n", StorageWorkload.WINDOW_MS,
                            median(rb), min(rb), max(rb), median(rm)));
                }
            }
            if (!k[2].startsWith("native") && k[0].equals("rand4k") && k[1].equals("1")) {
                windowGoals.append(String.format(Locale.ROOT, "- 1 client, in the best %d ms window of each run:"
                                + " %.0f ns per read (median over repeats, [%.0f-%.0f]); goal <= %.0f ns: %s.%n",
                        StorageWorkload.WINDOW_MS, 1e9 / median(best), 1e9 / max(best), 1e9 / min(best),
                        GOAL_LATENCY_NS, 1e9 / median(best) <= GOAL_LATENCY_NS ? "met" : "not met"));
            }
            windows.append(String.format(Locale.ROOT,
                    "| %s | %s | %s | %,.0f [%,.0f-%,.0f] | %s | %,.0f | %s | %,.0f |%n",
                    k[0], k[1], k[2], median(best), min(best), max(best), bestRatio, median(mid), midRatio,
                    1e9 * Integer.parseInt(k[1]) / median(best)));
        }
        return windows;
    }

    /** The table of the whole-run figures; the goals they answer go to {@code goals}. */
    private static StringBuilder figuresTable(Map<String, List<Row>> groups, List<String> keys, StringBuilder goals) {
        StringBuilder md = new StringBuilder();
        md.append("| workload | clients | reader | reads/s median [min-max] | MiB/s median | vs native (median"
                + " [min-max] of paired repeats) | mean ns/read per client | p10 / p50 / p99 / p99.9 ns (median)"
                + " | client cores | domain cores | domain service ns/call | n |\n");
        md.append("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (String key : keys) {
            List<Row> g = groups.get(key);
            String[] k = key.split("\t");
            List<Row> nat = groups.getOrDefault(k[0] + "\t" + k[1] + "\tnative FileChannel", List.of());
            double[] reads = g.stream().mapToDouble(Row::readsPerS).toArray();
            String ratio = "";
            double ratioMedian = Double.NaN;
            if (!k[2].startsWith("native") && !nat.isEmpty()) {
                double[] r = pairedRatios(g, nat);
                ratioMedian = median(r);
                ratio = String.format(Locale.ROOT, "%.2fx [%.2f-%.2f]", ratioMedian, min(r), max(r));
            }
            boolean vos = !k[2].startsWith("native");
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %,.0f [%,.0f-%,.0f] | %,.0f | %s | %,.0f"
                            + " | %,.0f / %,.0f / %,.0f / %,.0f | %.2f | %s | %s | %d |%n",
                    k[0], k[1], k[2], median(reads), min(reads), max(reads),
                    median(g.stream().mapToDouble(Row::mibPerS).toArray()), ratio,
                    median(g.stream().mapToDouble(Row::meanNs).toArray()),
                    median(g.stream().mapToDouble(Row::p10).toArray()),
                    median(g.stream().mapToDouble(Row::p50).toArray()),
                    median(g.stream().mapToDouble(Row::p99).toArray()),
                    median(g.stream().mapToDouble(Row::p999).toArray()),
                    median(g.stream().mapToDouble(Row::clientCores).toArray()),
                    vos ? String.format(Locale.ROOT, "%.2f", median(g.stream().mapToDouble(Row::domainCores).toArray()))
                            : "-",
                    vos ? String.format(Locale.ROOT, "%,.0f", median(g.stream().mapToDouble(Row::serviceNs).toArray()))
                            : "-",
                    g.size()));
            if (vos && k[0].equals("rand4k") && k[1].equals("1")) {
                double[] lat = g.stream().mapToDouble(Row::meanNs).toArray();
                goals.append(String.format(Locale.ROOT, "- One 4 KiB read through the domain, end to end (%s, 1"
                                + " client, mean over the run): median %.0f ns [%.0f-%.0f] over %d repeats; goal <="
                                + " %.0f ns: %s.%n",
                        k[2], median(lat), min(lat), max(lat), lat.length, GOAL_LATENCY_NS,
                        median(lat) <= GOAL_LATENCY_NS ? "met" : "not met"));
                goals.append(String.format(Locale.ROOT, "- Per read (1 client, medians over repeats): p10 %.0f ns,"
                                + " p50 %.0f ns, p99 %.0f ns; the domain's own service time %.0f ns per call.%n",
                        median(g.stream().mapToDouble(Row::p10).toArray()),
                        median(g.stream().mapToDouble(Row::p50).toArray()),
                        median(g.stream().mapToDouble(Row::p99).toArray()),
                        median(g.stream().mapToDouble(Row::serviceNs).toArray())));
            }
            if (vos && k[0].equals("rand4k") && k[1].equals("64") && !Double.isNaN(ratioMedian)) {
                goals.append(String.format(Locale.ROOT, "- 4 KiB random reads, 64 clients (%s): %.2fx the native"
                                + " throughput (median of paired repeats); goal >= %.1fx: %s. The domain used %.2f"
                                + " cores, the client %.2f.%n", k[2], ratioMedian, GOAL_RATIO_64,
                        ratioMedian >= GOAL_RATIO_64 ? "met" : "not met",
                        median(g.stream().mapToDouble(Row::domainCores).toArray()),
                        median(g.stream().mapToDouble(Row::clientCores).toArray())));
            }
        }
        return md;
    }

    /**
     * The domain's batching per vos figure, from its own counts over the measured time (medians over repeats): calls
     * per submission, for writes with force the forces answered per fsync issued (group commit), and the reads the
     * domain copied from its mappings of the file against those it answered through the kernel.
     */
    static StringBuilder batchesTable(Map<String, List<Row>> groups, List<String> keys) {
        StringBuilder t = new StringBuilder("\n## The domain's batches (its own counts, measured time; median over"
                + " repeats)\n\n| workload | clients | reader | batched calls per submission (io_uring_enter, or a"
                + " run's preadv) | forces | fsyncs issued | forces per fsync | reads from mappings | reads by"
                + " traps | mapped share |\n|---|--:|---|--:|--:|--:|--:|--:|--:|--:|\n");
        for (String key : keys) {
            String[] k = key.split("\t");
            List<Row> g = groups.get(key);
            if (k[2].startsWith("native") || g.stream().allMatch(r -> r.batchSubmissions() == 0 && r.forces() == 0
                    && r.readsMapped() == 0 && r.readsTrapped() == 0)) {
                continue;
            }
            double[] perEnter = g.stream().mapToDouble(r -> r.batchSubmissions() == 0 ? Double.NaN
                    : (double) r.callsDeferred() / r.batchSubmissions()).toArray();
            double[] perSync = g.stream().mapToDouble(r -> r.syncsIssued() == 0 ? Double.NaN
                    : (double) r.forces() / r.syncsIssued()).toArray();
            double[] mappedShare = g.stream().mapToDouble(r -> r.readsMapped() + r.readsTrapped() == 0 ? Double.NaN
                    : (double) r.readsMapped() / (r.readsMapped() + r.readsTrapped())).toArray();
            t.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %,.0f | %,.0f | %s | %,.0f | %,.0f | %s |%n",
                    k[0], k[1], k[2],
                    Double.isNaN(median(perEnter)) ? "-" : String.format(Locale.ROOT, "%.1f", median(perEnter)),
                    median(g.stream().mapToDouble(Row::forces).toArray()),
                    median(g.stream().mapToDouble(Row::syncsIssued).toArray()),
                    Double.isNaN(median(perSync)) ? "-" : String.format(Locale.ROOT, "%.2f", median(perSync)),
                    median(g.stream().mapToDouble(Row::readsMapped).toArray()),
                    median(g.stream().mapToDouble(Row::readsTrapped).toArray()),
                    Double.isNaN(median(mappedShare)) ? "-"
                            : String.format(Locale.ROOT, "%.0f %%", 100 * median(mappedShare))));
        }
        return t;
    }

    /** The sitting's floors, and the 1-client 4 KiB random read figures as multiples of the C pread floor. */
    private static void appendFloors(StringBuilder out, Map<String, double[]> floors, Map<String, List<Row>> groups,
                                     List<String> keys) {
        out.append("\n## Floors of this sitting (C, ns; median of the floors' own medians, [min-max] over the"
                + " sitting's floor runs)\n\n| floor | median | min | max | runs |\n|---|--:|--:|--:|--:|\n");
        floors.forEach((name, v) -> out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %d |%n",
                name, median(v), min(v), max(v), v.length)));
        double[] pread = floors.get("pread 4 KiB random, page-cached");
        List<Row> nat1 = groups.getOrDefault("rand4k\t1\tnative FileChannel", List.of());
        if (pread != null) {
            out.append("\n## Ratios to the floor\n\n| figure | ns | / C pread 4 KiB floor |\n|---|--:|--:|\n");
            double floor = median(pread);
            if (!nat1.isEmpty()) {
                double ns = median(nat1.stream().mapToDouble(Row::meanNs).toArray());
                out.append(String.format(Locale.ROOT,
                        "| native FileChannel, 4 KiB random, 1 client | %.0f | %.2fx |%n", ns, ns / floor));
            }
            for (String key : keys) {
                if (key.startsWith("rand4k\t1\t") && !key.endsWith("native FileChannel")) {
                    double ns = median(groups.get(key).stream().mapToDouble(Row::meanNs).toArray());
                    out.append(String.format(Locale.ROOT, "| %s, 4 KiB random, 1 client | %.0f | %.2fx |%n",
                            key.split("\t")[2], ns, ns / floor));
                }
            }
            out.append(String.format(Locale.ROOT, "| goal | %.0f | %.2fx |%n", GOAL_LATENCY_NS,
                    GOAL_LATENCY_NS / floor));
        }
    }

    /** Every floor's median, one value per floors run found in the file. */
    static Map<String, double[]> floors(Path file) throws IOException {
        Pattern p = Pattern.compile("^(.+?)\\s+median\\s+([0-9.]+) ns");
        Map<String, List<Double>> all = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                all.computeIfAbsent(m.group(1).trim(), k -> new ArrayList<>()).add(Double.parseDouble(m.group(2)));
            }
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        all.forEach((k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
        return out;
    }

    /**
     * The sweep chart's panels: per workload, each vos variant's paired ratios to native at each client count
     * ({@code groups} keyed by workload, clients and variant separated by tabs); only counts with both figures.
     */
    static Map<String, Map<String, List<SweepChart.Point>>> sweep(Map<String, List<Row>> groups) {
        Map<String, Map<String, List<SweepChart.Point>>> panels = new TreeMap<>();
        for (Map.Entry<String, List<Row>> g : groups.entrySet()) {
            String[] k = g.getKey().split("\t");
            if (k[2].startsWith("native")) {
                continue;
            }
            List<Row> nat = groups.get(k[0] + "\t" + k[1] + "\tnative FileChannel");
            if (nat == null || nat.isEmpty()) {
                continue;
            }
            panels.computeIfAbsent(k[0], w -> new TreeMap<>()).computeIfAbsent(k[2], v -> new ArrayList<>())
                    .add(SweepChart.Point.of(Integer.parseInt(k[1]), pairedRatios(g.getValue(), nat)));
        }
        panels.values().forEach(lines -> lines.values()
                .forEach(line -> line.sort((a, b) -> Integer.compare(a.x(), b.x())))); // as the chart draws them
        return panels;
    }

    /** Repeat i of {@code vos} over repeat i of {@code nat} (they ran next to each other), reads/s. */
    static double[] pairedRatios(List<Row> vos, List<Row> nat) {
        int n = Math.min(nat.size(), vos.size());
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = vos.get(i).readsPerS() / nat.get(i).readsPerS();
        }
        return r;
    }

    private static double d(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    static double median(double[] v) {
        return Spread.of(v).median();
    }

    static double min(double[] v) {
        return Spread.of(v).min();
    }

    static double max(double[] v) {
        return Spread.of(v).max();
    }
}
