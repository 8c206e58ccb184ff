package dev.vos.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns one sitting's JMH JSON ({@code -rf json}) and floors output into a markdown report and a log-scale SVG bar
 * chart of the latencies. min/median/max are over every measurement iteration of every fork (JMH's rawData).
 *
 * <pre>usage: RingReport JMH_JSON FLOORS_TXT|- OUT_MD OUT_SVG</pre>
 */
public final class RingReport {

    record Row(String name, String params, String mode, String unit, double score, double error, double[] raw,
               String byFork) {
        double min() {
            return raw[0];
        }

        double max() {
            return raw[raw.length - 1];
        }

        double median() {
            int n = raw.length;
            return n % 2 == 1 ? raw[n / 2] : (raw[n / 2 - 1] + raw[n / 2]) / 2;
        }

        boolean noisy() {
            return max() > 1.5 * min();
        }
    }

    /** A floor: median, min, max in ns. */
    record Floor(double median, double min, double max) {}

    static final String RTT = "RingRoundTripBenchmark.";
    static final String UNIX = "UnixSocketRoundTripBenchmark.roundTrip64B";
    static final String PING = "shm ping-pong, busy-poll, RTT";
    static final String SOCK = "unix socket 64 B request/response RTT";
    static final String GETPID = "syscall(SYS_getpid)";

    private RingReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: RingReport JMH_JSON FLOORS_TXT|- OUT_MD OUT_SVG");
            System.exit(2);
        }
        List<?> runs = (List<?>) new Json(Files.readString(Path.of(args[0]))).value();
        List<Row> rows = new ArrayList<>();
        for (Object o : runs) {
            Map<?, ?> run = (Map<?, ?>) o;
            Map<?, ?> metric = (Map<?, ?>) run.get("primaryMetric");
            String name = ((String) run.get("benchmark")).replaceAll("^.*\\.(\\w+\\.\\w+)$", "$1");
            String params = run.get("params") instanceof Map<?, ?> p ? p.toString().replaceAll("[{}]", "") : "";
            List<?> forks = (List<?>) metric.get("rawData");
            double[] raw = forks.stream().flatMap(f -> ((List<?>) f).stream()).mapToDouble(RingReport::num).sorted()
                    .toArray();
            String byFork = forks.stream().map(f -> ((List<?>) f).stream().map(v -> fmt(num(v)))
                    .collect(Collectors.joining(" "))).collect(Collectors.joining(" / "));
            rows.add(new Row(name, params, (String) run.get("mode"), (String) metric.get("scoreUnit"),
                    num(metric.get("score")), num(metric.get("scoreError")), raw, byFork));
        }
        List<Map<String, Floor>> floors = args[1].equals("-") || !Files.exists(Path.of(args[1])) ? List.of()
                : parseFloors(Files.readAllLines(Path.of(args[1])));
        Map<String, Floor> before = floors.isEmpty() ? Map.of() : floors.get(0);
        Map<?, ?> first = runs.isEmpty() ? Map.of() : (Map<?, ?>) runs.get(0);

        StringBuilder md = new StringBuilder("# vos ring benchmarks\n\n");
        md.append(String.format("JMH %s on %s %s; %d CPUs. Every figure below is from one sitting: the floors (C) ran "
                + "just before and just after JMH. min / median / max are over all measurement iterations of all forks "
                + "(n); score ± error is JMH's mean and 99.9%% half-interval. Rows marked ~ have max > 1.5 x min: "
                + "bimodal or disturbed, read the min and the median, not the mean.%n%n", first.get("jmhVersion"),
                first.get("vmName"), first.get("jdkVersion"), Runtime.getRuntime().availableProcessors()));
        md.append("| benchmark | params | mode | score ± error | min | median | max | n | unit |\n"
                + "|---|---|---|--:|--:|--:|--:|--:|---|\n");
        for (Row r : rows) {
            md.append(String.format("| %s%s | %s | %s | %s ± %s | %s | %s | %s | %d | %s |%n", r.name(),
                    r.noisy() ? " ~" : "", r.params(), r.mode(), fmt(r.score()), fmt(r.error()), fmt(r.min()),
                    fmt(r.median()), fmt(r.max()), r.raw().length, r.unit()));
        }
        md.append("\n<details><summary>Every measurement iteration, fork by fork (forks separated by /)</summary>\n\n"
                + "| benchmark | params | iterations |\n|---|---|---|\n");
        rows.forEach(r -> md.append(String.format("| %s | %s | %s |%n", r.name(), r.params(), r.byFork())));
        md.append("\n</details>\n");
        Row nul = find(rows, RTT + "nullCall");
        Row remote = find(rows, RTT + "remoteGetpid");
        Row local = find(rows, RTT + "localGetpid");
        Row unix = find(rows, UNIX);
        md.append("\n## Ratios\n\nBy medians, and by minima (the least disturbed iterations).\n\n"
                + "| ratio | by medians | by minima |\n|---|--:|--:|\n");
        ratio(md, "ring null call / floor shm ping-pong busy-poll RTT (x the floor)", nul, before.get(PING));
        ratio(md, "Unix-socket RTT (JMH) / ring null call (speed-up)", unix, nul);
        ratio(md, "remote getpid / local getpid", remote, local);
        ratio(md, "local getpid (FFM) / floor syscall(SYS_getpid)", local, before.get(GETPID));
        ratio(md, "Unix-socket RTT (Java) / floor Unix-socket RTT (C)", unix, before.get(SOCK));
        if (!floors.isEmpty()) {
            md.append("\n## Floors (C, ns; median, min–max)\n\n| floor | before JMH | after JMH |\n|---|--:|--:|\n");
            for (String name : floors.get(0).keySet()) {
                md.append("| ").append(name);
                for (int i = 0; i < 2; i++) {
                    Floor f = i < floors.size() ? floors.get(i).get(name) : null;
                    md.append(f == null ? " | –"
                            : String.format(" | %s (%s–%s)", fmt(f.median()), fmt(f.min()), fmt(f.max())));
                }
                md.append(" |\n");
            }
        } else {
            md.append("\nNo floors output: the floor ratios are missing.\n");
        }
        md.append("\n![latencies, log scale](").append(Path.of(args[3]).getFileName()).append(")\n");
        Files.writeString(Path.of(args[2]), md);

        Map<String, Floor> bars = new LinkedHashMap<>();
        Object[] chart = {"ring null call", nul, "ring remote getpid", remote, "local getpid (FFM)", local,
                "Unix socket 64 B RTT (Java)", unix, "floor: shm ping-pong busy-poll", before.get(PING),
                "floor: Unix socket 64 B RTT (C)", before.get(SOCK), "floor: syscall getpid (C)", before.get(GETPID)};
        for (int k = 0; k < chart.length; k += 2) {
            if (chart[k + 1] instanceof Row r) {
                bars.put((String) chart[k], new Floor(r.median(), r.min(), r.max()));
            } else if (chart[k + 1] instanceof Floor f) {
                bars.put((String) chart[k], f);
            }
        }
        Files.writeString(Path.of(args[3]), svg(bars));
    }

    static List<Map<String, Floor>> parseFloors(List<String> lines) {
        Pattern p = Pattern.compile("^(.+?)\\s+median\\s+([\\d.]+) ns\\s+min\\s+([\\d.]+)\\s+max\\s+([\\d.]+)");
        List<Map<String, Floor>> sections = new ArrayList<>(List.of(new LinkedHashMap<>()));
        for (String line : lines) {
            Matcher m = p.matcher(line);
            if (line.startsWith("# floors after")) {
                sections.add(new LinkedHashMap<>());
            } else if (m.find()) {
                sections.getLast().put(m.group(1).trim(), new Floor(Double.parseDouble(m.group(2)),
                        Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))));
            }
        }
        return sections;
    }

    static void ratio(StringBuilder md, String label, Object a, Object b) {
        if (a == null || b == null) {
            md.append("| ").append(label).append(" | – | – |\n");
            return;
        }
        double[] x = mm(a);
        double[] y = mm(b);
        md.append(String.format("| %s | %.2f | %.2f |%n", label, x[0] / y[0], x[1] / y[1]));
    }

    /** {median, min} of a row or a floor. */
    static double[] mm(Object o) {
        return o instanceof Row r ? new double[]{r.median(), r.min()}
                : new double[]{((Floor) o).median(), ((Floor) o).min()};
    }

    static Row find(List<Row> rows, String name) {
        return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    static double num(Object o) {
        return o instanceof Double d ? d : Double.parseDouble(String.valueOf(o)); // JMH writes NaN as "NaN"
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "NaN" : v >= 100_000 ? String.format("%,.0f", v) : String.format("%.1f", v);
    }

    /** Horizontal bars of the medians, min–max whiskers, log-scale ns axis. */
    static String svg(Map<String, Floor> bars) {
        double lo = Math.pow(10,
                Math.floor(Math.log10(bars.values().stream().mapToDouble(Floor::min).min().orElse(1))));
        double hi = Math.pow(10,
                Math.ceil(Math.log10(bars.values().stream().mapToDouble(Floor::max).max().orElse(10))));
        int left = 300;
        int width = 480;
        int top = 40;
        int rowH = 28;
        int h = top + rowH * bars.size() + 40;
        java.util.function.DoubleUnaryOperator x = v -> left + width * Math.log10(v / lo) / Math.log10(hi / lo);
        StringBuilder s = new StringBuilder(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                + "height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" "
                + "fill=\"white\"/>%n<text x=\"10\" y=\"20\" font-size=\"14\">Round-trip latency, ns (log scale; bar: "
                + "median, whisker: min–max)</text>%n", left + width + 40, h));
        for (double d = lo; d <= hi * 1.001; d *= 10) {
            String label = d >= 1000 ? String.format("%.0f µs", d / 1000) : String.format("%.0f ns", d);
            s.append(String.format("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ccc\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x.applyAsDouble(d), top - 5,
                    x.applyAsDouble(d), h - 30, x.applyAsDouble(d), h - 15, label));
        }
        int y = top;
        for (Map.Entry<String, Floor> e : bars.entrySet()) {
            Floor f = e.getValue();
            String color = e.getKey().startsWith("floor") ? "#999"
                    : e.getKey().startsWith("ring") ? "#2a6fdb" : "#d9822b";
            s.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
                    + "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                    + "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>"
                    + "<text x=\"%.1f\" y=\"%d\">%s</text>%n", left - 8, y + 17, e.getKey(), left, y + 4,
                    x.applyAsDouble(f.median()) - left, rowH - 8, color, x.applyAsDouble(f.min()), y + rowH / 2,
                    x.applyAsDouble(f.max()), y + rowH / 2, x.applyAsDouble(f.max()) + 4, y + 17, fmt(f.median())));
            y += rowH;
        }
        return s.append("</svg>\n").toString();
    }

    /** Just enough JSON for JMH's output: objects, arrays, strings, numbers, true/false/null. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            char c = next();
            if (c == '{') {
                Map<String, Object> map = new LinkedHashMap<>();
                if (peek() == '}') {
                    i++;
                    return map;
                }
                do {
                    String key = (String) value();
                    next();
                    map.put(key, value());
                } while (next() == ',');
                return map;
            }
            if (c == '[') {
                List<Object> list = new ArrayList<>();
                if (peek() == ']') {
                    i++;
                    return list;
                }
                do {
                    list.add(value());
                } while (next() == ',');
                return list;
            }
            if (c == '"') {
                StringBuilder b = new StringBuilder();
                for (char d; (d = s.charAt(i++)) != '"'; b.append(d)) {
                    if (d != '\\') {
                        continue;
                    }
                    d = s.charAt(i++);
                    if (d == 'u') {
                        d = (char) Integer.parseInt(s.substring(i, i + 4), 16);
                        i += 4;
                    } else {
                        d = switch (d) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> d;
                        };
                    }
                }
                return b.toString();
            }
            int start = i - 1;
            while (i < s.length() && ",}] \t\r\n".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            String word = s.substring(start, i);
            return word.equals("null") ? null : word.equals("true") || word.equals("false") ? Boolean.valueOf(word)
                    : Double.parseDouble(word);
        }

        private char next() {
            while (Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            return s.charAt(i++);
        }

        private char peek() {
            char c = next();
            i--;
            return c;
        }
    }
}
