package dev.vos.perf.sampling;

import dev.vos.perf.proc.ProcTasks;
import dev.vos.perf.ring.RecordHandler;
import dev.vos.perf.ring.Sample;
import dev.vos.perf.workload.WorkloadProcess;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sampling a real process: each thread's share of the samples against its share of the CPU time the kernel
 * accounts for it (utime + stime in /proc/PID/task/TID/stat, an independent measure). cpu-clock samples are taken
 * on each thread's own CPU time, so the shares agree within a few points; the tolerance is 5 points absolute.
 */
class SamplerTest {

    static final double SHARE_TOLERANCE = 0.05;

    @Test
    void sampledThreadShares_agreeWithEachThreadsCpuTime() throws Exception {
        try (WorkloadProcess w = WorkloadProcess.start(List.of(), "s-a:600:0", "s-b:300:0", "s-c:150:0")) {
            Map<Integer, Long> perTid = new HashMap<>();
            RecordHandler h = new RecordHandler() {
                public void onSample(Sample s) {
                    perTid.merge(s.tid(), 1L, Long::sum);
                }

                public void onLost(long n) {
                }
            };
            Map<String, Integer> tidOf = new HashMap<>();
            Map<String, Long> ticks0 = new HashMap<>();
            for (int tid : ProcTasks.tids(w.pid())) {
                String name = ProcTasks.comm(w.pid(), tid);
                if (name.startsWith("s-")) {
                    tidOf.put(name, tid);
                    ticks0.put(name, ProcTasks.cpuTicks(w.pid(), tid));
                }
            }
            try (Sampler s = Sampler.attach(w.pid(), SamplerOptions.DEFAULT, h)) {
                w.send("go");
                java.util.concurrent.CompletableFuture<Void> done = java.util.concurrent.CompletableFuture.runAsync(
                        () -> {
                            try {
                                w.awaitDone(3);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (!done.isDone() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                    s.poll();
                }
                done.get();
                s.poll();
                assertEquals(0, s.lost(), "nothing lost at 1 kHz with 64 KiB rings and 20 ms polls");
                long sampled = tidOf.values().stream().mapToLong(t -> perTid.getOrDefault(t, 0L)).sum();
                long ticks = tidOf.keySet().stream().mapToLong(n -> ProcTasks.cpuTicks(w.pid(), tidOf.get(n))
                        - ticks0.get(n)).sum();
                // 1050 ms of CPU at 1 kHz: about 1050 samples.
                assertTrue(sampled >= 800 && sampled <= 1300, "samples of the three threads: " + sampled);
                for (String n : List.of("s-a", "s-b", "s-c")) {
                    double sampleShare = perTid.getOrDefault(tidOf.get(n), 0L) / (double) sampled;
                    double cpuShare = (ProcTasks.cpuTicks(w.pid(), tidOf.get(n)) - ticks0.get(n)) / (double) ticks;
                    System.out.printf("sampling %s: %.3f of samples vs %.3f of CPU time (%d samples, %d ticks)%n", n,
                            sampleShare, cpuShare, perTid.getOrDefault(tidOf.get(n), 0L),
                            ProcTasks.cpuTicks(w.pid(), tidOf.get(n)) - ticks0.get(n));
                }
                for (String n : List.of("s-a", "s-b", "s-c")) {
                    double sampleShare = perTid.getOrDefault(tidOf.get(n), 0L) / (double) sampled;
                    double cpuShare = (ProcTasks.cpuTicks(w.pid(), tidOf.get(n)) - ticks0.get(n)) / (double) ticks;
                    assertEquals(cpuShare, sampleShare, SHARE_TOLERANCE, n + " share");
                }
            }
        }
    }

    @Test
    void lostSamples_ringTooSmallAndDrainedLate_areCountedAndAccountForTheGap() throws Exception {
        try (WorkloadProcess w = WorkloadProcess.start(List.of(), "s-a:400:0")) {
            long[] got = new long[1];
            RecordHandler h = new RecordHandler() {
                public void onSample(Sample s) {
                    got[0]++;
                }

                public void onLost(long n) {
                }
            };
            // One 4 KiB page of data holds a few dozen samples: not draining for 250 ms overflows it. The kernel
            // writes its LOST record once there is room again, so keep draining while the thread still runs.
            try (Sampler s = Sampler.attach(w.pid(), SamplerOptions.DEFAULT.withDataPages(1), h)) {
                w.send("go");
                Thread.sleep(250);
                java.util.concurrent.CompletableFuture<Void> done = java.util.concurrent.CompletableFuture.runAsync(
                        () -> {
                            try {
                                w.awaitDone(1);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                while (!done.isDone()) {
                    Thread.sleep(5);
                    s.poll();
                }
                s.poll();
                System.out.printf("lost: %d samples decoded, %d reported lost%n", got[0], s.lost());
                assertTrue(s.lost() > 0, "the overflow was reported");
                assertEquals(got[0], s.samples());
                // Decoded + lost is every sample of 400 ms at 1 kHz (give or take the boundaries).
                assertEquals(400, s.samples() + s.lost(), 40);
            }
        }
    }
}
