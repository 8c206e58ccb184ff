package dev.vos.perf.sampling;

import dev.vos.perf.PerfException;
import dev.vos.perf.counting.JvmThreadNames;
import dev.vos.perf.flame.CollapsedStacks;
import dev.vos.perf.proc.ProcTasks;
import dev.vos.perf.symbols.Symbolizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code vos perf record}: sample a process for a while, then name the frames. Drains every ring each
 * {@link #DRAIN_INTERVAL_MS} ms (a 64 KiB ring holds roughly 60 ms of deep stacks at 1 kHz) and looks for new
 * threads every {@link #RESCAN_INTERVAL_MS} ms.
 *
 * @param stacks   what was sampled, symbolised
 * @param samples  samples decoded
 * @param lost     samples the kernel reported lost
 * @param threads  distinct threads sampled
 * @param perfMapSymbols JIT symbols found in the JVM's perf map (0: none; Java frames then show as "[anon]")
 * @param elapsed  how long it sampled
 * @param targetExited true when the target exited before the duration was up
 */
public record Recording(CollapsedStacks stacks, long samples, long lost, int threads, int perfMapSymbols,
                        Duration elapsed, boolean targetExited) {

    /** Milliseconds between drains of every ring. */
    public static final int DRAIN_INTERVAL_MS = 20;
    /** Milliseconds between rescans of /proc/PID/task. */
    public static final int RESCAN_INTERVAL_MS = 200;

    /** What sampling collected, before the frames are named. Closing it deletes the spooled samples. */
    public static final class Raw implements AutoCloseable {
        private final int pid;
        private final StackCounts counts;
        private final Map<Integer, String> names;
        private final Duration elapsed;
        private final boolean exited;
        private final Symbolizer symbols;
        private final SampleSpool spool;
        private final String event;

        private Raw(int pid, StackCounts counts, Map<Integer, String> names, Duration elapsed, boolean exited,
                    Symbolizer symbols, SampleSpool spool, String event) {
            this.symbols = symbols;
            this.pid = pid;
            this.counts = counts;
            this.names = names;
            this.elapsed = elapsed;
            this.exited = exited;
            this.spool = spool;
            this.event = event;
        }

        /** Samples per thread id. */
        public Map<Integer, Long> perThread() {
            return counts.perThread();
        }

        /**
         * Names the threads of a live JVM by their full Java names ({@code jcmd PID Thread.print}), where their comm
         * is cut to 15 characters; threads it does not know keep their comm.
         *
         * @return threads renamed
         */
        public int useJavaNames() {
            if (exited) {
                return 0;
            }
            Map<Integer, String> java = JvmThreadNames.dump(pid);
            int n = 0;
            for (Map.Entry<Integer, String> e : java.entrySet()) {
                if (names.containsKey(e.getKey())) {
                    names.put(e.getKey(), e.getValue());
                    n++;
                }
            }
            return n;
        }

        /**
         * Names the frames.
         *
         * @param askJvmForPerfMap run {@code jcmd PID Compiler.perfmap} first when the target is a live JVM, so its
         *                         JIT frames can be named
         */
        public Recording symbolize(boolean askJvmForPerfMap) {
            if (askJvmForPerfMap && !exited && ProcTasks.exeName(pid).equals("java")) {
                writeJvmPerfMap(pid);
            }
            symbols.reload();
            CollapsedStacks stacks = counts.collapse(symbols, this::threadName);
            return new Recording(stacks, counts.samples(), counts.lost(), counts.perThread().size(),
                    symbols.perfMapSymbols(), elapsed, exited);
        }

        private String threadName(int tid) {
            return names.getOrDefault(tid, "tid-" + tid);
        }

        /**
         * Writes every sample as {@code perf script} prints it ({@link PerfScriptWriter}); call after
         * {@link #symbolize}, which reads the JIT's perf map.
         *
         * @throws IllegalStateException when the samples were not kept ({@code keepSamples} false)
         */
        public void writePerfScript(Writer out) throws IOException {
            if (spool == null) {
                throw new IllegalStateException("the samples were not kept: sample with keepSamples");
            }
            PerfScriptWriter w = new PerfScriptWriter(out, symbols, this::threadName, event);
            spool.replay(w::write);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (spool != null) {
                spool.close();
            }
        }
    }

    /** Samples {@code pid} for {@code duration} (or until it exits), then names the frames. */
    public static Recording record(int pid, SamplerOptions options, Duration duration, boolean askJvmForPerfMap)
            throws PerfException, InterruptedException {
        return sample(pid, options, duration).symbolize(askJvmForPerfMap);
    }

    /** Samples {@code pid} for {@code duration} (or until it exits). */
    public static Raw sample(int pid, SamplerOptions options, Duration duration)
            throws PerfException, InterruptedException {
        try {
            return sample(pid, options, duration, false, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Samples {@code pid} for {@code duration} (or until it exits).
     *
     * @param keepSamples keep every sample (on disk) for {@link Raw#writePerfScript}
     * @param onAttached  run once every thread's sampling has started (to let a command started stopped go), or
     *                    null
     */
    public static Raw sample(int pid, SamplerOptions options, Duration duration, boolean keepSamples,
                             Runnable onAttached) throws PerfException, InterruptedException, IOException {
        StackCounts counts = new StackCounts();
        SampleSpool spool = keepSamples ? new SampleSpool(counts) : null;
        Map<Integer, String> names = new HashMap<>();
        long start = System.nanoTime();
        long end = duration.toNanos() >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : start + duration.toNanos();
        boolean exited;
        Symbolizer symbols;
        try (Sampler s = Sampler.attach(pid, options, spool != null ? spool : counts)) {
            if (onAttached != null) {
                onAttached.run();
            }
            // The maps are read as it goes, and the ELF files opened (on another thread: a JVM's take seconds on a
            // busy machine, and the rings must be drained meanwhile), so that a target that exits mid-recording can
            // still be symbolised from what was read while it lived.
            nameThreads(pid, names);
            symbols = new Symbolizer(pid);
            Thread preload = Thread.ofPlatform().name("vos-perf-symbols").daemon().start(symbols::preloadElves);
            long nextRescan = System.nanoTime() + RESCAN_INTERVAL_MS * 1_000_000L;
            while (System.nanoTime() < end && !s.targetExited()) {
                Thread.sleep(DRAIN_INTERVAL_MS);
                s.poll();
                if (System.nanoTime() >= nextRescan) {
                    s.rescan();
                    nameThreads(pid, names);
                    if (!preload.isAlive()) {
                        symbols.reloadMaps(); // the symboliser is not thread-safe: only once the preload is done
                    }
                    nextRescan += RESCAN_INTERVAL_MS * 1_000_000L;
                }
            }
            exited = s.targetExited();
            preload.join();
        } catch (PerfException | RuntimeException | InterruptedException e) {
            if (spool != null) {
                spool.close();
            }
            throw e;
        }
        return new Raw(pid, counts, names, Duration.ofNanos(System.nanoTime() - start), exited, symbols, spool,
                options.event().name());
    }

    private static void nameThreads(int pid, Map<Integer, String> names) {
        for (int tid : ProcTasks.tids(pid)) {
            names.computeIfAbsent(tid, t -> {
                String c = ProcTasks.comm(pid, t);
                return c == null ? "tid-" + t : c;
            });
        }
    }

    /** {@code jcmd PID Compiler.perfmap}: the JVM writes /tmp/perf-PID.map (JDK 17+). Best effort, 10 s at most. */
    static boolean writeJvmPerfMap(int pid) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Integer.toString(pid), "Compiler.perfmap").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
