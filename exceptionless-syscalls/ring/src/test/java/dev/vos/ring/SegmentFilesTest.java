package dev.vos.ring;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class SegmentFilesTest {

    private static final long PID = ProcessHandle.current().pid();

    @Test
    void path_isInDevShm_namedByOwnerPidAndTag() {
        assertEquals(Path.of("/dev/shm/vos-storage0-" + PID + "-g2-7"), SegmentFiles.path("storage0", "g2-7"));
        assertEquals("vos-demo-" + PID + "-", SegmentFiles.namePrefix("demo"));
        assertTrue(SegmentFiles.path("demo", "g1").getFileName().toString()
                .startsWith(SegmentFiles.namePrefix("demo")));
    }

    @Test
    void path_refusesPartsThatWouldLeaveTheFolder() {
        assertEquals("owner='../etc': must be non-empty, without '/'",
                assertThrows(IllegalArgumentException.class, () -> SegmentFiles.path("../etc", "x")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SegmentFiles.path("test", "a/b"));
        assertThrows(IllegalArgumentException.class, () -> SegmentFiles.path("test", ""));
    }
}
