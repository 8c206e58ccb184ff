package dev.vos.bench.storage;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sweep chart draws each vos variant's paired ratio to native at each client count, and nothing else. */
class SweepChartTest {

    private static StorageReport.Row row(String target, String workload, int clients, double readsPerS) {
        return new StorageReport.Row("", target, workload, clients, readsPerS, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0);
    }

    /** Rows grouped as the report groups them. */
    private static Map<String, List<StorageReport.Row>> groups(StorageReport.Row... rows) {
        Map<String, List<StorageReport.Row>> groups = new LinkedHashMap<>();
        for (StorageReport.Row r : rows) {
            groups.computeIfAbsent(r.workload() + "\t" + r.clients() + "\t" + r.variant(), k -> new ArrayList<>())
                    .add(r);
        }
        return groups;
    }

    private static final Map<String, List<StorageReport.Row>> SITTING = groups(
            // 1 client: vos half of native in each repeat
            row("native", "rand4k", 1, 100), row("native", "rand4k", 1, 200), row("native", "rand4k", 1, 100),
            row("vosfs", "rand4k", 1, 50), row("vosfs", "rand4k", 1, 100), row("vosfs", "rand4k", 1, 50),
            // 4 clients: repeat i against repeat i gives 1.5, 1.0 and 3.0
            row("native", "rand4k", 4, 100), row("native", "rand4k", 4, 200), row("native", "rand4k", 4, 100),
            row("vosfs", "rand4k", 4, 150), row("vosfs", "rand4k", 4, 200), row("vosfs", "rand4k", 4, 300),
            // 16 clients: vos ran, native did not; nothing to compare
            row("vosfs", "rand4k", 16, 500));

    @Test
    void eachPoint_isTheMedianAndSpreadOfThePairedRepeats() {
        List<SweepChart.Point> line = SweepChart.points(SITTING).get("rand4k").get("vos FileChannel");
        assertEquals(List.of(new SweepChart.Point(1, 0.5, 0.5, 0.5), new SweepChart.Point(4, 1.5, 1.0, 3.0)), line);
    }

    @Test
    void theSvg_isXml_titlesEachPoint_drawsAHigherRatioHigher_andLeavesOutCountsWithoutNative() throws Exception {
        String svg = SweepChart.svg(SITTING);
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
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
        assertFalse(svg.contains("16 clients"), svg);
        assertTrue(svg.contains(">3.0x<"), "the axis reaches the largest whisker: " + svg);
    }
}
