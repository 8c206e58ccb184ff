package dev.vos.bench.report;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sweep chart draws each line's median and spread at each count, and its axis reaches every whisker. */
class SweepChartTest {

    private static Element parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
    }

    @Test
    void aPoint_isTheMedianAndRangeOfItsRatios() {
        assertEquals(new SweepChart.Point(4, 1.5, 1.0, 3.0), SweepChart.Point.of(4, new double[] {3.0, 1.0, 1.5}));
        assertEquals(new SweepChart.Point(2, 1.25, 1.0, 1.5), SweepChart.Point.of(2, new double[] {1.5, 1.0}));
    }

    @Test
    void theSvg_isXml_titlesEachPoint_andDrawsAHigherRatioHigher_andMoreRight() throws Exception {
        String svg = SweepChart.svg("a <title>", "clients (virtual threads)", Map.of("rand4k", Map.of(
                "vos FileChannel", List.of(new SweepChart.Point(1, 0.5, 0.5, 0.5),
                        new SweepChart.Point(4, 1.5, 1.0, 3.0)))));
        Element root = parse(svg);
        NodeList circles = root.getElementsByTagName("circle");
        assertEquals(2, circles.getLength(), svg);
        Element one = (Element) circles.item(0);
        Element four = (Element) circles.item(1);
        assertEquals("rand4k, vos FileChannel, 1 clients: 0.50x [0.50-0.50]", one.getTextContent());
        assertEquals("rand4k, vos FileChannel, 4 clients: 1.50x [1.00-3.00]", four.getTextContent());
        assertTrue(Double.parseDouble(four.getAttribute("cy")) < Double.parseDouble(one.getAttribute("cy")),
                "1.5x is drawn above 0.5x");
        assertTrue(Double.parseDouble(four.getAttribute("cx")) > Double.parseDouble(one.getAttribute("cx")),
                "4 clients are drawn right of 1");
        assertTrue(svg.contains(">3.0x<"), "the axis reaches the largest whisker: " + svg);
        assertTrue(svg.contains("a &lt;title&gt;"), "text is escaped: " + svg);
    }

    @Test
    void aLargeRatio_widensTheGridStep_andNativesLineIsStillDrawn() throws Exception {
        String svg = SweepChart.svg("p99", "connections", Map.of("p99", Map.of(
                "net0", List.of(new SweepChart.Point(64, 2.0, 1.8, 2.2), new SweepChart.Point(1000, 30, 25, 33)))));
        parse(svg);
        assertTrue(svg.contains(">35.0x<"), "the axis reaches 33x in steps of 5: " + svg);
        assertFalse(svg.contains(">0.5x<"), "no grid line every 0.5x up to 35x: " + svg);
        assertTrue(svg.contains("1000 connections: 30.00x [25.00-33.00]"), svg);
        long dashed = svg.lines().filter(l -> l.contains("stroke-dasharray")).count();
        assertEquals(1, dashed, "native (1.0x) is drawn across once: " + svg);
    }

    @Test
    void aGoal_isDrawnAcrossItsPanel_andTheAxisReachesIt() throws Exception {
        Map<String, Map<String, List<SweepChart.Point>>> panels = Map.of("throughput", Map.of("net0",
                List.of(new SweepChart.Point(64, 0.5, 0.4, 0.6))), "p99", Map.of("net0",
                List.of(new SweepChart.Point(64, 1.5, 1.0, 1.8))));
        String svg = SweepChart.svg("t", "connections", panels, Map.of("p99", 3.0));
        parse(svg);
        assertEquals(1, svg.lines().filter(l -> l.contains(">goal 3.0x<")).count(), "one goal, in its panel: " + svg);
        assertTrue(svg.contains(">3.0x<"), "the p99 axis reaches its goal above every whisker: " + svg);
        assertFalse(SweepChart.svg("t", "connections", panels).contains(">goal"), "no goals, none drawn");
    }

    @Test
    void aPanelWithoutPoints_isLeftOut() {
        String svg = SweepChart.svg("t", "connections", Map.of("empty", Map.of("net0", List.of()), "full",
                Map.of("net0", List.of(new SweepChart.Point(64, 0.7, 0.6, 0.8)))));
        assertFalse(svg.contains(">empty<"), svg);
        assertTrue(svg.contains(">full<"), svg);
    }
}
