package dev.vos.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code vos perf stat} with no {@code -e} counts what {@code perf stat} counts with none, in its order: the same rows
 * for a perf user, and the same kernel work per context switch when the two are compared.
 */
@Timeout(60)
class DefaultEventsTest {

    @Test
    void theDefaultEvents_areTheReferenceToolsDefaults_inItsOrder() throws Exception {
        Process p = new ProcessBuilder(ReferencePerf.binary(), "stat", "-x", ",", "--", "true").start();
        // perf stat writes its counts to stderr
        String csv = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "perf stat ended");
        assertEquals(0, p.exitValue(), csv);
        // -x, rows: value,unit,event,run time,percentage,metric,metric unit
        List<String> theirs = csv.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split(",", -1)[2]).toList();
        List<String> ours = PerfEvent.DEFAULT_COUNTING.stream().map(PerfEvent::perfName).toList();
        assertEquals(theirs, ours);
    }
}
