package dev.vos.cli;

import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.control.ControlException;
import dev.vos.controlplane.control.ControlSocket;
import dev.vos.perf.PerfEvent;
import dev.vos.perf.PerfException;
import dev.vos.perf.counting.CounterCollector;
import dev.vos.perf.counting.CounterReading;
import dev.vos.perf.counting.EventAvailability;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.counting.JvmThreadNames;
import dev.vos.perf.counting.ThreadNamer;
import dev.vos.perf.counting.ThreadReading;
import dev.vos.perf.export.CsvIntervalWriter;
import dev.vos.perf.export.JsonIntervalWriter;
import dev.vos.perf.flame.FlameGraphSvg;
import dev.vos.perf.sampling.Recording;
import dev.vos.perf.sampling.SamplerOptions;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code vos perf stat} and {@code vos perf record}: per-thread counters and sampling of a domain or any process,
 * through perfctr-xen. Only parses, resolves the target and prints; the work is in {@code dev.vos.perf}.
 * Exit status: 0 done, 1 the target or the kernel refused (one line says why), 2 bad usage.
 */
@CommandLine.Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Per-thread performance counters and sampling of a domain or a pid.",
        subcommands = {PerfCommand.Stat.class, PerfCommand.Record.class})
public final class PerfCommand {

    /** Which process: a pid, or a domain whose current pid the control plane knows. */
    static final class Target {
        @Option(names = "--pid", paramLabel = "PID", required = true, description = "the process to watch")
        Integer pid;

        @Option(names = "--domain", paramLabel = "NAME", required = true,
                description = "a domain of the running control plane (its current JVM)")
        String domain;
    }

    /** A resolved target: the pid, and the domain label ("" for a plain pid). */
    record Resolved(int pid, String domain) {
    }

    /** Resolves --domain through the control plane's {@code ps}; a plain --pid as is. */
    static Resolved resolve(Target target, VosCli.StateDirOption state) throws ControlException {
        if (target.pid != null) {
            return new Resolved(target.pid, "");
        }
        for (String row : ControlSocket.send(state.resolve().resolve("control.sock"), new Command.Ps())) {
            String[] f = row.split("\t", -1);
            if (f[0].equals(target.domain)) {
                long pid = Long.parseLong(f[4]);
                if (pid <= 0) {
                    throw new IllegalStateException("domain " + target.domain + " has no running process (state "
                            + f[2] + ")");
                }
                return new Resolved((int) pid, target.domain);
            }
        }
        throw new IllegalArgumentException("no domain named '" + target.domain + "' in this control plane");
    }

    /** "1s", "500ms", "2m", "1.5s", or an ISO-8601 duration. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            try {
                if (v.startsWith("p")) {
                    return Duration.parse(value.strip().toUpperCase(Locale.ROOT));
                }
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 2))));
                }
                double n = Double.parseDouble(v.substring(0, v.length() - 1));
                return switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofMillis(Math.round(n * 1000));
                    case 'm' -> Duration.ofMillis(Math.round(n * 60_000));
                    case 'h' -> Duration.ofMillis(Math.round(n * 3_600_000));
                    default -> throw new NumberFormatException();
                };
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 500ms, 1s, 2m)");
            }
        }
    }

    /** Shared plumbing: target resolution and error reporting. */
    abstract static class PerfSubcommand implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        @CommandLine.Mixin
        VosCli.StateDirOption state = new VosCli.StateDirOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract int run(Resolved target, PrintWriter out) throws Exception;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String me = "vos perf " + spec.name();
            try {
                return run(resolve(target, state), out);
            } catch (PerfException | ControlException | IllegalStateException e) {
                err.println(me + ": " + e.getMessage());
                return 1;
            } catch (IllegalArgumentException e) {
                err.println(me + ": " + e.getMessage());
                return 2;
            } finally {
                out.flush();
                err.flush();
            }
        }
    }

    @CommandLine.Command(name = "stat", mixinStandardHelpOptions = true,
            description = "Count events per thread of a process, printing each interval"
                    + " until it exits, --duration passes, or Ctrl-C.")
    static final class Stat extends PerfSubcommand {
        @Option(names = "--per-thread", description = "one row per thread (default: the process's sums)")
        boolean perThread;

        @Option(names = {"-I", "--interval"}, defaultValue = "1s", converter = DurationConverter.class,
                paramLabel = "DURATION", description = "print and write every DURATION (default 1s)")
        Duration interval;

        @Option(names = "--duration", converter = DurationConverter.class, paramLabel = "DURATION",
                description = "stop after DURATION (default: until the target exits or Ctrl-C)")
        Duration duration;

        @Option(names = {"-e", "--events"}, split = ",", paramLabel = "EVENT",
                description = "events, comma-separated (default: task-clock, context-switches, cpu-migrations,"
                        + " page-faults, minor-faults, major-faults, cycles, instructions, cache-references,"
                        + " cache-misses, branch-misses)")
        List<String> events;

        @Option(names = "--top", defaultValue = "0", paramLabel = "N",
                description = "with --per-thread: print only the N busiest threads (0: all)")
        int top;

        @Option(names = "--csv", paramLabel = "FILE", description = "write every interval to FILE (CSV)")
        Path csv;

        @Option(names = "--json", paramLabel = "FILE", description = "write every interval to FILE (JSON Lines)")
        Path json;

        @Option(names = "--java-names", description = "name Java threads in full through jcmd Thread.print (stops"
                + " the target at a safepoint whenever new threads appear, at most every 10 s;"
                + " default: comm, 15 chars)")
        boolean javaNames;

        @Override
        int run(Resolved t, PrintWriter out) throws Exception {
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("--interval must be positive, got " + interval);
            }
            List<PerfEvent> wanted = events == null ? PerfEvent.DEFAULT_COUNTING
                    : events.stream().map(PerfEvent::parse).toList();
            ThreadNamer namer = javaNames ? new JvmThreadNames() : ThreadNamer.COMM;
            CountDownLatch stopped = new CountDownLatch(1);
            Thread main = Thread.currentThread();
            Thread hook = new Thread(() -> {
                main.interrupt();
                try {
                    stopped.await(3, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            });
            try (CounterCollector c = CounterCollector.attach(t.pid, wanted, namer);
                 CsvIntervalWriter csvOut = csv == null ? null : new CsvIntervalWriter(csv, t.domain);
                 JsonIntervalWriter jsonOut = json == null ? null : new JsonIntervalWriter(json, t.domain)) {
                header(c, t, out);
                Runtime.getRuntime().addShutdownHook(hook);
                long start = System.nanoTime();
                long deadline = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
                long next = start + interval.toNanos();
                long collectorNs = 0;
                Map<PerfEvent, Long> totals = new EnumMap<>(PerfEvent.class);
                while (true) {
                    boolean interrupted = sleepUntil(Math.min(next, deadline));
                    Interval iv = c.poll();
                    collectorNs += iv.collectorCpuNs();
                    iv.threads().forEach(r -> r.counters().values().forEach(v -> totals.merge(v.event(), v.delta(),
                            Long::sum)));
                    print(iv, c.events(), out);
                    if (csvOut != null) {
                        csvOut.write(iv);
                    }
                    if (jsonOut != null) {
                        jsonOut.write(iv);
                    }
                    out.flush();
                    if (interrupted || iv.targetExited() || System.nanoTime() >= deadline) {
                        double seconds = (System.nanoTime() - start) / 1e9;
                        out.printf(Locale.ROOT, "# %s; totals over %.3f s: %s%n", iv.targetExited()
                                ? "target exited" : "stopped", seconds, totalsLine(totals));
                        out.printf(Locale.ROOT, "# collector cost: %.1f ms CPU over %.3f s (%.3f%% of one CPU)%n",
                                collectorNs / 1e6, seconds, 100.0 * collectorNs / 1e9 / seconds);
                        break;
                    }
                    next += interval.toNanos();
                }
            } finally {
                stopped.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // shutting down: the hook is running
                }
            }
            return 0;
        }

        /** Sleeps until the deadline; true when interrupted (Ctrl-C). */
        private static boolean sleepUntil(long deadlineNs) {
            long left = deadlineNs - System.nanoTime();
            if (left <= 0) {
                return Thread.interrupted();
            }
            try {
                TimeUnit.NANOSECONDS.sleep(left);
                return false;
            } catch (InterruptedException e) {
                return true;
            }
        }

        private void header(CounterCollector c, Resolved t, PrintWriter out) {
            out.printf("# vos perf stat: pid %d%s, %d threads, every %s%s%n", t.pid,
                    t.domain.isEmpty() ? "" : " (domain " + t.domain + ")", c.threadCount(), human(interval),
                    c.userOnly() ? "; user space only (perf_event_paranoid): context switches and migrations happen in"
                            + " the kernel and read 0, as perf's :u events do" : "");
            // One line per reason: without a PMU, five hardware events share one.
            Map<String, List<String>> byReason = new java.util.LinkedHashMap<>();
            for (EventAvailability a : c.availability()) {
                if (!a.available()) {
                    byReason.computeIfAbsent(a.reason(), k -> new ArrayList<>()).add(a.event().perfName());
                }
            }
            byReason.forEach((reason, names) -> out.printf("# not counted: %s: %s%n", String.join(", ", names),
                    reason));
        }

        private void print(Interval iv, List<PerfEvent> events, PrintWriter out) {
            double seconds = iv.intervalNs() / 1e9;
            out.printf(Locale.ROOT, "# %s  interval %d, %.3f s, %d threads (+%d -%d), collector %.2f ms CPU%n",
                    iv.at(), iv.sequence(), seconds, iv.threads().size(), iv.threadsStarted(), iv.threadsEnded(),
                    iv.collectorCpuNs() / 1e6);
            if (perThread) {
                printThreads(iv, events, out);
                return;
            }
            for (PerfEvent e : events) {
                long sum = 0;
                double minRunning = 1;
                for (ThreadReading r : iv.threads()) {
                    CounterReading c = r.get(e);
                    if (c != null) {
                        sum += c.delta();
                        minRunning = Math.min(minRunning, c.runningFraction());
                    }
                }
                out.println(eventLine(e, sum, seconds, minRunning));
            }
        }

        private void printThreads(Interval iv, List<PerfEvent> events, PrintWriter out) {
            List<ThreadReading> rows = new ArrayList<>(iv.threads());
            PerfEvent first = events.getFirst();
            rows.sort(Comparator.comparingLong((ThreadReading r) -> r.delta(first)).reversed());
            if (top > 0 && rows.size() > top) {
                rows = rows.subList(0, top);
            }
            StringBuilder h = new StringBuilder(String.format("%8s  %-16s", "TID", "THREAD"));
            for (PerfEvent e : events) {
                h.append(String.format("  %16s", e == PerfEvent.TASK_CLOCK ? "task-clock(ms)" : e.perfName()));
            }
            out.println(h);
            for (ThreadReading r : rows) {
                StringBuilder b = new StringBuilder(String.format("%8d  %-16s", r.tid(),
                        (r.name().length() > 16 ? r.name().substring(0, 16) : r.name())));
                for (PerfEvent e : events) {
                    CounterReading c = r.get(e);
                    String v = c == null ? "-" : e.unit().equals("ns") ? String.format(Locale.ROOT, "%.2f",
                            c.delta() / 1e6) : String.format(Locale.ROOT, "%,d", c.delta());
                    b.append(String.format("  %16s", c != null && c.multiplexed() ? v + String.format(Locale.ROOT,
                            "(%.0f%%)", c.runningFraction() * 100) : v));
                }
                out.println(r.ended() ? b + "  (ended)" : b.toString());
            }
        }

        static String eventLine(PerfEvent e, long sum, double seconds, double running) {
            String mux = running < 1 ? String.format(Locale.ROOT, "  (%.1f%% counted, scaled)", running * 100) : "";
            if (e.unit().equals("ns")) {
                return String.format(Locale.ROOT, "%18.2f msec %-18s #  %7.3f CPUs%s", sum / 1e6, e.perfName(),
                        sum / 1e9 / seconds, mux);
            }
            return String.format(Locale.ROOT, "%18s      %-18s #  %,10.1f /s%s", String.format("%,d", sum),
                    e.perfName(), sum / seconds, mux);
        }

        private static String totalsLine(Map<PerfEvent, Long> totals) {
            List<String> parts = new ArrayList<>();
            totals.forEach((e, v) -> parts.add(e.perfName() + "=" + (e.unit().equals("ns")
                    ? String.format(Locale.ROOT, "%.2fms", v / 1e6) : v)));
            return String.join(", ", parts);
        }
    }

    @CommandLine.Command(name = "record", mixinStandardHelpOptions = true,
            description = "Sample every thread of a process and write OUT.collapsed"
                    + " (flamegraph.pl's input) and OUT.svg (a flame graph).")
    static final class Record extends PerfSubcommand {
        @Option(names = "--duration", defaultValue = "10s", converter = DurationConverter.class,
                paramLabel = "DURATION", description = "how long to sample (default 10s)")
        Duration duration;

        @Option(names = {"-F", "--frequency"}, defaultValue = "1000", paramLabel = "HZ",
                description = "samples per second of each thread's CPU time (default 1000)")
        int frequency;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
                description = "output prefix: writes OUT.collapsed and OUT.svg")
        Path output;

        @Option(names = "--no-jit-map", description = "do not ask a Java target for its perf map (jcmd"
                + " Compiler.perfmap) at the end; its JIT frames then show as [anon]")
        boolean noJitMap;

        @Override
        int run(Resolved t, PrintWriter out) throws Exception {
            SamplerOptions options = SamplerOptions.DEFAULT.withFrequency(frequency);
            out.printf("# vos perf record: pid %d%s, %s at %d Hz per thread%n", t.pid,
                    t.domain.isEmpty() ? "" : " (domain " + t.domain + ")", human(duration), frequency);
            out.flush();
            Recording r = Recording.record(t.pid, options, duration, !noJitMap);
            Path collapsed = Path.of(output + ".collapsed");
            Path svg = Path.of(output + ".svg");
            try {
                r.stacks().write(collapsed);
                FlameGraphSvg.write(r.stacks(), "vos perf record: pid " + t.pid + (t.domain.isEmpty() ? ""
                        : " (" + t.domain + ")") + ", " + r.samples() + " samples", svg);
            } catch (IOException e) {
                throw new PerfException("cannot write " + output + ".*: " + e.getMessage());
            }
            out.printf(Locale.ROOT, "# %,d samples from %d threads in %.1f s, %,d lost%s; %d JIT symbols from the"
                    + " JVM's perf map%n", r.samples(), r.threads(), r.elapsed().toMillis() / 1000.0, r.lost(),
                    r.targetExited() ? "; the target exited" : "", r.perfMapSymbols());
            out.printf("# wrote %s and %s%n", collapsed, svg);
            return 0;
        }
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    private PerfCommand() {
    }
}
