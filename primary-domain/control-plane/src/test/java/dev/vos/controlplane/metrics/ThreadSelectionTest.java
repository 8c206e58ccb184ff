package dev.vos.controlplane.metrics;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The choice of threads with series of their own holds still while rankings jitter, and stays bounded. */
class ThreadSelectionTest {

    private static final long MS = 1_000_000;

    @Test
    void update_ranksJitter_theSelectionNeverChanges() {
        ThreadSelection selection = new ThreadSelection(2);
        Random random = new Random(15);
        Set<String> first = null;
        for (int i = 0; i < 200; i++) {
            // three threads within 30% of one another, their order changing from one interval to the next
            Map<String, Long> cpu = Map.of("worker-0", jitter(random, 100), "worker-1", jitter(random, 90),
                    "worker-2", jitter(random, 80));
            Set<String> now = selection.update(cpu);
            if (first == null) {
                first = now;
            }
            assertEquals(first, now, "interval " + i);
        }
    }

    @Test
    void update_aThreadBusyForOneInterval_takesNoPlace() {
        ThreadSelection selection = new ThreadSelection(2);
        for (int i = 0; i < 20; i++) {
            selection.update(Map.of("a", 100 * MS, "b", 100 * MS));
        }
        // A JIT thread's burst: five times as busy as either holder, for one interval.
        Set<String> now = selection.update(Map.of("a", 100 * MS, "b", 100 * MS, "C2 CompilerThre", 500 * MS));
        assertEquals(Set.of("a", "b"), now);
    }

    @Test
    void update_aHolderThatEnds_isReplacedByABusyThread() {
        ThreadSelection selection = new ThreadSelection(2);
        for (int i = 0; i < 20; i++) {
            selection.update(Map.of("a", 100 * MS, "b", 100 * MS, "c", 10 * MS));
        }
        int intervals = 0;
        Set<String> now;
        do {
            now = selection.update(Map.of("b", 100 * MS, "c", 10 * MS)); // "a" ended
            intervals++;
        } while (now.contains("a") && intervals < 100);
        assertEquals(Set.of("b", "c"), now);
        assertTrue(intervals <= 15, "replaced after " + intervals + " intervals");
    }

    @Test
    void update_freePlacesFillAtOnce() {
        ThreadSelection selection = new ThreadSelection(3);
        assertEquals(Set.of("a", "b"), selection.update(Map.of("a", 5 * MS, "b", MS, "idle", 0L)));
    }

    @Test
    void update_manyThreadsComingAndGoing_neverMoreThanCapacity_andFewEverChosen() {
        ThreadSelection selection = new ThreadSelection(4);
        Random random = new Random(16);
        Set<String> everChosen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            Map<String, Long> cpu = new HashMap<>();
            for (int w = 0; w < 4; w++) {
                cpu.put("vos-worker-" + w, jitter(random, 50));
            }
            if (i >= 3) {
                // short-lived pool threads, a new name every interval, each as busy as a worker for one interval
                cpu.put("pool-thread-" + i, jitter(random, 50));
            }
            Set<String> now = selection.update(cpu);
            assertTrue(now.size() <= 4, now.toString());
            everChosen.addAll(now);
        }
        assertEquals(Set.of("vos-worker-0", "vos-worker-1", "vos-worker-2", "vos-worker-3"), everChosen);
    }

    @Test
    void capacityZero_selectsNothing_andANegativeOneIsRefused() {
        assertTrue(new ThreadSelection(0).update(Map.of("a", MS)).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new ThreadSelection(-1));
        assertFalse(new ThreadSelection(1).update(Map.of("a", MS)).isEmpty());
    }

    private static long jitter(Random random, long ms) {
        return (long) (ms * MS * (0.85 + 0.3 * random.nextDouble()));
    }
}
