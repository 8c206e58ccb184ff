package dev.vos.perf;

import dev.vos.perf.counting.CounterCollector;
import dev.vos.perf.counting.EventAvailability;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.counting.ThreadNamer;
import dev.vos.perf.counting.ThreadReading;
import dev.vos.perf.workload.WorkloadProcess;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Threads that come and go, a target that exits, an event the machine lacks, a pid that does not exist. */
class CollectorLifecycleTest {

    private static final List<PerfEvent> SW = List.of(PerfEvent.TASK_CLOCK, PerfEvent.CONTEXT_SWITCHES);

    @Test
    void poll_threadsStartAndEnd_eachIsFollowedAndReadToItsEnd() throws Exception {
        try (WorkloadProcess w = WorkloadProcess.start(List.of(), "churn");
             CounterCollector c = CounterCollector.attach(w.pid(), SW, ThreadNamer.COMM)) {
            w.send("go");
            int started = 0;
            int ended = 0;
            List<ThreadReading> endedChurn = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                Thread.sleep(100);
                Interval iv = c.poll();
                started += iv.threadsStarted();
                ended += iv.threadsEnded();
                iv.threads().stream().filter(t -> t.ended() && t.name().startsWith("churn-")).forEach(endedChurn::add);
            }
            // Each churn thread lives about 20 ms of CPU: with 100 ms polls, many are found, many end.
            assertTrue(started >= 3, "threads found while running: " + started);
            assertTrue(ended >= 3, "threads seen ending: " + ended);
            assertFalse(endedChurn.isEmpty(), "an ended churn thread was read to its end");
            for (ThreadReading t : endedChurn) {
                // Counting starts when the thread is found, so at most its 20 ms (plus JVM start-up and exit work).
                assertTrue(t.total(PerfEvent.TASK_CLOCK) <= 40_000_000L,
                        t.name() + " " + t.total(PerfEvent.TASK_CLOCK));
            }
            assertTrue(endedChurn.stream().anyMatch(t -> t.total(PerfEvent.TASK_CLOCK) > 1_000_000L),
                    "some ended thread was counted while it burnt CPU: " + endedChurn);
        }
    }

    @Test
    void poll_targetExits_lastIntervalSaysSoAndLaterPollsAreEmpty() throws Exception {
        WorkloadProcess w = WorkloadProcess.start(List.of(), "work-a:100:5");
        try (CounterCollector c = CounterCollector.attach(w.pid(), SW, ThreadNamer.COMM)) {
            int threads = c.threadCount();
            w.send("go");
            w.awaitDone(1);
            w.close(); // "exit", waited for
            Interval last = c.poll();
            assertTrue(last.targetExited());
            assertEquals(threads, last.threadsEnded());
            ThreadReading a = last.threads().stream().filter(t -> t.name().equals("work-a")).findFirst().orElseThrow();
            assertTrue(a.ended());
            assertTrue(a.total(PerfEvent.TASK_CLOCK) >= 95_000_000L, "final count read after exit: " + a);
            assertEquals(0, c.threadCount());
            Interval after = c.poll();
            assertTrue(after.targetExited());
            assertTrue(after.threads().isEmpty());
        }
    }

    @Test
    void attach_hardwareEvents_areCountedWhereThereIsAPmuAndOtherwiseExplained() throws Exception {
        try (WorkloadProcess w = WorkloadProcess.start(List.of(), "work-a:150:0");
             CounterCollector c = CounterCollector.attach(w.pid(),
                     List.of(PerfEvent.TASK_CLOCK, PerfEvent.CYCLES, PerfEvent.INSTRUCTIONS), ThreadNamer.COMM)) {
            w.send("go");
            w.awaitDone(1);
            Interval iv = c.poll();
            ThreadReading a = iv.threads().stream().filter(t -> t.name().equals("work-a")).findFirst().orElseThrow();
            assertTrue(a.total(PerfEvent.TASK_CLOCK) >= 140_000_000L);
            for (EventAvailability e : c.availability().subList(1, 3)) {
                if (e.available()) {
                    // A PMU: the hardware group counted the burn (at least one cycle/instruction per ns is far
                    // below any real CPU; multiplexed counts are scaled, so they are comparable).
                    assertTrue(a.get(e.event()).total() > 50_000_000L, e.event() + " " + a.get(e.event()));
                } else {
                    assertTrue(e.reason().startsWith("not supported: no hardware PMU"), e.reason());
                    assertEquals(null, a.get(e.event()));
                }
            }
        }
    }

    @Test
    void attach_noSuchPid_saysSoInOneLine() {
        // pid_max is at most 2^22: this pid cannot exist.
        NoSuchProcessException e = assertThrows(NoSuchProcessException.class,
                () -> CounterCollector.attach(4_194_305, SW, ThreadNamer.COMM));
        assertEquals("no such process: pid 4194305 (not in /proc; it may have exited)", e.getMessage());
        assertThrows(NoSuchProcessException.class, () -> CounterCollector.attach(-1, SW, ThreadNamer.COMM));
    }

    @Test
    void parse_unknownEvent_namesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PerfEvent.parse("cylces"));
        assertTrue(e.getMessage().startsWith("unknown event 'cylces'; known: task-clock, "), e.getMessage());
        assertEquals(PerfEvent.CONTEXT_SWITCHES, PerfEvent.parse("cs"));
    }
}
