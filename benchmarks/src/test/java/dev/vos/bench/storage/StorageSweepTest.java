package dev.vos.bench.storage;

import dev.vos.bench.report.SweepChart;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The storage sweep pairs repeat i of each vos variant with repeat i of native, only where both ran, and gives each
 * line's points in increasing client count whatever order the rows came in.
 */
class StorageSweepTest {

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

    @Test
    void eachPoint_isTheMedianAndSpreadOfThePairedRepeats() {
        Map<String, List<StorageReport.Row>> sitting = groups(
                // 4 clients, first in the file: repeat i against repeat i gives 1.5, 1.0 and 3.0
                row("native", "rand4k", 4, 100), row("native", "rand4k", 4, 200), row("native", "rand4k", 4, 100),
                row("vosfs", "rand4k", 4, 150), row("vosfs", "rand4k", 4, 200), row("vosfs", "rand4k", 4, 300),
                // 1 client: vos half of native in each repeat
                row("native", "rand4k", 1, 100), row("native", "rand4k", 1, 200), row("native", "rand4k", 1, 100),
                row("vosfs", "rand4k", 1, 50), row("vosfs", "rand4k", 1, 100), row("vosfs", "rand4k", 1, 50),
                // 16 clients: vos ran, native did not; nothing to compare
                row("vosfs", "rand4k", 16, 500));
        List<SweepChart.Point> line = StorageReport.sweep(sitting).get("rand4k").get("vos FileChannel");
        assertEquals(List.of(new SweepChart.Point(1, 0.5, 0.5, 0.5), new SweepChart.Point(4, 1.5, 1.0, 3.0)), line);
    }
}
