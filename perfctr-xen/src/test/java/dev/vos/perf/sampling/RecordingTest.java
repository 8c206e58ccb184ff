package dev.vos.perf.sampling;

import dev.vos.perf.flame.FlameGraphSvg;
import dev.vos.perf.workload.WorkloadProcess;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A whole record of a JVM: samples, JIT frames named through the JVM's perf map, collapsed stacks and an SVG. */
class RecordingTest {

    @Test
    void record_jvmBurningCpu_javaFramesNamedAndRootedAtTheThread() throws Exception {
        // Frame pointers through JIT code, so the kernel's callchain walk gets past the first Java frame. The long
        // name's 100 ms of CPU are spread over 400 sleeps of 1 ms: still running when sampling starts, even on an
        // idle machine (burnt at once, they were over before the sampler attached, and it had no samples).
        try (WorkloadProcess w = WorkloadProcess.start(List.of("-XX:+PreserveFramePointer"), "burner:5000:0",
                "a-thread-named-at-length:100:400")) {
            w.send("go");
            Thread.sleep(100);
            int tid = dev.vos.perf.proc.ProcTasks.tids(w.pid()).stream()
                    .filter(t -> "burner".equals(dev.vos.perf.proc.ProcTasks.comm(w.pid(), t))).findFirst()
                    .orElseThrow();
            long ticks0 = dev.vos.perf.proc.ProcTasks.cpuTicks(w.pid(), tid);
            Recording.Raw raw = Recording.sample(w.pid(), SamplerOptions.DEFAULT, Duration.ofMillis(1200), true, null);
            long cpuMs = (dev.vos.perf.proc.ProcTasks.cpuTicks(w.pid(), tid) - ticks0) * 10; // USER_HZ = 100
            assertTrue(raw.useJavaNames() >= 2, "the JVM named its threads in full");
            assertTrue(raw.perThread().size() >= 2, "both busy threads sampled: " + raw.perThread());
            Recording r = raw.symbolize(true);
            StringWriter script = new StringWriter();
            raw.writePerfScript(script);
            raw.close();
            assertTrue(script.toString().contains("\n\n"), "perf script's samples, one blank line apart");
            assertTrue(r.stacks().counts().keySet().stream().anyMatch(k -> k.startsWith("a-thread-named-at-length;")),
                    "its full Java name, not its 15-character comm 'a-thread-named-': " + top(r));
            assertTrue(r.stacks().counts().keySet().stream().anyMatch(k -> k.startsWith("burner;start_thread;")),
                    "libc's own start_thread named from its debug file, as perf names it: " + top(r));
            System.out.printf("record: %d samples, %d lost, %d threads, %d perf-map symbols, %d stacks%n",
                    r.samples(), r.lost(), r.threads(), r.perfMapSymbols(), r.stacks().counts().size());
            long burner = r.stacks().counts().entrySet().stream().filter(e -> e.getKey().startsWith("burner;"))
                    .mapToLong(Map.Entry::getValue).sum();
            // About one sample per ms of the burner's CPU time (the machine is shared: it may get far less than
            // 1.2 s). Loose on the low side: the tick window also covers the attach, which samples nothing; the
            // tight check of shares is SamplerTest's.
            assertTrue(burner <= cpuMs * 1.2 + 30 && burner >= cpuMs * 0.4,
                    "burner's samples " + burner + " vs its CPU ms " + cpuMs);
            System.out.print(top(r));
            assertTrue(r.perfMapSymbols() > 0, "jcmd Compiler.perfmap wrote the JVM's perf map");
            assertTrue(burner >= 0.8 * r.samples(), "the burner thread dominates: " + burner + "/" + r.samples());
            long inWork = r.stacks().counts().entrySet().stream()
                    .filter(e -> e.getKey().startsWith("burner;") && e.getKey().contains("Workload"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertTrue(inWork >= 0.5 * burner, "most burner samples name the workload's Java code: " + inWork
                    + "/" + burner + "\n" + top(r));
            Path svg = Files.createTempFile("flame", ".svg");
            FlameGraphSvg.write(r.stacks(), "test", svg);
            assertTrue(Files.readString(svg).contains("<title>burner ("));
            Files.delete(svg);
            assertEquals(false, r.targetExited());
        }
    }

    @Test
    void sample_threadsStartAndEndWhileRecording_eachIsSampledUnderItsName() throws Exception {
        try (WorkloadProcess w = WorkloadProcess.start(List.of(), "churn")) {
            w.send("go");
            Recording r = Recording.sample(w.pid(), SamplerOptions.DEFAULT, Duration.ofMillis(1500)).symbolize(false);
            long churnThreads = r.stacks().counts().keySet().stream().filter(k -> k.startsWith("churn-"))
                    .map(k -> k.substring(0, k.indexOf(';'))).distinct().count();
            // Each churn thread lives about 20 ms of CPU; rescans every 200 ms catch a good share of them.
            assertTrue(churnThreads >= 3, "distinct short-lived threads sampled: " + churnThreads);
        }
    }

    @Test
    void sample_targetExitsMidRecording_stopsEarlyAndKeepsWhatItHas() throws Exception {
        WorkloadProcess w = WorkloadProcess.start(List.of("-XX:+PreserveFramePointer"), "burner:5000:0");
        w.send("go");
        // The target exits 600 ms after sampling has started (from the call, a slow attach on a busy machine could
        // take longer than that: the target then exited before its maps were read).
        Runnable exitSoon = () -> Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(600);
                w.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long t0 = System.nanoTime();
        Recording r = Recording.sample(w.pid(), SamplerOptions.DEFAULT, Duration.ofSeconds(10), false, exitSoon)
                .symbolize(true);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(r.targetExited());
        assertTrue(ms < 5_000, "stopped when the target exited, not after 10 s: " + ms + " ms");
        assertTrue(r.samples() > 0 && r.stacks().total() == r.samples(), r.samples() + " samples");
        // Named from the maps and ELF files read while it lived.
        assertTrue(r.stacks().counts().keySet().stream().anyMatch(k -> k.contains("thread_native_entry")),
                "libjvm frames named after the exit: " + r.stacks().counts().keySet().stream().limit(3).toList());
    }

    private static String top(Recording r) {
        StringBuilder b = new StringBuilder();
        r.stacks().counts().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
                .forEach(e -> b.append(e.getValue()).append(' ').append(e.getKey()).append('\n'));
        return b.toString();
    }
}
