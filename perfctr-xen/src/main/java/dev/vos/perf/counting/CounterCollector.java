package dev.vos.perf.counting;

import dev.vos.perf.NoSuchProcessException;
import dev.vos.perf.PerfAccessException;
import dev.vos.perf.PerfEvent;
import dev.vos.perf.PerfEventAttr;
import dev.vos.perf.proc.ProcTasks;
import dev.vos.perf.sys.GroupReadDescriptor;
import dev.vos.sys.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accumulative mode: counters on every thread of one process, read at each {@link #poll()}.
 *
 * <p>Each poll rescans {@code /proc/PID/task}: threads found are given their counter groups (counting starts
 * then), threads gone are read one last time and closed. A thread that starts and ends between two polls is never
 * seen: that is the price of per-thread ({@code inherit = 0}) counters, which are what makes per-thread figures
 * possible at all. Every poll also measures its own CPU cost ({@link Interval#collectorCpuNs()}).
 *
 * <p>Not thread-safe: one thread polls (the CLI's main thread, or a scheduler).
 */
public final class CounterCollector implements AutoCloseable {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final int pid;
    private final EventProbe.Result probe;
    private final List<PerfEvent> events;
    private final List<List<PerfEvent>> groups;
    private final ThreadNamer namer;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment attr;
    private final MemorySegment scratch;
    private final Map<Integer, ThreadCounters> threads = new LinkedHashMap<>();
    /** Threads whose counters failed to open for a reason other than their end: not retried, said once. */
    private final Set<Integer> refused = new HashSet<>();
    private long lastPollNs;
    private long sequence;
    private boolean exited;

    private CounterCollector(int pid, EventProbe.Result probe, ThreadNamer namer) {
        this.pid = pid;
        this.probe = probe;
        this.events = probe.available();
        this.groups = CounterGroup.partition(events);
        this.namer = namer;
        this.attr = PerfEventAttr.allocate(arena);
        this.scratch = arena.allocate(GroupReadDescriptor.length(PerfEvent.values().length), 8);
    }

    /**
     * Attaches to every thread of {@code pid} now.
     *
     * @param events the events to count; those this machine lacks are reported by {@link #availability()}
     * @throws NoSuchProcessException when pid does not exist
     * @throws PerfAccessException    when the kernel refuses to let this process watch pid
     */
    public static CounterCollector attach(int pid, List<PerfEvent> events, ThreadNamer namer)
            throws NoSuchProcessException, PerfAccessException {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("no events to count");
        }
        if (!ProcTasks.exists(pid)) {
            throw new NoSuchProcessException(pid);
        }
        EventProbe.Result probe = EventProbe.probe(pid, events);
        if (probe.available().isEmpty()) {
            throw new IllegalArgumentException("none of the events can be counted here: " + probe.events());
        }
        CounterCollector c = new CounterCollector(pid, probe, namer);
        c.lastPollNs = System.nanoTime();
        c.rescan(new int[2]);
        return c;
    }

    /** The target. */
    public int pid() {
        return pid;
    }

    /** Each event asked for, with whether it is counted and if not, why. */
    public List<EventAvailability> availability() {
        return probe.events();
    }

    /** The events counted. */
    public List<PerfEvent> events() {
        return events;
    }

    /** True when only user space is counted (an unprivileged watcher at perf_event_paranoid >= 2). */
    public boolean userOnly() {
        return probe.userOnly();
    }

    /** Threads watched now. */
    public int threadCount() {
        return threads.size();
    }

    /** True once a poll has found the target gone; later polls return empty intervals. */
    public boolean targetExited() {
        return exited;
    }

    /** Reads every thread's counters: one interval since the previous poll. */
    public Interval poll() {
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long now = System.nanoTime();
        long intervalNs = Math.max(1, now - lastPollNs);
        lastPollNs = now;
        int[] counts = new int[2];
        Set<Integer> gone = exited ? Set.of() : rescan(counts);
        List<ThreadReading> readings = new ArrayList<>(threads.size());
        Iterator<ThreadCounters> it = threads.values().iterator();
        while (it.hasNext()) {
            ThreadCounters t = it.next();
            boolean ended = gone.contains(t.tid) || exited;
            ThreadReading r = t.read(scratch, intervalNs, ended);
            if (r != null) {
                readings.add(r);
            }
            if (ended || r == null) {
                t.close();
                it.remove();
            }
        }
        Interval interval = new Interval(pid, Instant.now(), sequence++, intervalNs, Collections.unmodifiableList(
                readings), counts[0], counts[1], exited, THREADS.getCurrentThreadCpuTime() - cpu0);
        return interval;
    }

    /** Opens counters on new threads; returns the tids that are gone. counts[0] += started, counts[1] += ended. */
    private Set<Integer> rescan(int[] counts) {
        List<Integer> tids = ProcTasks.tids(pid);
        if (tids.isEmpty() || ProcTasks.isZombie(pid)) {
            exited = true;
            counts[1] += threads.size();
            return Set.copyOf(threads.keySet());
        }
        Set<Integer> now = new HashSet<>(tids);
        Set<Integer> gone = new HashSet<>();
        for (Integer tid : threads.keySet()) {
            if (!now.contains(tid)) {
                gone.add(tid);
            }
        }
        counts[1] += gone.size();
        refused.retainAll(now);
        boolean fresh = false;
        for (Integer tid : tids) {
            fresh |= !threads.containsKey(tid);
        }
        if (fresh) {
            namer.refresh(pid, true);
        }
        int[] errno = new int[1];
        for (Integer tid : tids) {
            if (threads.containsKey(tid) || refused.contains(tid)) {
                continue;
            }
            ThreadCounters t = ThreadCounters.open(tid, groups, probe.userOnly(), attr, errno);
            if (t == null) {
                if (errno[0] != CounterGroup.GONE && errno[0] != -Errno.ESRCH) {
                    // An event that opened on the main thread failing on another one: not expected; skip the thread
                    // rather than stop watching the others.
                    refused.add(tid);
                    System.err.println("vos perf: not counting tid " + tid + ": " + EventProbe.errnoName(-errno[0]));
                }
                continue;
            }
            t.name = namer.name(pid, tid);
            threads.put(tid, t);
            counts[0]++;
        }
        return gone;
    }

    @Override
    public void close() {
        threads.values().forEach(ThreadCounters::close);
        threads.clear();
        arena.close();
    }
}
