package dev.vos.cli;

import dev.vos.perf.EventSpec;
import dev.vos.perf.PerfException;
import dev.vos.perf.flame.FlameGraphSvg;
import dev.vos.perf.sampling.Recording;
import dev.vos.perf.sampling.SamplerOptions;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One {@code vos perf record}: checks the outputs can be written, samples the target (a command until it exits, a
 * process for {@code --duration}), names the frames, and writes OUT.perf.txt ({@code perf script}'s text),
 * OUT.collapsed and OUT.svg. No {@code perf.data}: its format (attributes, ids, MMAP and COMM records, build-id
 * tables) exists for perf's own tools, and the text is what the flame-graph tools read.
 */
final class RecordRun {

    /** How long a command may run when sampled with no {@code --duration}: until it exits. */
    static final Duration UNTIL_EXIT = Duration.ofDays(3650);

    private RecordRun() {
    }

    static int run(PerfCommand.Record r, PrintWriter out) throws Exception {
        PerfTarget t = r.target.resolve(r.state, false);
        if (!t.tids().isEmpty() || t.pids().size() > 1) {
            throw new IllegalArgumentException("record samples one process: give -p PID, --domain NAME or a command");
        }
        SamplerOptions options = options(r);
        Path txt = Path.of(r.output + ".perf.txt");
        Path collapsed = Path.of(r.output + ".collapsed");
        Path svg = Path.of(r.output + ".svg");
        // Checked before sampling, not after ten seconds of it: every output is created now.
        for (Path p : new Path[]{txt, collapsed, svg}) {
            checkWritable(p);
        }
        boolean command = !t.command().isEmpty();
        Process child = command ? t.startStopped() : null;
        int pid = command ? (int) child.pid() : t.pids().getFirst();
        out.printf("# vos perf record: %s%s, %s at %s per thread%n", command ? t.title() : "pid " + pid,
                t.domain().isEmpty() ? "" : " (domain " + t.domain() + ")", options.event().name(),
                options.frequency() ? options.rate() + " Hz" : "1 in " + options.rate() + " events");
        out.flush();
        Duration duration = r.duration != null ? r.duration : command ? UNTIL_EXIT : Duration.ofSeconds(10);
        Recording rec;
        int status = 0;
        try (Recording.Raw raw = Recording.sample(pid, options, duration, true,
                child == null ? null : () -> PerfTarget.resume(child))) {
            if (r.javaNames) {
                raw.useJavaNames();
            }
            rec = raw.symbolize(!r.noJitMap);
            try (Writer w = Files.newBufferedWriter(txt)) {
                raw.writePerfScript(w);
            }
            rec.stacks().write(collapsed);
            FlameGraphSvg.write(rec.stacks(), "vos perf record: " + (command ? t.title() : "pid " + pid)
                    + (t.domain().isEmpty() ? "" : " (" + t.domain() + ")") + ", " + rec.samples() + " samples", svg);
        } catch (IOException e) {
            throw new PerfException("cannot write " + r.output + ".*: " + reason(e));
        } finally {
            if (child != null) {
                status = finish(child);
            }
        }
        out.printf(Locale.ROOT, "# %,d samples from %d threads in %.1f s, %,d lost%s; %d JIT symbols from the"
                + " JVM's perf map%n", rec.samples(), rec.threads(), rec.elapsed().toMillis() / 1000.0, rec.lost(),
                rec.targetExited() ? "; the target exited" : "", rec.perfMapSymbols());
        out.printf("# wrote %s, %s and %s%n", txt, collapsed, svg);
        return status;
    }

    /** perf record's -e, -F, -c, -g and --call-graph, checked. */
    static SamplerOptions options(PerfCommand.Record r) {
        if (r.frequency != null && r.period != null) {
            throw new IllegalArgumentException("-F (a frequency) and -c (a period) both set the sampling rate:"
                    + " give one");
        }
        SamplerOptions o = SamplerOptions.DEFAULT;
        if (r.event != null) {
            o = o.withEvent(EventSpec.parse(r.event));
        }
        if (r.frequency != null) {
            o = o.withFrequency(r.frequency);
        }
        if (r.period != null) {
            o = o.withPeriod(r.period);
        }
        if (r.callGraph != null) {
            String mode = r.callGraph.strip().toLowerCase(Locale.ROOT);
            switch (mode.contains(",") ? mode.substring(0, mode.indexOf(',')) : mode) {
                case "fp" -> o = o.withCallchain(true);
                case "no", "none" -> o = o.withCallchain(false);
                case "dwarf", "lbr" -> throw new IllegalArgumentException("--call-graph " + mode + " is not"
                        + " supported: vos walks frame pointers only (fp); build with -fno-omit-frame-pointer, and"
                        + " run Java with -XX:+PreserveFramePointer");
                default -> throw new IllegalArgumentException("--call-graph takes fp or no, not '" + r.callGraph + "'");
            }
        }
        return o;
    }

    /** Creates (or truncates) {@code p} now, so that a bad output path fails before sampling, with its cause. */
    static void checkWritable(Path p) throws PerfException {
        try {
            Files.newOutputStream(p).close();
        } catch (IOException e) {
            throw new PerfException("cannot write " + p + ": " + reason(e));
        }
    }

    /** Why an output could not be written, in words: "no such directory /x", "permission denied", ... */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException n) {
            Path parent = Path.of(n.getFile()).toAbsolutePath().getParent();
            return parent != null && !Files.isDirectory(parent) ? "no such directory " + parent : "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The command's exit status, once it has ended (stopped when recording stopped first). */
    private static int finish(Process child) throws InterruptedException {
        if (child.isAlive()) {
            child.destroy();
            if (!child.waitFor(5, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor();
            }
        }
        return child.exitValue();
    }
}
