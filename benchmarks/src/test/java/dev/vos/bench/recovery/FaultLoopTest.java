package dev.vos.bench.recovery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short form of the fault loop ({@link FaultLoop}): 20 SIGKILLs and 3 SIGSTOPs of a storage domain under four
 * fsync'ing writers. Nothing acknowledged is lost, nothing lands in another writer's file or at another place,
 * every fault is recovered from, and no single call takes 5 s or more.
 */
class FaultLoopTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void killsAndStops_underFsyncingWriters_loseNothingAcknowledged_misplaceNothing_andNoCallHangs() throws Exception {
        FaultLoop.Options options = new FaultLoop.Options(20, 3, 4, 500);
        double[] load0 = FaultLoop.loadAverage();
        FaultLoop.Result r = FaultLoop.run(options, dir, new PrintStream(System.out, true));
        System.out.println(FaultLoop.report(options, r, load0, FaultLoop.loadAverage()));
        assertEquals(23, r.faults().size());
        assertEquals(23, r.recoveries(), "every fault is followed by every writer writing again");
        assertTrue(r.acknowledged() > 23 * 4, "too few records to mean anything: " + r.acknowledged());
        assertEquals(0, r.lost(), "acknowledged records not on disk as written");
        assertEquals(0, r.misplaced(), "records in another writer's file or at another place");
        assertTrue(r.longestCallMs() < 5_000, "a call took " + r.longestCallMs() + " ms");
    }
}
