package dev.vos.bench.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The storage sitting's sweep as an SVG: one panel per workload, the client count on a log-2 axis, each vos
 * variant's throughput ratio to native (reads/s) as a line through the medians of its paired repeats, a whisker
 * from their min to their max, and 1.0x (native) drawn across. Each point carries a {@code <title>} with its
 * figure, which a browser shows on hover.
 */
final class SweepChart {

    private static final int PANEL_WIDTH = 420;
    private static final int PANEL_HEIGHT = 260;
    private static final int LEFT = 60;
    private static final int TOP = 50;
    private static final int GAP = 70;
    private static final String[] COLORS = {"#2a6fdb", "#d9822b", "#3a9d5d", "#b23a48"};

    private SweepChart() {
    }

    /** One point: a variant's ratios at a client count. */
    record Point(int clients, double median, double min, double max) {
    }

    /**
     * The chart of {@code groups} (key: workload, clients and variant separated by tabs, as {@link StorageReport}
     * groups its rows): the vos variants of each workload that has a native figure at a client count.
     */
    static String svg(Map<String, List<StorageReport.Row>> groups) {
        Map<String, Map<String, List<Point>>> panels = points(groups);
        double top = 2.0;
        for (Map<String, List<Point>> lines : panels.values()) {
            for (List<Point> line : lines.values()) {
                for (Point p : line) {
                    top = Math.max(top, Math.ceil(p.max() * 2) / 2);
                }
            }
        }
        int width = LEFT + panels.size() * (PANEL_WIDTH + GAP) + 20;
        int height = TOP + PANEL_HEIGHT + 120;
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\""
                + " width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n"
                + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n<text x=\"10\" y=\"20\" font-size=\"14\">"
                + "Throughput through vos over native, against clients (median of paired repeats; whisker: min-max)"
                + "</text>%n", Math.max(width, 640), height));
        int x0 = LEFT;
        for (Map.Entry<String, Map<String, List<Point>>> panel : panels.entrySet()) {
            panel(s, panel.getKey(), panel.getValue(), x0, top);
            x0 += PANEL_WIDTH + GAP;
        }
        return s.append("</svg>\n").toString();
    }

    /** Workload to variant to its points, by client count; only counts with both a native and a vos figure. */
    static Map<String, Map<String, List<Point>>> points(Map<String, List<StorageReport.Row>> groups) {
        Map<String, Map<String, List<Point>>> panels = new TreeMap<>();
        for (Map.Entry<String, List<StorageReport.Row>> g : groups.entrySet()) {
            String[] k = g.getKey().split("\t");
            if (k[2].startsWith("native")) {
                continue;
            }
            List<StorageReport.Row> nat = groups.get(k[0] + "\t" + k[1] + "\tnative FileChannel");
            if (nat == null || nat.isEmpty()) {
                continue;
            }
            double[] r = StorageReport.pairedRatios(g.getValue(), nat);
            panels.computeIfAbsent(k[0], w -> new TreeMap<>()).computeIfAbsent(k[2], v -> new ArrayList<>())
                    .add(new Point(Integer.parseInt(k[1]), StorageReport.median(r), StorageReport.min(r),
                            StorageReport.max(r)));
        }
        panels.values().forEach(lines -> lines.values()
                .forEach(line -> line.sort((a, b) -> Integer.compare(a.clients(), b.clients()))));
        return panels;
    }

    private static void panel(StringBuilder s, String workload, Map<String, List<Point>> lines, int x0, double top) {
        TreeSet<Integer> clients = new TreeSet<>();
        lines.values().forEach(line -> line.forEach(p -> clients.add(p.clients())));
        double lo = Math.log(clients.first()) / Math.log(2);
        double hi = Math.max(lo + 1, Math.log(clients.last()) / Math.log(2));
        java.util.function.IntToDoubleFunction x = c -> x0 + 20 + (PANEL_WIDTH - 40)
                * (Math.log(c) / Math.log(2) - lo) / (hi - lo);
        java.util.function.DoubleUnaryOperator y = v -> TOP + PANEL_HEIGHT * (1 - v / top);
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"13\">%s</text>%n", x0, TOP - 12,
                workload));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                + " stroke=\"#999\"/>%n", x0, TOP, PANEL_WIDTH, PANEL_HEIGHT));
        for (double v = 0; v <= top + 1e-9; v += 0.5) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"%s/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1fx</text>%n", x0, y.applyAsDouble(v),
                    x0 + PANEL_WIDTH, y.applyAsDouble(v), v == 1.0 ? "#000" : "#ddd",
                    v == 1.0 ? " stroke-dasharray=\"4 3\"" : "", x0 - 6, y.applyAsDouble(v) + 4, v));
        }
        for (int c : clients) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                    x.applyAsDouble(c), TOP + PANEL_HEIGHT + 16, c));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">clients (virtual"
                + " threads)</text>%n", x0 + PANEL_WIDTH / 2, TOP + PANEL_HEIGHT + 34));
        int n = 0;
        for (Map.Entry<String, List<Point>> line : lines.entrySet()) {
            String color = COLORS[n % COLORS.length];
            StringBuilder path = new StringBuilder();
            for (Point p : line.getValue()) {
                path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f",
                        x.applyAsDouble(p.clients()), y.applyAsDouble(p.median())));
            }
            s.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    path, color));
            for (Point p : line.getValue()) {
                double px = x.applyAsDouble(p.clients());
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
                                + " stroke=\"%s\"/><circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s, %s,"
                                + " %d clients: %.2fx [%.2f-%.2f]</title></circle>%n", px, y.applyAsDouble(p.min()),
                        px, y.applyAsDouble(p.max()), color, px, y.applyAsDouble(p.median()), color, workload,
                        line.getKey(), p.clients(), p.median(), p.min(), p.max()));
            }
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>%n", x0, TOP + PANEL_HEIGHT + 48 + 18 * n, color,
                    x0 + 18, TOP + PANEL_HEIGHT + 58 + 18 * n, line.getKey()));
            n++;
        }
    }
}
