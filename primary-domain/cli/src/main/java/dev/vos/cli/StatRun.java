package dev.vos.cli;

import dev.vos.perf.EventSelection;
import dev.vos.perf.EventSpec;
import dev.vos.perf.PerfException;
import dev.vos.perf.counting.CounterCollector;
import dev.vos.perf.counting.CounterReading;
import dev.vos.perf.counting.CpuCollector;
import dev.vos.perf.counting.EventAvailability;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.counting.IntervalSource;
import dev.vos.perf.counting.ThreadNamer;
import dev.vos.perf.counting.ThreadReading;
import dev.vos.perf.export.CsvIntervalWriter;
import dev.vos.perf.export.JsonIntervalWriter;
import dev.vos.perf.remote.IntervalStream;
import dev.vos.perf.remote.StreamIntervalSource;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code vos perf stat} run: opens the sources of a target, waits (tracking new threads every 10 ms), polls at
 * each interval, prints the intervals under {@code -I} and the summary at the end, in perf's layout. The end is the
 * command's exit, every target's exit, {@code --duration}, or an interrupt (Ctrl-C).
 */
final class StatRun {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Milliseconds between two {@link IntervalSource#track()} calls while waiting. */
    static final long TRACK_MS = 10;
    /** How often the counters are read when no {@code -I} is given (for the rows of threads that end). */
    static final Duration DEFAULT_POLL = Duration.ofSeconds(1);

    /**
     * What was asked.
     *
     * @param events        what to count
     * @param perThread     a row per thread
     * @param perCpu        a row per CPU ({@code -A})
     * @param printInterval print every interval ({@code -I}), or null
     * @param duration      stop after this long, or null
     * @param top           with {@code perThread}, only the busiest rows (0: all)
     * @param inherit       count the threads the attached ones create
     * @param namer         how threads are named
     * @param csv           vos's CSV of every interval, or null
     * @param json          vos's JSON Lines of every interval, or null
     */
    record Settings(EventSelection events, boolean perThread, boolean perCpu, Duration printInterval,
                    Duration duration, int top, boolean inherit, ThreadNamer namer, Path csv, Path json) {
    }

    /**
     * The sources of one run, the command it started (or null), and when counting began (System.nanoTime()).
     */
    record Opened(List<IntervalSource> sources, boolean cpuRows, Process command, long startNs) {

        Opened(List<IntervalSource> sources, boolean cpuRows, Process command) {
            this(sources, cpuRows, command, System.nanoTime());
        }
    }

    private final Settings settings;
    private final StatReport report;
    private final JsonIntervalWriter stream;

    /**
     * @param stream where to publish the interval stream ({@code --stream}), or null
     */
    StatRun(Settings settings, StatReport report, JsonIntervalWriter stream) {
        this.settings = settings;
        this.report = report;
        this.stream = stream;
    }

    /** Opens the sources of {@code target}; a command is started stopped, its counters opened, then let go. */
    Opened open(PerfTarget target) throws PerfException, IOException, InterruptedException {
        target.checkCommand();
        List<IntervalSource> sources = new ArrayList<>();
        CounterCollector.Options options = CounterCollector.Options.of(settings.events(), settings.namer())
                .withInherit(settings.inherit());
        try {
            if (target.cpus() != null) {
                sources.add(CpuCollector.attach(target.cpus(), settings.events()));
                long t0 = System.nanoTime();
                Process p = target.command().isEmpty() ? null : startRunning(target);
                return new Opened(sources, true, p, t0);
            }
            if (!target.command().isEmpty()) {
                Process p = target.startStopped();
                try {
                    sources.add(CounterCollector.attach((int) p.pid(), options.withEnableOnExec(true)));
                } catch (PerfException | RuntimeException e) {
                    p.destroyForcibly();
                    throw e;
                }
                PerfTarget.resume(p);
                return new Opened(sources, false, p);
            }
            for (int pid : target.pids()) {
                List<Integer> tids = target.tids().get(pid);
                sources.add(CounterCollector.attach(pid, tids == null ? options : options.withThreads(tids)));
            }
            return new Opened(sources, false, null);
        } catch (PerfException | IOException | RuntimeException e) {
            sources.forEach(IntervalSource::close);
            throw e;
        }
    }

    /** Starts the command and lets it run at once: CPU-wide counters count it, whenever it starts. */
    private static Process startRunning(PerfTarget target) throws IOException, InterruptedException {
        Process p = target.startStopped();
        PerfTarget.resume(p);
        return p;
    }

    /**
     * Runs until the end; returns the totals. {@code interrupted} reports Ctrl-C between two waits.
     *
     * @param title how the summary names the target (for the attach note)
     */
    StatTotals run(Opened opened, String title) throws PerfException, IOException {
        StatTotals totals = new StatTotals();
        if (stream != null) {
            IntervalSource s = opened.sources().getFirst();
            boolean userOnly = s instanceof CounterCollector c && c.userOnly();
            int pid = s instanceof CounterCollector c ? c.pid() : -1;
            stream.writeLine(IntervalStream.header(pid, "", userOnly, s.availability()));
        }
        try (CsvIntervalWriter csv = settings.csv() == null ? null : new CsvIntervalWriter(settings.csv(), "");
             JsonIntervalWriter json = settings.json() == null ? null : new JsonIntervalWriter(settings.json(), "")) {
            if (settings.printInterval() != null) {
                report.intervalHeader(settings.perThread(), settings.perCpu());
            }
            long start = opened.startNs();
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long pollNs = (settings.printInterval() != null ? settings.printInterval() : DEFAULT_POLL).toNanos();
            long deadline = settings.duration() == null ? Long.MAX_VALUE : start + settings.duration().toNanos();
            long next = start + pollNs;
            while (true) {
                boolean stop = waitUntil(Math.min(next, deadline), opened);
                List<Interval> polled = new ArrayList<>();
                for (IntervalSource s : opened.sources()) {
                    Interval iv = s.poll();
                    polled.add(iv);
                    totals.add(iv, opened.cpuRows());
                    write(iv, csv, json);
                }
                report.flush();
                if (settings.printInterval() != null) {
                    printInterval(polled, (System.nanoTime() - start) / 1e9, opened.cpuRows());
                }
                boolean allExited = opened.command() == null && opened.sources().stream()
                        .allMatch(IntervalSource::targetExited);
                if (stop || allExited || System.nanoTime() >= deadline) {
                    totals.elapsedNs = System.nanoTime() - start;
                    // Everything this thread did since attaching: the polls and the tracking between them.
                    totals.collectorCpuNs = THREADS.getCurrentThreadCpuTime() - cpu0;
                    return totals;
                }
                next += pollNs;
            }
        }
    }

    /**
     * Prints an interval stream as it was recorded: each of its intervals as one, under {@code -I}; the totals for
     * the summary.
     */
    StatTotals replay(StreamIntervalSource s) throws PerfException, IOException, InterruptedException {
        StatTotals totals = new StatTotals();
        if (settings.printInterval() != null) {
            report.intervalHeader(settings.perThread(), false);
        }
        try (CsvIntervalWriter csv = settings.csv() == null ? null : new CsvIntervalWriter(settings.csv(), "");
             JsonIntervalWriter json = settings.json() == null ? null : new JsonIntervalWriter(settings.json(), "")) {
            double at = 0;
            for (Interval iv; (iv = s.take()) != null; ) {
                totals.add(iv, false);
                totals.elapsedNs += iv.intervalNs();
                write(iv, csv, json);
                at += iv.intervalNs() / 1e9;
                if (settings.printInterval() != null) {
                    printInterval(List.of(iv), at, false);
                }
            }
        }
        return totals;
    }

    private void write(Interval iv, CsvIntervalWriter csv, JsonIntervalWriter json) {
        if (csv != null) {
            csv.write(iv);
        }
        if (json != null) {
            json.write(iv);
        }
        if (stream != null) {
            stream.write(iv);
        }
    }

    /**
     * Sleeps until {@code deadlineNs}, tracking new threads; true when the run must end now: interrupted (Ctrl-C) or
     * the command exited.
     */
    private static boolean waitUntil(long deadlineNs, Opened opened) {
        while (true) {
            long left = deadlineNs - System.nanoTime();
            if (left <= 0) {
                return Thread.interrupted();
            }
            try {
                if (opened.command() != null && opened.command().waitFor(Math.min(left, TimeUnit.MILLISECONDS
                        .toNanos(TRACK_MS)), TimeUnit.NANOSECONDS)) {
                    return true;
                }
                if (opened.command() == null) {
                    TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(TRACK_MS)));
                }
            } catch (InterruptedException e) {
                return true;
            }
            opened.sources().forEach(IntervalSource::track);
        }
    }

    /** The lines of one interval, in perf's {@code -I} layout. */
    private void printInterval(List<Interval> polled, double at, boolean cpuRows) {
        double wall = polled.isEmpty() ? 0 : polled.getFirst().intervalNs() / 1e9;
        List<StatReport.Line> lines = new ArrayList<>();
        if (settings.perThread() || (cpuRows && settings.perCpu())) {
            for (Interval iv : polled) {
                List<ThreadReading> rows = new ArrayList<>(iv.threads());
                rows.sort(Comparator.comparingInt(ThreadReading::tid));
                if (settings.top() > 0 && rows.size() > settings.top() && !iv.process().isEmpty()) {
                    EventSpec first = iv.process().getFirst().event();
                    List<ThreadReading> best = new ArrayList<>(rows);
                    best.sort(Comparator.comparingLong((ThreadReading t) -> t.delta(first)).reversed());
                    rows.retainAll(best.subList(0, settings.top()));
                }
                for (ThreadReading t : rows) {
                    double clock = StatTotals.clockNs(t.counters().values());
                    String label = cpuRows ? "CPU" + t.tid() : t.name().replace(' ', '_') + "-" + t.tid();
                    t.counters().values().forEach(r -> lines.add(line(label, cpuRows ? t.tid() : -1, r, clock)));
                }
            }
        } else {
            Map<EventSpec, StatTotals.Acc> sum = new LinkedHashMap<>();
            polled.forEach(iv -> iv.process().forEach(r -> sum.computeIfAbsent(r.event(), e -> new StatTotals.Acc())
                    .add(r)));
            double clock = StatTotals.clockNs(sum);
            sum.forEach((e, a) -> lines.add(new StatReport.Line(null, -1, e, true, a.value, a.runningNs,
                    a.pctRunning(), clock, -1)));
        }
        report.lines(lines, at, wall);
        report.flush();
    }

    private static StatReport.Line line(String label, int cpu, CounterReading r, double clockNs) {
        return new StatReport.Line(label, cpu, r.event(), true, r.delta(), r.runningNs(), r.runningFraction() * 100,
                clockNs, -1);
    }

    /** The attach note (human layout): what is watched, and why some events or threads are not. */
    void attached(Opened opened, String title) {
        int threads = 0;
        boolean userOnly = false;
        for (IntervalSource s : opened.sources()) {
            if (s instanceof CounterCollector c) {
                threads += c.threadCount();
                userOnly |= c.userOnly();
            }
        }
        report.note("vos perf stat: counting " + title + (opened.cpuRows() ? ""
                : ", " + threads + (threads == 1 ? " thread" : " threads") + " and every thread "
                + (threads == 1 ? "it starts" : "they start")) + (userOnly
                ? "; user space only (perf_event_paranoid): context switches and migrations happen in the kernel and"
                + " read 0, as perf's :u events do" : ""));
        // One line per reason: without a PMU, five hardware events share one.
        Map<String, List<String>> byReason = new LinkedHashMap<>();
        for (EventAvailability a : availability(opened)) {
            if (!a.available()) {
                byReason.computeIfAbsent(a.reason(), k -> new ArrayList<>()).add(a.event().name());
            }
        }
        byReason.forEach((reason, names) -> report.note("not counted: " + String.join(", ", names) + ": " + reason));
        opened.sources().forEach(s -> s.notes().forEach(report::note));
        report.flush();
    }

    /**
     * The summary, in perf's layout: per thread (or CPU) when asked, then the whole target, with the mean and its
     * relative standard error over several runs ({@code -r}).
     */
    void summary(List<StatTotals> runs, List<EventAvailability> availability, String title, boolean cpuRows) {
        report.summaryTitle(title, runs.size());
        double[] elapsed = runs.stream().mapToDouble(t -> t.elapsedNs / 1e9).toArray();
        double wall = mean(elapsed);
        StatTotals last = runs.getLast();
        boolean rows = runs.size() == 1 && (settings.perThread() || (cpuRows && settings.perCpu()));
        if (rows) {
            EventSpec rank = availability.stream().filter(EventAvailability::available).map(EventAvailability::event)
                    .findFirst().orElse(null);
            for (StatTotals.Row r : last.rows(settings.top(), rank)) {
                double clock = StatTotals.clockNs(r.events);
                for (EventAvailability a : availability) {
                    StatTotals.Acc acc = r.events.get(a.event());
                    if (a.available() && acc != null) {
                        report.line(new StatReport.Line(r.label(), r.cpu ? r.id : -1, a.event(), true, acc.value,
                                acc.runningNs, acc.pctRunning(), clock, -1), -1, wall);
                    }
                }
            }
        }
        if (!rows || settings.perThread()) {
            if (rows) {
                report.blank();
            }
            aggregate(runs, availability, wall);
        }
        report.summaryEnd(wall, stdErr(elapsed), runs.size());
        long cpu = runs.stream().mapToLong(t -> t.collectorCpuNs).sum();
        double seconds = runs.stream().mapToDouble(t -> t.elapsedNs / 1e9).sum();
        report.note(String.format(Locale.ROOT, "collector cost: %.1f ms CPU over %.3f s (%.3f%% of one CPU)",
                cpu / 1e6, seconds, seconds > 0 ? 100.0 * cpu / 1e9 / seconds : 0));
        report.flush();
    }

    private void aggregate(List<StatTotals> runs, List<EventAvailability> availability, double wall) {
        double[] clocks = runs.stream().mapToDouble(t -> StatTotals.clockNs(t.process)).toArray();
        for (EventAvailability a : availability) {
            if (!a.available()) {
                report.line(new StatReport.Line(null, -1, a.event(), false, 0, 0, 100, 0, -1), -1, wall);
                continue;
            }
            double[] v = new double[runs.size()];
            long running = 0;
            double pct = 100;
            for (int i = 0; i < runs.size(); i++) {
                StatTotals.Acc acc = runs.get(i).process.get(a.event());
                v[i] = acc == null ? 0 : acc.value;
                running += acc == null ? 0 : acc.runningNs;
                pct = Math.min(pct, acc == null ? 100 : acc.pctRunning());
            }
            double m = mean(v);
            double variance = runs.size() > 1 ? (m > 0 ? 100 * stdErr(v) / m : 0) : -1;
            report.line(new StatReport.Line(null, -1, a.event(), true, m, running / runs.size(), pct, mean(clocks),
                    variance), -1, wall);
        }
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? 0 : s / v.length;
    }

    /** The standard error of the mean (perf's "+-"): the sample standard deviation over the square root of n. */
    static double stdErr(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        return Math.sqrt(ss / (v.length - 1)) / Math.sqrt(v.length);
    }

    /**
     * Where attaching spent its time ({@code -v}): the JVM's start, this command's own start, and each collector's
     * phases.
     *
     * @param mainEnteredNs System.nanoTime() when main was entered, or 0
     */
    void attachTimes(Opened opened, long mainEnteredNs) {
        long now = System.nanoTime();
        // The JVM's own clock of its start (ms); /proc's start time is only as fine as the boot time's seconds.
        double uptimeMs = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
        double cpuMs = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(-1.0);
        report.note(String.format(Locale.ROOT, "attach: counting began %.0f ms after the JVM started%s, which had"
                + " used %.0f ms of CPU by then", uptimeMs, mainEnteredNs == 0 ? "" : String.format(Locale.ROOT,
                " (%.0f ms of it before main)", uptimeMs - (now - mainEnteredNs) / 1e6), cpuMs));
        for (IntervalSource s : opened.sources()) {
            if (s instanceof CounterCollector c && c.attachTimings() != null) {
                CounterCollector.AttachTimings t = c.attachTimings();
                report.note(String.format(Locale.ROOT, "attach pid %d: /proc %.1f ms, probe %.1f ms, %d thread(s)'"
                        + " counters and trackers opened in %.1f ms (%d events), settled in %.1f ms", c.pid(),
                        t.listNs() / 1e6, t.probeNs() / 1e6, t.threads(), t.openNs() / 1e6, t.opened(),
                        t.settleNs() / 1e6));
            }
        }
        report.flush();
    }

    /** The availability of the first source: the events asked for, in order. */
    static List<EventAvailability> availability(Opened opened) {
        return opened.sources().getFirst().availability();
    }
}
