package dev.vos.bench.net;

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
import java.util.TreeSet;

/**
 * The sweep of a {@code run-net-benchmarks.sh} sitting over its connection counts: each comparison's ratios, round
 * by round (the runs of a round ran next to each other), as a median and a min-max, in a markdown table and an SVG
 * chart (requests/s and p99, one panel each). Its input is the script's figures file, one run a line: connections,
 * round, run ({@code native}, {@code net0}, {@code native-cpu0}, {@code net0-cpu0}), requests/s, p50 ms, p99 ms and
 * errors, tab-separated, {@code -} for what wrk did not say.
 * <pre>usage: NetSweep FIGURES.tsv OUT.svg</pre>
 */
public final class NetSweep {

    /** A ratio of two runs of the same round: {@code over} (net0 in some placement) over {@code under}. */
    record Comparison(String name, String over, String under) {
    }

    /** What the report compares; the third is the goal's: net0 given a core of its own, against native on both. */
    static final List<Comparison> COMPARISONS = List.of(
            new Comparison("net0 / native, both unpinned", "net0", "native"),
            new Comparison("net0 CPU 0 / native CPU 0, the same CPU for the application", "net0-cpu0",
                    "native-cpu0"),
            new Comparison("net0 CPU 0 / native on both CPUs (the goal's)", "net0-cpu0", "native"));

    /** Issue 12's goals: net0's requests/s at least this much of native's, its p99 at most this much of native's. */
    static final double THROUGHPUT_GOAL = 0.8;
    static final double P99_GOAL = 2.0;
    private static final String THROUGHPUT = "requests/s over native's (goal >= 0.8x)";
    private static final String P99 = "p99 latency over native's (goal <= 2x)";

    /** One run's figures; NaN for what wrk did not say. */
    record Run(int connections, int round, String target, double requestsPerS, double p99Ms) {
    }

    private NetSweep() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: NetSweep FIGURES.tsv OUT.svg");
            System.exit(2);
        }
        List<Run> runs = parse(Files.readAllLines(Path.of(args[0])));
        Files.writeString(Path.of(args[1]), svg(runs));
        System.out.print(markdown(runs));
    }

    /** The runs of the figures file's lines; a line of other than seven fields is skipped. */
    static List<Run> parse(List<String> lines) {
        List<Run> runs = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\t");
            if (f.length == 7) {
                runs.add(new Run(Integer.parseInt(f[0]), Integer.parseInt(f[1]), f[2], number(f[3]), number(f[5])));
            }
        }
        return runs;
    }

    private static double number(String field) {
        try {
            return Double.parseDouble(field);
        } catch (NumberFormatException e) {
            return Double.NaN; // "-": no request completed, or wrk said nothing
        }
    }

    /**
     * Per connection count, the ratios of {@code comparison} round by round, of requests/s ({@code p99} false) or
     * of p99: a round without both runs, or with a figure that is not a positive number, gives none.
     */
    static Map<Integer, double[]> ratios(List<Run> runs, Comparison comparison, boolean p99) {
        Map<String, Double> figure = new LinkedHashMap<>();
        TreeSet<Integer> counts = new TreeSet<>();
        for (Run r : runs) {
            figure.put(r.connections() + "/" + r.round() + "/" + r.target(), p99 ? r.p99Ms() : r.requestsPerS());
            counts.add(r.connections());
        }
        Map<Integer, double[]> out = new TreeMap<>();
        for (int c : counts) {
            List<Double> ratios = new ArrayList<>();
            for (Run r : runs) {
                if (r.connections() == c && r.target().equals(comparison.over())) {
                    Double under = figure.get(c + "/" + r.round() + "/" + comparison.under());
                    double over = p99 ? r.p99Ms() : r.requestsPerS();
                    if (under != null && under > 0 && over > 0) { // NaN compares false
                        ratios.add(over / under);
                    }
                }
            }
            if (!ratios.isEmpty()) {
                out.put(c, ratios.stream().mapToDouble(Double::doubleValue).toArray());
            }
        }
        return out;
    }

    /** The table: per connection count and comparison, the requests/s and p99 ratios' median [min-max]. */
    static String markdown(List<Run> runs) {
        StringBuilder s = new StringBuilder("| connections | comparison | requests/s ratio, median [min-max]"
                + " | p99 ratio, median [min-max] | rounds |\n|---:|---|---:|---:|---:|\n");
        Map<Comparison, Map<Integer, double[]>> throughputs = new LinkedHashMap<>();
        Map<Comparison, Map<Integer, double[]>> p99s = new LinkedHashMap<>();
        for (Comparison comparison : COMPARISONS) {
            throughputs.put(comparison, ratios(runs, comparison, false));
            p99s.put(comparison, ratios(runs, comparison, true));
        }
        TreeSet<Integer> counts = new TreeSet<>();
        runs.forEach(r -> counts.add(r.connections()));
        for (int c : counts) {
            for (Comparison comparison : COMPARISONS) {
                double[] throughput = throughputs.get(comparison).get(c);
                double[] p99 = p99s.get(comparison).get(c);
                if (throughput == null && p99 == null) {
                    continue;
                }
                s.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %d |%n", c, comparison.name(),
                        spread(throughput), spread(p99), throughput == null ? 0 : throughput.length));
            }
        }
        return s.toString();
    }

    private static String spread(double[] ratios) {
        if (ratios == null) {
            return "-";
        }
        Spread s = Spread.of(ratios);
        return String.format(Locale.ROOT, "%.2fx [%.2f-%.2f]", s.median(), s.min(), s.max());
    }

    /** The chart: a panel for requests/s and one for p99, a line per comparison against the connections. */
    static String svg(List<Run> runs) {
        Map<String, Map<String, List<SweepChart.Point>>> panels = new LinkedHashMap<>();
        panels.put(THROUGHPUT, points(runs, false));
        panels.put(P99, points(runs, true));
        return SweepChart.svg("wrk against the JDK's HttpServer through net0, over native, against connections"
                + " (median of the rounds; whisker: min-max)", "connections (wrk -c)", panels,
                Map.of(THROUGHPUT, THROUGHPUT_GOAL, P99, P99_GOAL));
    }

    private static Map<String, List<SweepChart.Point>> points(List<Run> runs, boolean p99) {
        Map<String, List<SweepChart.Point>> lines = new LinkedHashMap<>();
        for (Comparison comparison : COMPARISONS) {
            List<SweepChart.Point> line = new ArrayList<>();
            ratios(runs, comparison, p99).forEach((c, r) -> line.add(SweepChart.Point.of(c, r)));
            if (!line.isEmpty()) {
                lines.put(comparison.name(), line);
            }
        }
        return lines;
    }
}
