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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every thread of the target is counted from attach to the end, against {@code perf stat --per-thread} on the same
 * window: 20 threads that each start and end between two polls, and one started after attaching.
 */
class EveryThreadTest {

    /** The goal for every row and the total: 1 %. */
    static final double TOLERANCE = 0.01;

    @Test
    void poll_shortAndLateThreads_processRowsAndCreatorsAgreeWithPerfStatPerThread() throws Exception {
        String perf = ReferencePerf.binary();
        Path out = Files.createTempFile("perf-stat", ".csv");
        try (WorkloadProcess w = WorkloadProcess.start(List.of(), "work-a:300:0", "spawn:20:5:200")) {
            Process ref = new ProcessBuilder(perf, "stat", "--per-thread", "-x,", "-e", "task-clock",
                    "-p", Integer.toString(w.pid()), "-o", out.toString()).redirectErrorStream(true).start();
            Map<Integer, ThreadReading> last = new HashMap<>();
            long process = 0;
            try (CounterCollector c = CounterCollector.attach(w.pid(), List.of(PerfEvent.TASK_CLOCK),
                    ThreadNamer.COMM)) {
                assertTrue(c.tracking(), "threads created later get rows of their own: " + c.trackingNote());
                Thread.sleep(800);
                w.send("go");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                int done = 0;
                while (done < 2 && System.nanoTime() < deadline) {
                    for (int i = 0; i < 20; i++) {
                        Thread.sleep(10);
                        c.track(); // as vos perf stat does between polls
                    }
                    Interval iv = c.poll();
                    iv.threads().forEach(t -> last.put(t.tid(), t));
                    process += iv.process().getFirst().delta();
                    done += w.doneSoFar();
                }
                Thread.sleep(50);
                Linux.kill(ref.pid(), 2);
                Interval end = c.poll();
                end.threads().forEach(t -> last.put(t.tid(), t));
                process += end.process().getFirst().delta();
                assertTrue(ref.waitFor(10, TimeUnit.SECONDS), "perf stat did not stop on SIGINT");
            } finally {
                ref.destroyForcibly();
            }
            Map<Integer, Double> theirs = ReferencePerf.parsePerThread(Files.readString(out))
                    .getOrDefault("task-clock", Map.of());
            double perfTotal = theirs.values().stream().mapToDouble(Double::doubleValue).sum();
            assertEquals(perfTotal, process, perfTotal * TOLERANCE, "the process's counts: " + process);
            ThreadReading workA = named(last, "work-a");
            ThreadReading spawner = named(last, "spawner");
            ThreadReading late = named(last, "late");
            assertTrue(late.total(PerfEvent.TASK_CLOCK) >= 0.8 * 200e6, "the late thread has a row of its own,"
                    + " counted from within a few ms of its start: " + late);
            // perf counts a thread in the row of the thread it descends from; so does vos, until it finds it.
            double spawnerAndChildren = last.values().stream().filter(t -> t.name().equals("spawner")
                    || t.name().equals("late") || t.name().startsWith("short-"))
                    .mapToLong(t -> t.total(PerfEvent.TASK_CLOCK)).sum();
            assertEquals(theirs.get(workA.tid()), workA.total(PerfEvent.TASK_CLOCK),
                    theirs.get(workA.tid()) * TOLERANCE, "work-a");
            assertEquals(theirs.get(spawner.tid()), spawnerAndChildren, theirs.get(spawner.tid()) * TOLERANCE,
                    "spawner and the threads it started");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static ThreadReading named(Map<Integer, ThreadReading> rows, String name) {
        return rows.values().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no row named " + name + ": " + rows.values()));
    }

    @Test
    void poll_threadsShorterThanAnInterval_allCountedAsPerfStatCountsThem() throws Exception {
        String perf = ReferencePerf.binary();
        Path out = Files.createTempFile("perf-stat", ".csv");
        // work-a: there at attach, 300 ms. spawner: there at attach; on go, 20 threads of 5 ms one after the other,
        // then one of 200 ms ("late"). Polls every 200 ms: each short thread starts and ends between two of them.
        try (WorkloadProcess w = WorkloadProcess.start(List.of(), "work-a:300:0", "spawn:20:5:200")) {
            Process ref = new ProcessBuilder(perf, "stat", "--per-thread", "-x,", "-e", "task-clock",
                    "-p", Integer.toString(w.pid()), "-o", out.toString()).redirectErrorStream(true).start();
            Map<Integer, ThreadReading> last = new HashMap<>();
            try (CounterCollector c = CounterCollector.attach(w.pid(), List.of(PerfEvent.TASK_CLOCK),
                    ThreadNamer.COMM)) {
                Thread.sleep(800); // perf stat has attached (it prints nothing until the end, so wait)
                w.send("go");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                int done = 0;
                while (done < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    c.poll().threads().forEach(t -> last.put(t.tid(), t));
                    done += w.doneSoFar();
                }
                assertEquals(2, done, "both work-a and the spawner finished");
                Thread.sleep(50);
                Linux.kill(ref.pid(), 2); // SIGINT: perf stat prints its counts and exits
                Interval end = c.poll();
                end.threads().forEach(t -> last.put(t.tid(), t));
                assertTrue(ref.waitFor(10, TimeUnit.SECONDS), "perf stat did not stop on SIGINT");
            } finally {
                ref.destroyForcibly();
            }
            Map<Integer, Double> theirs = ReferencePerf.parsePerThread(Files.readString(out))
                    .getOrDefault("task-clock", Map.of());
            double perfTotal = theirs.values().stream().mapToDouble(Double::doubleValue).sum();
            double mineTotal = last.values().stream().mapToLong(t -> t.total(PerfEvent.TASK_CLOCK)).sum();
            System.out.printf("every thread: task-clock %.2f ms (sum of %d rows) vs perf %.2f ms (%d rows)%n",
                    mineTotal / 1e6, last.size(), perfTotal / 1e6, theirs.size());
            assertTrue(perfTotal >= 590e6, "the workload burnt 300 + 20 x 5 + 200 ms: " + perfTotal);
            assertEquals(perfTotal, mineTotal, perfTotal * TOLERANCE, "sum of the rows, ms: " + mineTotal / 1e6
                    + " vs perf's " + perfTotal / 1e6 + "\n" + Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
