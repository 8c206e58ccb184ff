package dev.vos.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A sitting's sweep as an SVG: one panel per figure, the swept count (clients, connections) on a log-2 axis, each
 * line a ratio of vos to native through the medians of its paired repeats, a whisker from their min to their max,
 * and 1.0x (native) drawn across. Each point carries a {@code <title>} with its figure, which a browser shows on
 * hover. The storage and the net reports draw theirs with it.
 */
public final class SweepChart {

    private static final int PANEL_WIDTH = 420;
    private static final int PANEL_HEIGHT = 260;
    private static final int LEFT = 60;
    private static final int TOP = 50;
    private static final int GAP = 70;
    private static final String[] COLORS = {"#2a6fdb", "#d9822b", "#3a9d5d", "#b23a48"};
    /** Grid steps of the ratio axis, the first that draws at most {@link #MAX_GRID_LINES} lines. */
    private static final double[] STEPS = {0.5, 1, 2, 5, 10, 20, 50, 100};
    private static final int MAX_GRID_LINES = 12;

    private SweepChart() {
    }

    /** One point: a line's ratios at a count {@code x}. */
    public record Point(int x, double median, double min, double max) {

        /** The point of {@code ratios}, the paired repeats' ratios at {@code x}. */
        public static Point of(int x, double[] ratios) {
            Spread s = Spread.of(ratios);
            return new Point(x, s.median(), s.min(), s.max());
        }
    }

    /**
     * The chart titled {@code title} of {@code panels} (panel name to line name to its points in increasing
     * {@code x}), the x axis labelled {@code xLabel}. A panel or line without points is left out.
     */
    public static String svg(String title, String xLabel, Map<String, Map<String, List<Point>>> panels) {
        return svg(title, xLabel, panels, Map.of());
    }

    /** The same, with a goal drawn across each panel {@code goals} names (panel name to its goal's ratio). */
    public static String svg(String title, String xLabel, Map<String, Map<String, List<Point>>> panels,
                             Map<String, Double> goals) {
        long drawn = panels.values().stream().filter(SweepChart::hasPoints).count();
        int width = LEFT + (int) drawn * (PANEL_WIDTH + GAP) + 20;
        int height = TOP + PANEL_HEIGHT + 120;
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\""
                + " width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n"
                + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n<text x=\"10\" y=\"20\" font-size=\"14\">"
                + "%s</text>%n", Math.max(width, 640), height, escape(title)));
        int x0 = LEFT;
        for (Map.Entry<String, Map<String, List<Point>>> panel : panels.entrySet()) {
            if (hasPoints(panel.getValue())) {
                panel(s, panel.getKey(), panel.getValue(), goals.get(panel.getKey()), xLabel, x0);
                x0 += PANEL_WIDTH + GAP;
            }
        }
        return s.append("</svg>\n").toString();
    }

    private static boolean hasPoints(Map<String, List<Point>> lines) {
        return lines.values().stream().anyMatch(line -> !line.isEmpty());
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /**
     * The ratio axis of {@code lines}: its top (2.0x at least, and the goal and the largest whisker, rounded up to its
     * step) and its grid step, the first of {@link #STEPS} that draws at most {@link #MAX_GRID_LINES} lines. Each
     * panel has its own, so that a p99 30x native does not flatten a throughput panel beside it.
     */
    static double[] axis(Map<String, List<Point>> lines, Double goal) {
        double top = goal == null ? 2.0 : Math.max(2.0, Math.ceil(goal * 2) / 2);
        for (List<Point> line : lines.values()) {
            for (Point p : line) {
                top = Math.max(top, Math.ceil(p.max() * 2) / 2);
            }
        }
        double step = STEPS[STEPS.length - 1];
        for (double candidate : STEPS) {
            if (top / candidate <= MAX_GRID_LINES) {
                step = candidate;
                break;
            }
        }
        return new double[] {Math.ceil(top / step) * step, step};
    }

    private static void panel(StringBuilder s, String name, Map<String, List<Point>> lines, Double goal,
                              String xLabel, int x0) {
        double[] axis = axis(lines, goal);
        double top = axis[0];
        double step = axis[1];
        TreeSet<Integer> counts = new TreeSet<>();
        lines.values().forEach(line -> line.forEach(p -> counts.add(p.x())));
        double lo = Math.log(counts.first()) / Math.log(2);
        double hi = Math.max(lo + 1, Math.log(counts.last()) / Math.log(2));
        java.util.function.IntToDoubleFunction x = c -> x0 + 20 + (PANEL_WIDTH - 40)
                * (Math.log(c) / Math.log(2) - lo) / (hi - lo);
        java.util.function.DoubleUnaryOperator y = v -> TOP + PANEL_HEIGHT * (1 - v / top);
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"13\">%s</text>%n", x0, TOP - 12,
                escape(name)));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                + " stroke=\"#999\"/>%n", x0, TOP, PANEL_WIDTH, PANEL_HEIGHT));
        for (double v = 0; v <= top + 1e-9; v += step) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"%s/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1fx</text>%n", x0, y.applyAsDouble(v),
                    x0 + PANEL_WIDTH, y.applyAsDouble(v), v == 1.0 ? "#000" : "#ddd",
                    v == 1.0 ? " stroke-dasharray=\"4 3\"" : "", x0 - 6, y.applyAsDouble(v) + 4, v));
        }
        if (step > 1.0) { // 1.0x is not on the grid: draw native's line anyway
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#000\""
                    + " stroke-dasharray=\"4 3\"/>%n", x0, y.applyAsDouble(1.0), x0 + PANEL_WIDTH,
                    y.applyAsDouble(1.0)));
        }
        if (goal != null) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\""
                            + " stroke=\"#c00\" stroke-dasharray=\"1 3\"/><text x=\"%d\" y=\"%.1f\" fill=\"#c00\""
                            + " text-anchor=\"end\">goal %.1fx</text>%n", x0, y.applyAsDouble(goal), x0 + PANEL_WIDTH,
                    y.applyAsDouble(goal), x0 + PANEL_WIDTH - 4, y.applyAsDouble(goal) - 4, goal));
        }
        for (int c : counts) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                    x.applyAsDouble(c), TOP + PANEL_HEIGHT + 16, c));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x0 + PANEL_WIDTH / 2, TOP + PANEL_HEIGHT + 34, escape(xLabel)));
        int n = 0;
        for (Map.Entry<String, List<Point>> line : lines.entrySet()) {
            if (line.getValue().isEmpty()) {
                continue;
            }
            String color = COLORS[n % COLORS.length];
            StringBuilder path = new StringBuilder();
            for (Point p : line.getValue()) {
                path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f",
                        x.applyAsDouble(p.x()), y.applyAsDouble(p.median())));
            }
            s.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    path, color));
            for (Point p : line.getValue()) {
                double px = x.applyAsDouble(p.x());
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
                                + " stroke=\"%s\"/><circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s, %s,"
                                + " %d %s: %.2fx [%.2f-%.2f]</title></circle>%n", px, y.applyAsDouble(p.min()),
                        px, y.applyAsDouble(p.max()), color, px, y.applyAsDouble(p.median()), color, escape(name),
                        escape(line.getKey()), p.x(), escape(xLabel.split(" ")[0]), p.median(), p.min(), p.max()));
            }
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>%n", x0, TOP + PANEL_HEIGHT + 48 + 18 * n, color,
                    x0 + 18, TOP + PANEL_HEIGHT + 58 + 18 * n, escape(line.getKey())));
            n++;
        }
    }
}
