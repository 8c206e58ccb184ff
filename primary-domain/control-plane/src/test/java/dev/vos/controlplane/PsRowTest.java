package dev.vos.controlplane;

import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
import dev.vos.controlplane.supervisor.StandbyState;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The row {@code vos ps} receives per domain: the nine old fields first, the standby last. */
class PsRowTest {

    private static final DomainStatus RUNNING = new DomainStatus("storage0", "storage", DomainState.RUNNING, 2, 4100,
            Instant.parse("2026-12-07T10:59:56Z"), 1, "killed by SIGKILL", "");

    @Test
    void theStandby_isTheLastField_withItsPidOnceKnown() {
        assertEquals("storage0\tstorage\tRUNNING\t2\t4100\t2026-12-07T10:59:56Z\t1\tkilled by SIGKILL\t\tNONE",
                ControlPlane.row(RUNNING));
        assertEquals("PARKED 4242", last(ControlPlane.row(RUNNING.withStandby(StandbyState.PARKED, 4242))));
        assertEquals("STARTING 4243", last(ControlPlane.row(RUNNING.withStandby(StandbyState.STARTING, 4243))));
        assertEquals("STARTING", last(ControlPlane.row(RUNNING.withStandby(StandbyState.STARTING, -1))),
                "a standby whose JVM's pid is not known yet");
    }

    private static String last(String row) {
        String[] fields = row.split("\t", -1);
        assertEquals(10, fields.length, row);
        return fields[9];
    }
}
