package dev.vos.bench.net;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The net sweep pairs the runs of a round, never runs of different rounds, and leaves out a round that lacks a run
 * or whose wrk said no figure.
 */
class NetSweepTest {

    /** Two rounds at 64 connections, one at 1,000 whose net0 CPU 0 run completed no request. */
    private static final List<String> FIGURES = List.of(
            "64\t1\tnative\t40000\t1.0\t4.0\t0",
            "64\t1\tnet0\t20000\t2.0\t12.0\t0",
            "64\t1\tnative-cpu0\t30000\t1.5\t5.0\t0",
            "64\t1\tnet0-cpu0\t24000\t2.5\t10.0\t0",
            "64\t2\tnet0\t10000\t2.0\t40.0\t0",
            "64\t2\tnative\t20000\t1.0\t8.0\t0",
            "64\t2\tnative-cpu0\t10000\t1.5\t5.0\t0",
            "64\t2\tnet0-cpu0\t9000\t2.5\t10.0\t0",
            "1000\t1\tnative\t30000\t50\t150\t0",
            "1000\t1\tnet0\t15000\t60\t700\t3",
            "1000\t1\tnative-cpu0\t14000\t60\t150\t0",
            "1000\t1\tnet0-cpu0\t-\t-\t-\t1000",
            "not a figure line");

    private static final List<NetSweep.Run> RUNS = NetSweep.parse(FIGURES);

    @Test
    void eachRatio_isOfTwoRunsOfOneRound() {
        NetSweep.Comparison unpinned = NetSweep.COMPARISONS.get(0);
        NetSweep.Comparison goal = NetSweep.COMPARISONS.get(2);
        Map<Integer, double[]> throughput = NetSweep.ratios(RUNS, unpinned, false);
        assertArrayEquals(new double[] {0.5, 0.5}, throughput.get(64), "20000/40000 and 10000/20000");
        assertArrayEquals(new double[] {0.5}, throughput.get(1000));
        assertArrayEquals(new double[] {3.0, 5.0}, NetSweep.ratios(RUNS, unpinned, true).get(64), "p99 12/4, 40/8");
        assertArrayEquals(new double[] {0.6, 0.45}, NetSweep.ratios(RUNS, goal, false).get(64), 1e-12);
        assertFalse(NetSweep.ratios(RUNS, goal, false).containsKey(1000), "no request completed: no ratio");
    }

    @Test
    void theTable_saysMedianAndRange_perCountAndComparison() {
        String md = NetSweep.markdown(RUNS);
        assertTrue(md.contains("| 64 | net0 / native, both unpinned | 0.50x [0.50-0.50] | 4.00x [3.00-5.00] | 2 |"),
                md);
        assertTrue(md.contains("| 64 | net0 CPU 0 / native on both CPUs (the goal's) | 0.53x [0.45-0.60] |"), md);
        assertFalse(md.contains("| 1000 | net0 CPU 0 / native on both"), md);
        assertEquals(2 + 3 + 1, md.lines().count(), "a header, its rule, three comparisons at 64, one at 1000 (its"
                + " net0 CPU 0 run said nothing):\n" + md);
    }

    @Test
    void theChart_isXml_withAPointPerCountAndComparisonInEachPanel() throws Exception {
        String svg = NetSweep.svg(RUNS);
        int circles = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8))).getDocumentElement()
                .getElementsByTagName("circle").getLength();
        assertEquals(2 * (3 + 1), circles, svg);
        assertTrue(svg.contains("p99 latency over native's (goal &lt;= 2x), net0 / native, both unpinned, 1000"
                + " connections: 4.67x [4.67-4.67]"), svg);
    }
}
