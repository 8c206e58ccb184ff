package dev.vos.perf.sampling;

import dev.vos.perf.flame.FlameGraphSvg;
import dev.vos.perf.workload.WorkloadProcess;
import org.junit.jupiter.api.Test;

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
        // Frame pointers through JIT code, so the kernel's callchain walk gets past the first Java frame.
        try (WorkloadProcess w = WorkloadProcess.start(List.of("-XX:+PreserveFramePointer"), "burner:5000:0")) {
            w.send("go");
            Thread.sleep(100);
            int tid = dev.vos.perf.proc.ProcTasks.tids(w.pid()).stream()
                    .filter(t -> "burner".equals(dev.vos.perf.proc.ProcTasks.comm(w.pid(), t))).findFirst().orElseThrow();
            long ticks0 = dev.vos.perf.proc.ProcTasks.cpuTicks(w.pid(), tid);
            Recording.Raw raw = Recording.sample(w.pid(), SamplerOptions.DEFAULT, Duration.ofMillis(1200));
            long cpuMs = (dev.vos.perf.proc.ProcTasks.cpuTicks(w.pid(), tid) - ticks0) * 10; // USER_HZ = 100
            Recording r = raw.symbolize(true);
            System.out.printf("record: %d samples, %d lost, %d threads, %d perf-map symbols, %d stacks%n",
                    r.samples(), r.lost(), r.threads(), r.perfMapSymbols(), r.stacks().counts().size());
            // About one sample per ms of the thread's CPU time (the machine is shared: it may get far less than
            // 1.2 s). Loose on the low side: the tick window also covers the attach, which samples nothing; the
            // tight check of shares is SamplerTest's.
            assertTrue(r.samples() <= cpuMs * 1.2 + 30 && r.samples() >= cpuMs * 0.4,
                    "samples " + r.samples() + " vs burner's CPU ms " + cpuMs);
            System.out.print(top(r));
            assertTrue(r.perfMapSymbols() > 0, "jcmd Compiler.perfmap wrote the JVM's perf map");
            long burner = r.stacks().counts().entrySet().stream().filter(e -> e.getKey().startsWith("burner;"))
                    .mapToLong(Map.Entry::getValue).sum();
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

    private static String top(Recording r) {
        StringBuilder b = new StringBuilder();
        r.stacks().counts().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
                .forEach(e -> b.append(e.getValue()).append(' ').append(e.getKey()).append('\n'));
        return b.toString();
    }
}
