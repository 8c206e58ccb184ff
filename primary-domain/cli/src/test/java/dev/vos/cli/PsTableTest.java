package dev.vos.cli;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code vos ps}'s table, from the rows the control plane sends. */
class PsTableTest {

    private static final Instant NOW = Instant.parse("2026-12-07T11:00:00Z");

    @Test
    void theStandbyColumn_saysWhetherAPromotionWouldBeFast() {
        String table = PsTable.render(List.of(
                "storage0\tstorage\tRUNNING\t2\t4100\t2026-12-07T10:59:56Z\t1\tkilled by SIGKILL\t\tPARKED 4242",
                "net0\tnet\tRUNNING\t1\t4101\t2026-12-07T10:57:48Z\t0\t\t\tSTARTING 4243",
                "spare0\tstorage\tSTOPPED\t0\t-1\t2026-12-07T10:00:00Z\t0\t\tstopped\tNONE"), NOW);
        assertEquals("""
                NAME      KIND     STATE    GEN  PID   STANDBY        FOR    RESTARTS  LAST EXIT          REASON
                storage0  storage  RUNNING  2    4100  parked 4242    4s     1         killed by SIGKILL  -
                net0      net      RUNNING  1    4101  starting 4243  2m12s  0         -                  -
                spare0    storage  STOPPED  0    -     -              1h00m  0         -                  stopped""",
                table);
    }

    @Test
    void aRowWithoutTheStandbyField_fromAnOlderControlPlane_stillRenders() {
        String table = PsTable.render(List.of("storage0\tstorage\tRUNNING\t2\t4100\t2026-12-07T10:59:56Z\t1\t\t"),
                NOW);
        assertEquals("storage0  storage  RUNNING  2    4100  ?        4s   1         -          -",
                table.lines().toList().get(1));
    }
}
