package dev.vos.perf.counting;

import dev.vos.perf.EventSpec;
import dev.vos.perf.PerfEvent;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multiplexed counts are scaled as perf scales them, and marked. There is no PMU here, so no counter ever
 * multiplexes for real: this checks the arithmetic the hardware path uses.
 */
class ScalingTest {

    @Test
    void scale_counterOnThePmuAQuarterOfTheTime_estimatesFourTimesTheRaw() {
        double f = ThreadCounters.runningFraction(4_000_000, 1_000_000);
        assertEquals(0.25, f);
        assertEquals(4_000, ThreadCounters.scale(1_000, f));
        assertTrue(new CounterReading(EventSpec.of(PerfEvent.CYCLES), 0, 4_000, 0, f, 0).multiplexed());
    }

    @Test
    void scale_counterAlwaysOn_isTheRawValueAndNotMarked() {
        double f = ThreadCounters.runningFraction(5_000, 5_000);
        assertEquals(1.0, f);
        assertEquals(1_234, ThreadCounters.scale(1_234, f));
        assertFalse(new CounterReading(EventSpec.of(PerfEvent.TASK_CLOCK), 0, 1_234, 0, f, 0).multiplexed());
    }

    @Test
    void scale_counterNeverScheduled_isZeroNotInfinite() {
        double f = ThreadCounters.runningFraction(5_000, 0);
        assertEquals(0.0, f);
        assertEquals(0, ThreadCounters.scale(77, f));
    }

    @Test
    void runningFraction_noTimeEnabledInTheInterval_countsAsFull() {
        assertEquals(1.0, ThreadCounters.runningFraction(0, 0));
        assertEquals(1.0, ThreadCounters.runningFraction(100, 150), "clamped: running never exceeds enabled");
    }
}
