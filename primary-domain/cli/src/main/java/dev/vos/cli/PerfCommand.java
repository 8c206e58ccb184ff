package dev.vos.cli;

import dev.vos.controlplane.control.ControlException;
import dev.vos.perf.EventSelection;
import dev.vos.perf.PerfEvent;
import dev.vos.perf.PerfException;
import dev.vos.perf.counting.EventAvailability;
import dev.vos.perf.counting.IntervalSource;
import dev.vos.perf.counting.JvmThreadNames;
import dev.vos.perf.counting.ThreadNamer;
import dev.vos.perf.export.JsonIntervalWriter;
import dev.vos.perf.proc.Cpus;
import dev.vos.perf.remote.StreamIntervalSource;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code vos perf stat} and {@code vos perf record}: per-thread counters and sampling of a domain, a process, threads,
 * CPUs or a command, through perfctr-xen, taking perf's options where they mean the same. Only parses, resolves the
 * target and prints; the work is in {@code dev.vos.perf}. Exit status: 0 done (with a command: the command's own),
 * 1 the target or the kernel refused (one line says why), 2 bad usage.
 */
@CommandLine.Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Per-thread performance counters and sampling, with perf's options.",
        subcommands = {PerfCommand.Stat.class, PerfCommand.Record.class})
public final class PerfCommand {

    /** Whatever can be watched: perf's -p/-t/-a/-C and a command, and vos's --domain. */
    static class TargetOptions {
        @Option(names = {"-p", "--pid"}, split = ",", paramLabel = "PID", description = "existing processes"
                + " (comma-separated), every thread of each and every thread they start")
        List<Integer> pids;

        @Option(names = {"-t", "--tid"}, split = ",", paramLabel = "TID", description = "existing threads"
                + " (comma-separated), and every thread they start")
        List<Integer> tids;

        @Option(names = "--domain", paramLabel = "NAME",
                description = "a domain of the running control plane (its current JVM)")
        String domain;

        @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "a command to run and count"
                + " (after '--' when it has options of its own)")
        List<String> command;

        /** The target, checked: exactly one of -p, -t, --domain, or a command (CPUs are added by stat). */
        PerfTarget resolve(VosCli.StateDirOption state, boolean cpusGiven) throws PerfException, ControlException {
            int given = (pids != null ? 1 : 0) + (tids != null ? 1 : 0) + (domain != null ? 1 : 0)
                    + (command != null && !command.isEmpty() ? 1 : 0);
            if (given > 1 || (cpusGiven && given == 1 && (command == null || command.isEmpty()))) {
                throw new IllegalArgumentException("give one target: -p PID, -t TID, --domain NAME, -a/-C CPUS, or"
                        + " a command (-a/-C may go with a command)");
            }
            if (given == 0) {
                if (cpusGiven) {
                    return null;
                }
                throw new IllegalArgumentException("no target: give -p PID, -t TID, --domain NAME, -a, -C CPUS, or a"
                        + " command (vos perf stat -- CMD ARGS)");
            }
            if (pids != null) {
                return PerfTarget.ofPids(pids);
            }
            if (tids != null) {
                return PerfTarget.ofTids(tids);
            }
            if (domain != null) {
                return PerfTarget.ofDomain(domain, state.resolve());
            }
            return PerfTarget.ofCommand(command);
        }
    }

    /**
     * A duration as perf's {@code -I} takes it (a plain number is milliseconds: {@code -I 1000}) or as vos spells it:
     * "500ms", "1s", "2m", "1.5s", or an ISO-8601 duration.
     */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            try {
                if (v.startsWith("p")) {
                    return Duration.parse(value.strip().toUpperCase(Locale.ROOT));
                }
                if (v.matches("\\d+")) {
                    return Duration.ofMillis(Long.parseLong(v));
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
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (milliseconds as"
                        + " perf takes them, 1000; or 500ms, 1s, 2m)");
            }
        }
    }

    /** Shared plumbing: error reporting, Ctrl-C, exit status. */
    abstract static class PerfSubcommand implements Callable<Integer> {
        @CommandLine.Mixin
        VosCli.StateDirOption state = new VosCli.StateDirOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract int run(PrintWriter out, PrintWriter err) throws Exception;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String me = "vos perf " + spec.name();
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
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                return run(out, err);
            } catch (PerfTarget.CommandNotFoundException e) {
                err.println(me + ": " + e.getMessage());
                return 127;
            } catch (PerfException | ControlException | IllegalStateException | IOException e) {
                err.println(me + ": " + e.getMessage());
                return 1;
            } catch (IllegalArgumentException e) {
                err.println(me + ": " + e.getMessage());
                return 2;
            } finally {
                out.flush();
                err.flush();
                stopped.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // shutting down: the hook is running
                }
            }
        }
    }

    @CommandLine.Command(name = "stat", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Count events of a process, threads, CPUs or a command, and print them when it ends"
                    + " (every -I interval too), in perf stat's layout: on stderr, as perf does, or in -o FILE.",
                    "Every thread of the target is counted, from attach to the end, those shorter than an interval"
                            + " included; --per-thread gives each its own row."},
            footer = {"", "Examples:", "  vos perf stat -p 4242", "  vos perf stat --per-thread -I 1000 -p 4242",
                    "  vos perf stat -e '{task-clock,cs}',page-faults:u -x, -- ./build.sh",
                    "  vos perf stat -a -A -e cs -- sleep 1", "  vos perf stat -r 5 -- java -version"})
    static final class Stat extends PerfSubcommand {
        @CommandLine.Mixin
        TargetOptions target = new TargetOptions();

        @Option(names = {"-a", "--all-cpus"}, description = "count every CPU (needs CAP_PERFMON or root)")
        boolean allCpus;

        @Option(names = {"-C", "--cpu"}, paramLabel = "CPUS", description = "count these CPUs: 0-3,6")
        String cpuList;

        @Option(names = {"-A", "--no-aggr"}, description = "with -a/-C: a row per CPU")
        boolean perCpu;

        @Option(names = "--per-thread", description = "a row per thread, those started after attaching included")
        boolean perThread;

        @Option(names = {"-e", "--event", "--events"}, paramLabel = "EVENTS", description = "events, comma-separated,"
                + " repeatable: perf's names and aliases (task-clock, cs, ...), raw rNNNN, modifiers :u :k :h :p,"
                + " {a,b} groups (default: every software event and cycles, instructions, cache-references,"
                + " cache-misses, branch-misses)")
        List<String> events;

        @Option(names = {"-I", "--interval-print", "--interval"}, converter = DurationConverter.class,
                paramLabel = "MSECS", description = "print every MSECS milliseconds (perf's unit; 500ms and 1s too)")
        Duration interval;

        @Option(names = "--duration", converter = DurationConverter.class, paramLabel = "DURATION",
                description = "stop after DURATION (default: until the target exits or Ctrl-C)")
        Duration duration;

        @Option(names = {"-r", "--repeat"}, defaultValue = "1", paramLabel = "N",
                description = "run the command N times; print the means and their variation")
        int repeat;

        @Option(names = {"-x", "--field-separator"}, paramLabel = "SEP", description = "CSV with this separator")
        String separator;

        @Option(names = {"-j", "--json-output"}, description = "one JSON object per counter and line")
        boolean jsonOutput;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "print to FILE instead of stderr")
        Path output;

        @Option(names = {"-i", "--no-inherit"}, description = "count only the threads there at attach, not those"
                + " they start")
        boolean noInherit;

        @Option(names = "--top", defaultValue = "0", paramLabel = "N",
                description = "with --per-thread: only the N busiest threads (0: all)")
        int top;

        @Option(names = "--csv", paramLabel = "FILE", description = "write every interval to FILE (vos's CSV)")
        Path csv;

        @Option(names = "--json", paramLabel = "FILE", description = "write every interval to FILE (JSON Lines)")
        Path json;

        @Option(names = "--stream", paramLabel = "FILE", description = "publish the interval stream (a header,"
                + " then every interval) to FILE, - for stdout: what a collector inside a guest sends")
        Path stream;

        @Option(names = "--input", paramLabel = "FILE", description = "print an interval stream written by"
                + " --stream instead of counting (- for stdin)")
        Path input;

        @Option(names = "--java-names", description = "name Java threads in full through jcmd Thread.print (stops"
                + " the target at a safepoint whenever new threads appear, at most every 10 s;"
                + " default: comm, 15 chars)")
        boolean javaNames;

        @Option(names = {"-v", "--verbose"}, description = "say where attaching spent its time")
        boolean verbose;

        @Override
        int run(PrintWriter out, PrintWriter err) throws Exception {
            check();
            try (Writer file = output == null ? null : Files.newBufferedWriter(output)) {
                PrintWriter to = file == null ? err : new PrintWriter(file);
                StatReport report = new StatReport(to, separator != null ? StatReport.Style.CSV : jsonOutput
                        ? StatReport.Style.JSON : StatReport.Style.HUMAN, separator);
                try {
                    return input != null ? fromStream(report, out) : count(report, out);
                } finally {
                    to.flush();
                }
            }
        }

        private void check() {
            if (interval != null && interval.toMillis() < 10) {
                throw new IllegalArgumentException("-I must be at least 10 ms, got " + interval.toMillis() + " ms");
            }
            if (repeat < 1) {
                throw new IllegalArgumentException("-r must be at least 1, got " + repeat);
            }
            if (repeat > 1 && (target.command == null || target.command.isEmpty())) {
                throw new IllegalArgumentException("-r repeats a command: give one (vos perf stat -r 5 -- CMD)");
            }
            if (repeat > 1 && (perThread || interval != null || stream != null)) {
                throw new IllegalArgumentException("-r prints the means of whole runs: not with --per-thread, -I or"
                        + " --stream");
            }
            if (separator != null && jsonOutput) {
                throw new IllegalArgumentException("-x and -j both choose the layout: give one");
            }
            if (perCpu && !allCpus && cpuList == null) {
                throw new IllegalArgumentException("-A is a row per CPU: use it with -a or -C");
            }
            if (perThread && (allCpus || cpuList != null)) {
                throw new IllegalArgumentException("--per-thread counts threads: not with -a/-C (use -A)");
            }
        }

        private int count(StatReport report, PrintWriter out) throws Exception {
            boolean cpus = allCpus || cpuList != null;
            PerfTarget t = target.resolve(state, cpus);
            if (cpus) {
                PerfTarget cpuTarget = PerfTarget.ofCpus(cpuList != null ? Cpus.parseList(cpuList) : Cpus.online(),
                        cpuList == null);
                t = t == null ? cpuTarget : cpuTarget.withCommand(t.command());
            }
            EventSelection selection = events == null ? EventSelection.of(PerfEvent.DEFAULT_COUNTING)
                    : EventSelection.parse(events);
            ThreadNamer namer = javaNames ? new JvmThreadNames() : ThreadNamer.COMM;
            StatRun.Settings settings = new StatRun.Settings(selection, perThread, perCpu, interval, duration, top,
                    !noInherit, namer, csv, json);
            try (JsonIntervalWriter streamOut = stream == null ? null : new JsonIntervalWriter(stream.toString()
                    .equals("-") ? out : Files.newBufferedWriter(stream), target.domain == null ? ""
                    : target.domain)) {
                StatRun run = new StatRun(settings, report, streamOut);
                List<StatTotals> runs = new ArrayList<>();
                int status = 0;
                List<EventAvailability> availability = null;
                for (int i = 0; i < repeat; i++) {
                    StatRun.Opened opened = run.open(t);
                    try {
                        if (i == 0) {
                            run.attached(opened, t.title());
                            if (verbose) {
                                run.attachTimes(opened, VosCli.mainEnteredNs);
                            }
                            availability = StatRun.availability(opened);
                        }
                        runs.add(run.run(opened, t.title()));
                        status = opened.command() == null ? 0 : exitStatus(opened.command());
                    } finally {
                        opened.sources().forEach(IntervalSource::close);
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        break;
                    }
                }
                run.summary(runs, availability, t.title(), t.cpus() != null);
                return status;
            }
        }

        private static int exitStatus(Process p) throws InterruptedException {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            return p.isAlive() ? 1 : p.exitValue();
        }

        private int fromStream(StatReport report, PrintWriter out) throws Exception {
            Reader in = input.toString().equals("-") ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
                    : Files.newBufferedReader(input);
            try (StreamIntervalSource s = StreamIntervalSource.open(in, input.toString())) {
                StatRun.Settings settings = new StatRun.Settings(EventSelection.ungrouped(s.events()), perThread,
                        false, interval, duration, top, true, ThreadNamer.COMM, csv, json);
                StatRun run = new StatRun(settings, report, null);
                StatRun.Opened opened = new StatRun.Opened(List.of(s), false, null);
                String title = "process id '" + s.header().pid() + "'" + (s.header().domain().isEmpty() ? ""
                        : " (domain " + s.header().domain() + ")");
                run.attached(opened, title);
                StatTotals totals = run.replay(s);
                run.summary(List.of(totals), s.availability(), title, false);
                return 0;
            }
        }
    }

    @CommandLine.Command(name = "record", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Sample every thread of a process (or a command) and write OUT.perf.txt (perf script's"
                    + " text, which FlameGraph, speedscope and the Firefox Profiler import), OUT.collapsed"
                    + " (flamegraph.pl's input) and OUT.svg (a flame graph).",
            footer = {"", "Examples:", "  vos perf record -p 4242 --duration 10s -o app",
                    "  vos perf record -F 499 -g -o build -- ./build.sh", "  vos perf record -e page-faults -c 1"
                    + " -p 4242 -o faults"})
    static final class Record extends PerfSubcommand {
        @CommandLine.Mixin
        TargetOptions target = new TargetOptions();

        @Option(names = {"-e", "--event"}, paramLabel = "EVENT", description = "the sampling event (default"
                + " cpu-clock; any counting event: task-clock, page-faults, cycles with a PMU, ...)")
        String event;

        @Option(names = {"-F", "--freq", "--frequency"}, paramLabel = "HZ",
                description = "samples per second of each thread's time (default 1000)")
        Integer frequency;

        @Option(names = {"-c", "--count"}, paramLabel = "N", description = "a sample every N events (instead of -F)")
        Long period;

        @Option(names = "-g", description = "record call chains (the default; --call-graph no turns them off)")
        boolean callGraphFlag;

        @Option(names = "--call-graph", paramLabel = "MODE", description = "fp (frame pointers, the default) or no")
        String callGraph;

        @Option(names = "--duration", converter = DurationConverter.class, paramLabel = "DURATION",
                description = "how long to sample a running process (default 10s; a command is sampled until it"
                        + " exits)")
        Duration duration;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
                description = "output prefix: writes OUT.perf.txt, OUT.collapsed and OUT.svg")
        Path output;

        @Option(names = "--java-names", description = "root each stack at the Java thread's full name (jcmd"
                + " Thread.print at the end) instead of its 15-character comm")
        boolean javaNames;

        @Option(names = "--no-jit-map", description = "do not ask a Java target for its perf map (jcmd"
                + " Compiler.perfmap) at the end; its JIT frames then show as [anon]")
        boolean noJitMap;

        @Override
        int run(PrintWriter out, PrintWriter err) throws Exception {
            return RecordRun.run(this, out);
        }
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    /** perf stops parsing at the command: {@code vos perf stat sleep 1} runs {@code sleep 1}, whatever follows. */
    static void configure(CommandLine perf) {
        perf.getSubcommands().values().forEach(c -> c.setStopAtPositional(true));
    }

    /** {@code vos perf} on its own, named as a subcommand of vos. */
    static CommandLine commandLine() {
        CommandLine perf = new CommandLine(PerfCommand.class).setCommandName("vos perf");
        configure(perf);
        return perf;
    }

    private PerfCommand() {
    }
}
