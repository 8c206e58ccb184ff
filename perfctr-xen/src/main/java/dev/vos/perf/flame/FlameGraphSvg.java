package dev.vos.perf.flame;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A flame graph as a self-contained SVG, the way flamegraph.pl draws one: the root at the bottom, each frame a box
 * as wide as its share of the samples, its callees stacked on top, siblings in alphabetical order (so the x axis is
 * not time). Each box has a tooltip with the frame, its samples and share. Colours say where code runs: Java
 * (JIT-compiled, greens), kernel (oranges), native (reds/yellows); shades vary by name so neighbours differ.
 */
public final class FlameGraphSvg {

    private static final int WIDTH = 1200;
    private static final int FRAME_HEIGHT = 16;
    private static final int PAD_TOP = 40;
    private static final int PAD_BOTTOM = 20;
    private static final int PAD_SIDE = 10;
    private static final double MIN_WIDTH_PX = 0.1;
    private static final double CHAR_WIDTH_PX = 6.6;

    /** A node of the merged call tree. */
    private static final class Node {
        final String name;
        long value;
        final Map<String, Node> children = new TreeMap<>();

        Node(String name) {
            this.name = name;
        }

        int depth() {
            int d = 0;
            for (Node c : children.values()) {
                d = Math.max(d, c.depth());
            }
            return d + 1;
        }
    }

    private FlameGraphSvg() {
    }

    /** Renders {@code stacks} with {@code title} as an SVG document. */
    public static String render(CollapsedStacks stacks, String title) {
        Node root = new Node("all");
        for (Map.Entry<String, Long> e : stacks.counts().entrySet()) {
            root.value += e.getValue();
            Node n = root;
            for (String f : e.getKey().split(";")) {
                n = n.children.computeIfAbsent(f, Node::new);
                n.value += e.getValue();
            }
        }
        int depth = root.depth();
        int height = PAD_TOP + depth * FRAME_HEIGHT + PAD_BOTTOM;
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<?xml version=\"1.0\" standalone=\"no\"?>\n")
                .append(String.format(Locale.ROOT, "<svg version=\"1.1\" width=\"%d\" height=\"%d\""
                        + " viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">%n", WIDTH, height, WIDTH, height))
                .append("<style>text{font-family:Verdana,sans-serif;font-size:12px;fill:#000}"
                        + "rect:hover{stroke:#000;stroke-width:0.5}</style>\n")
                .append(String.format(Locale.ROOT,
                        "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#f8f8f0\"/>%n",
                        WIDTH, height))
                .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" "
                        + "style=\"font-size:17px\">%s</text>%n", WIDTH / 2, xml(title)));
        if (root.value == 0) {
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no samples</text>%n",
                    WIDTH / 2, height / 2));
        } else {
            double scale = (WIDTH - 2.0 * PAD_SIDE) / root.value;
            draw(b, root, PAD_SIDE, 0, height - PAD_BOTTOM, scale, root.value);
        }
        return b.append("</svg>\n").toString();
    }

    /** Writes the SVG to {@code file}. */
    public static void write(CollapsedStacks stacks, String title, Path file) throws IOException {
        Files.writeString(file, render(stacks, title));
    }

    private static void draw(StringBuilder b, Node n, double x, int level, int bottom, double scale, long total) {
        double w = n.value * scale;
        if (w < MIN_WIDTH_PX) {
            return;
        }
        double y = bottom - (level + 1) * FRAME_HEIGHT;
        String label = String.format(Locale.ROOT, "%s (%,d samples, %.2f%%)", n.name, n.value, 100.0 * n.value / total);
        b.append("<g><title>").append(xml(label)).append("</title>")
                .append(String.format(Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\""
                        + " rx=\"2\"/>", x, y, w, FRAME_HEIGHT - 1, color(n.name)));
        int fit = (int) ((w - 6) / CHAR_WIDTH_PX);
        if (fit >= 3) {
            String text = n.name.length() <= fit ? n.name : n.name.substring(0, fit - 2) + "..";
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", x + 3, y + FRAME_HEIGHT - 4,
                    xml(text)));
        }
        b.append("</g>\n");
        double cx = x;
        for (Node c : n.children.values()) {
            draw(b, c, cx, level + 1, bottom, scale, total);
            cx += c.value * scale;
        }
    }

    /** The colour of a frame: hue family by kind, shade by a hash of the name (stable across renders). */
    static String color(String name) {
        int h = name.hashCode() & 0x7fffffff;
        double v = (h % 1000) / 1000.0;
        int r;
        int g;
        int bl;
        if (name.endsWith("_[k]") || name.equals("[kernel]")) {
            r = 230 + (int) (25 * v);
            g = 130 + (int) (60 * v);
            bl = 40;
        } else if (name.contains("::") || name.startsWith("L") && name.contains("/") || name.contains("java")
                || name.equals("Interpreter")) {
            r = 50 + (int) (60 * v);
            g = 170 + (int) (60 * v);
            bl = 50 + (int) (40 * v);
        } else {
            r = 205 + (int) (50 * v);
            g = 80 + (int) (150 * v);
            bl = 50 + (int) (20 * v);
        }
        return String.format("rgb(%d,%d,%d)", r, g, bl);
    }

    static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
