package dev.vos.perf.flame;

import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlameGraphSvgTest {

    @Test
    void collapsed_roundTripsAndReplacesTheSeparator() throws Exception {
        CollapsedStacks s = new CollapsedStacks();
        s.add(List.of("main", "a;b", "c"), 3);
        s.add(List.of("main", "a;b", "c"), 2);
        s.add(List.of("main", "d"), 1);
        StringWriter w = new StringWriter();
        s.write(w);
        assertEquals("main;a:b;c 5\nmain;d 1\n", w.toString());
        assertEquals(s.counts(), CollapsedStacks.parse(w.toString().lines().toList()).counts());
        assertEquals(6, s.total());
    }

    @Test
    void render_boxesAreAsWideAsTheirShare() {
        CollapsedStacks s = new CollapsedStacks();
        s.add(List.of("t", "x", "hot"), 3);
        s.add(List.of("t", "x", "cold<&>"), 1);
        String svg = FlameGraphSvg.render(s, "test");
        assertTrue(svg.startsWith("<?xml"));
        assertTrue(svg.contains("<title>cold&lt;&amp;&gt; (1 samples, 25.00%)</title>"), svg);
        double all = width(svg, "all");
        double hot = width(svg, "hot");
        double cold = width(svg, "cold&lt;&amp;&gt;");
        assertEquals(1180.0, all, 0.1);
        assertEquals(all * 0.75, hot, 0.2);
        assertEquals(all * 0.25, cold, 0.2);
    }

    private static double width(String svg, String frame) {
        Matcher m = Pattern.compile("<title>" + Pattern.quote(frame)
                + " \\([^)]*\\)</title><rect [^>]*width=\"([0-9.]+)\"").matcher(svg);
        assertTrue(m.find(), "no box for " + frame);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void render_noSamples_saysSo() {
        assertTrue(FlameGraphSvg.render(new CollapsedStacks(), "empty").contains(">no samples</text>"));
    }
}
