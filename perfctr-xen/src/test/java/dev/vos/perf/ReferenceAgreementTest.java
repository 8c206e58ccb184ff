package dev.vos.perf;

import dev.vos.perf.counting.CounterCollector;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.counting.ThreadNamer;
import dev.vos.perf.counting.ThreadReading;
import dev.vos.perf.workload.WorkloadProcess;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The collector against {@code perf stat --per-thread} on the same threads over the same window. Tolerances:
 * task-clock within 10 % (both read the same kernel counter; the difference is only the few ms between the two
 * tools' attach and read times), context switches within 10 % or 5 switches, whichever is larger.
 */
class ReferenceAgreementTest {

    static final double TASK_CLOCK_TOLERANCE = 0.10;
    static final double CS_TOLERANCE = 0.10;
    static final int CS_SLACK = 5;

    @Test
    void perThreadTaskClockAndContextSwitches_agreeWithPerfStat() throws Exception {
        String perf = ReferencePerf.binary();
        Path out = Files.createTempFile("perf-stat", ".csv");
        // Three threads: CPU-heavy with no sleeps, middling with 40 sleeps, light with 150 sleeps.
        try (WorkloadProcess w = WorkloadProcess.start(List.of(), "work-a:300:0", "work-b:150:40", "work-c:60:150")) {
            Process ref = new ProcessBuilder(perf, "stat", "--per-thread", "-x,", "-e", "task-clock,context-switches",
                    "-p", Integer.toString(w.pid()), "-o", out.toString()).redirectErrorStream(true).start();
            try (CounterCollector c = CounterCollector.attach(w.pid(),
                    List.of(PerfEvent.TASK_CLOCK, PerfEvent.CONTEXT_SWITCHES), ThreadNamer.COMM)) {
                Thread.sleep(800); // perf stat has attached (it prints nothing until the end, so wait)
                w.send("go");
                w.awaitDone(3);
                Thread.sleep(50);
                Linux.kill(ref.pid(), 2); // SIGINT: perf stat prints its counts and exits
                Interval mine = totals(c);
                assertTrue(ref.waitFor(10, TimeUnit.SECONDS), "perf stat did not stop on SIGINT");
                Map<String, Map<Integer, Double>> theirs = ReferencePerf.parsePerThread(Files.readString(out));
                Map<String, ThreadReading> byName = new HashMap<>();
                mine.threads().forEach(t -> byName.put(t.name(), t));
                for (String name : List.of("work-a", "work-b", "work-c")) {
                    ThreadReading t = byName.get(name);
                    assertNotNull(t, "collector did not see thread " + name + ": " + byName.keySet());
                    Double refClock = theirs.getOrDefault("task-clock", Map.of()).get(t.tid());
                    Double refCs = theirs.getOrDefault("context-switches", Map.of()).get(t.tid());
                    assertNotNull(refClock, "perf stat has no task-clock for " + name + "/" + t.tid() + ":\n"
                            + Files.readString(out));
                    assertNotNull(refCs, "perf stat has no context-switches for " + name);
                    double clock = t.total(PerfEvent.TASK_CLOCK);
                    System.out.printf("agreement %s: task-clock %.1f ms vs perf %.1f ms; cs %d vs perf %.0f%n", name,
                            clock / 1e6, refClock / 1e6, t.total(PerfEvent.CONTEXT_SWITCHES), refCs);
                    assertEquals(refClock, clock, refClock * TASK_CLOCK_TOLERANCE,
                            name + " task-clock ns: collector " + clock + " vs perf " + refClock);
                    double cs = t.total(PerfEvent.CONTEXT_SWITCHES);
                    assertEquals(refCs, cs, Math.max(CS_SLACK, refCs * CS_TOLERANCE),
                            name + " context switches: collector " + cs + " vs perf " + refCs);
                }
                // And both against what the workload was told to do, so that agreeing on nothing cannot pass.
                assertTrue(byName.get("work-a").total(PerfEvent.TASK_CLOCK) >= 290e6, "work-a burnt 300 ms");
                assertTrue(byName.get("work-c").total(PerfEvent.CONTEXT_SWITCHES) >= 150, "work-c slept 150 times");
            } finally {
                ref.destroyForcibly();
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static Interval totals(CounterCollector c) {
        return c.poll();
    }
}
