package dev.vos.perf.counting;

import dev.vos.perf.EventSelection;
import dev.vos.perf.EventSpec;
import dev.vos.perf.PerfEventAttr;
import dev.vos.perf.PerfException;
import dev.vos.perf.sys.GroupReadDescriptor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counters on whole CPUs ({@code perf stat -a} and {@code -C}): one group per CPU ({@code pid = -1, cpu = N}),
 * counting every task that runs there. Needs CAP_PERFMON (or root), or {@code perf_event_paranoid <= 0}.
 *
 * <p>Each {@link Interval} has one reading per CPU ({@code tid} the CPU's number, {@code name} "CPU" and the
 * number) and the sum over them in {@link Interval#process()}; its {@code pid} is -1.
 *
 * <p>Not thread-safe: one thread polls.
 */
public final class CpuCollector implements IntervalSource {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final int[] cpus;
    private final EventProbe.Result probe;
    private final EventSelection selection;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment scratch;
    private final List<ThreadCounters> counters = new ArrayList<>();
    private final long[][] previous;
    private long lastPollNs;
    private long sequence;

    private CpuCollector(int[] cpus, EventProbe.Result probe) {
        this.cpus = cpus;
        this.probe = probe;
        this.selection = probe.selection();
        this.scratch = arena.allocate(GroupReadDescriptor.length(selection.events().size()), 8);
        this.previous = new long[cpus.length][selection.events().size()];
    }

    /**
     * Counts {@code events} on each of {@code cpus} from now.
     *
     * @throws dev.vos.perf.PerfAccessException when the kernel refuses CPU-wide counting to this process
     * @throws PerfException when none of the events can be counted here, or a CPU refuses (the message says why)
     */
    public static CpuCollector attach(int[] cpus, EventSelection events) throws PerfException {
        if (cpus.length == 0) {
            throw new IllegalArgumentException("no CPUs to count");
        }
        EventProbe.Result probe = EventProbe.probe(-1, -1, cpus[0], events);
        if (probe.available().isEmpty()) {
            throw new PerfException("none of the events can be counted here: "
                    + CounterCollector.reasons(probe.events()));
        }
        CpuCollector c = new CpuCollector(cpus, probe);
        MemorySegment attr = PerfEventAttr.allocate(c.arena);
        int[] errno = new int[1];
        for (int cpu : cpus) {
            ThreadCounters t = ThreadCounters.open(-1, cpu, c.selection, false, false, attr, errno);
            if (t == null) {
                c.close();
                throw new PerfException("cannot count on CPU " + cpu + ": " + EventProbe.reason(
                        c.selection.events().getFirst(), -errno[0]) + " (online CPUs: /sys/devices/system/cpu/online)");
            }
            c.counters.add(t);
        }
        c.lastPollNs = System.nanoTime();
        return c;
    }

    @Override
    public List<EventAvailability> availability() {
        return probe.events();
    }

    @Override
    public List<EventSpec> events() {
        return selection.events();
    }

    /** The CPUs counted. */
    public int[] cpus() {
        return cpus.clone();
    }

    /** Reads every CPU's counters: one interval since the previous poll. */
    @Override
    public Interval poll() {
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long now = System.nanoTime();
        long intervalNs = Math.max(1, now - lastPollNs);
        lastPollNs = now;
        double seconds = intervalNs / 1e9;
        int n = selection.events().size();
        long[] sum = new long[n];
        long[] running = new long[n];
        double[] fraction = new double[n];
        Arrays.fill(fraction, 1.0);
        List<ThreadReading> readings = new ArrayList<>(cpus.length);
        for (int c = 0; c < cpus.length; c++) {
            ThreadCounters t = counters.get(c);
            if (!t.read(scratch)) {
                continue;
            }
            Map<EventSpec, CounterReading> m = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                long delta = Math.max(0, t.totals[i] - previous[c][i]);
                previous[c][i] = t.totals[i];
                EventSpec e = selection.events().get(i);
                m.put(e, new CounterReading(e, t.totals[i], delta, delta / seconds, t.fractions[i], t.runningNs[i]));
                sum[i] += delta;
                running[i] += t.runningNs[i];
                fraction[i] = Math.min(fraction[i], t.fractions[i]);
            }
            readings.add(new ThreadReading(cpus[c], "CPU" + cpus[c], false, Collections.unmodifiableMap(m)));
        }
        List<CounterReading> process = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long total = 0;
            for (long[] p : previous) {
                total += p[i];
            }
            process.add(new CounterReading(selection.events().get(i), total, sum[i], sum[i] / seconds, fraction[i],
                    running[i]));
        }
        return new Interval(-1, Instant.now(), sequence++, intervalNs, Collections.unmodifiableList(readings), 0, 0,
                false, THREADS.getCurrentThreadCpuTime() - cpu0, Collections.unmodifiableList(process));
    }

    /** CPUs do not exit. */
    @Override
    public boolean targetExited() {
        return false;
    }

    @Override
    public void close() {
        counters.forEach(ThreadCounters::close);
        counters.clear();
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
