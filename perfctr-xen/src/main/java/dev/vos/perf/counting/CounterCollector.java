package dev.vos.perf.counting;

import dev.vos.perf.EventSelection;
import dev.vos.perf.EventSpec;
import dev.vos.perf.NoSuchProcessException;
import dev.vos.perf.PerfEvent;
import dev.vos.perf.PerfEventAttr;
import dev.vos.perf.PerfException;
import dev.vos.perf.proc.ProcTasks;
import dev.vos.perf.sys.GroupReadDescriptor;
import dev.vos.sys.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Accumulative mode: counters on every thread of one process (or on the threads given), read at each
 * {@link #poll()}; every thread of the target is counted from the moment of attaching to the moment of closing.
 *
 * <p><b>How every thread is counted.</b> The threads there at attach get counter groups that are inherited
 * ({@code inherit = 1}, as {@code perf stat -p} opens them): every thread they create from then on, however briefly
 * it lives, is counted into the group of the attached thread it descends from, so the process's counts
 * ({@link Interval#process()}) are exact. A {@link ThreadTracker} reports each new thread within a drain
 * ({@link #track()}), and the thread then gets a group of its own (not inherited), so that it has a row of its own;
 * its counts are subtracted from the row of the attached thread it descends from. What a new thread did before it
 * got its own counters (the time between its creation and the next drain), and the whole of a thread that ended
 * before that, stay in that row: exactly where perf counts all of them.
 *
 * <p>When the tracker cannot be used (more than {@link ThreadTracker#MAX_EVENTS} tracking events, or no ring could
 * be mapped), the rows are those of the attached threads, each with every thread it created in it (perf's rows); the
 * process's counts are exact either way. With {@link Options#inherit()} false (perf's {@code --no-inherit}), only the
 * attached threads are counted.
 *
 * <p>Every poll also measures its own CPU cost ({@link Interval#collectorCpuNs()}).
 *
 * <p>Not thread-safe: one thread at a time polls and tracks (the CLI's main thread, or a scheduler); it may be
 * handed from one thread to another.
 */
public final class CounterCollector implements IntervalSource {

    /**
     * How to attach.
     *
     * @param events       what to count, grouped
     * @param namer        how threads are named
     * @param inherit      count the threads the attached ones create (perf's default; {@code -i} turns it off)
     * @param enableOnExec start counting at the target's next exec (a command started stopped, as perf's is)
     * @param tids         only these threads of the process (and those they create), or null for all of them
     */
    public record Options(EventSelection events, ThreadNamer namer, boolean inherit, boolean enableOnExec,
                          List<Integer> tids) {

        /** Every thread, inherited, counting now. */
        public static Options of(EventSelection events, ThreadNamer namer) {
            return new Options(events, namer, true, false, null);
        }

        /** A copy with {@code inherit}. */
        public Options withInherit(boolean on) {
            return new Options(events, namer, on, enableOnExec, tids);
        }

        /** A copy counting from the target's next exec. */
        public Options withEnableOnExec(boolean on) {
            return new Options(events, namer, inherit, on, tids);
        }

        /** A copy for these threads only. */
        public Options withThreads(List<Integer> only) {
            return new Options(events, namer, inherit, enableOnExec, only == null ? null : List.copyOf(only));
        }
    }

    /**
     * Where attaching spent its time, for {@code vos perf stat -v} and the attach-time benchmark.
     *
     * @param listNs   listing the threads in /proc the first time
     * @param probeNs  opening each event once, alone, to learn which this machine has
     * @param openNs   opening every attached thread's counters and tracking events
     * @param settleNs listing /proc again until no thread created while attaching is left without counters
     * @param threads  threads attached
     * @param opened   perf_event_open calls that succeeded in the open and settle phases
     */
    public record AttachTimings(long listNs, long probeNs, long openNs, long settleNs, int threads, int opened) {
    }

    /** Rounds of listing /proc at attach, to give the threads created while attaching their counters too. */
    static final int SETTLE_ROUNDS = 20;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** A thread with counters of its own. */
    private abstract static class Row {
        final int tid;
        String name;
        final ThreadCounters counters;
        /** Per event: what the rows so far gave this thread. */
        final long[] reported;
        boolean ended;
        boolean endReported;

        Row(int tid, String name, ThreadCounters counters, int events) {
            this.tid = tid;
            this.name = name;
            this.counters = counters;
            this.reported = new long[events];
        }
    }

    /** A thread found at attach: its group counts it and every thread it created since. */
    private static final class Root extends Row {
        /** System.nanoTime() once its group was open: threads it created after that are counted in the group. */
        final long inheritFromNs;
        /** Per event: the final counts of the threads with rows of their own that descend from it and ended. */
        final long[] endedLates;
        /** Per event: the counts of those still running, as read in this poll. */
        final long[] liveLates;
        /** The threads with rows of their own that descend from it, still running. */
        final List<Late> lates = new ArrayList<>();

        Root(int tid, String name, ThreadCounters counters, int events, long inheritFromNs) {
            super(tid, name, counters, events);
            this.inheritFromNs = inheritFromNs;
            this.endedLates = new long[events];
            this.liveLates = new long[events];
        }
    }

    /** A thread created after attaching, found by the tracker: its own counters, from when it was found. */
    private static final class Late extends Row {
        final int root;

        Late(int tid, String name, ThreadCounters counters, int events, int root) {
            super(tid, name, counters, events);
            this.root = root;
        }
    }

    private final int pid;
    private final Options options;
    private final EventProbe.Result probe;
    private final EventSelection selection;
    private final int eventCount;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment attr;
    private final MemorySegment scratch;
    private ThreadTracker tracker;
    private String trackingNote = "";
    private final Map<Integer, Root> roots = new LinkedHashMap<>();
    private final Map<Integer, Late> lates = new LinkedHashMap<>();
    /** Threads the tracker saw created, not yet given counters nor ended: tid to the attached thread's tid. */
    private final Map<Integer, Integer> pending = new LinkedHashMap<>();
    /** Threads the tracker saw created while attaching: not attached threads, whatever /proc says. */
    private final Set<Integer> forked = new HashSet<>();
    private final Map<Integer, String> names = new HashMap<>();
    /** Threads whose counters failed to open for a reason other than their end: not retried, said once. */
    private final Set<Integer> refused = new HashSet<>();
    private final long[] processPrevious;
    private long lastPollNs;
    private long sequence;
    private boolean exited;
    private boolean closed;
    private int started;
    private int ended;
    private AttachTimings timings;

    private CounterCollector(int pid, Options options, EventProbe.Result probe) {
        this.pid = pid;
        this.options = options;
        this.probe = probe;
        this.selection = probe.selection();
        this.eventCount = selection.events().size();
        this.attr = PerfEventAttr.allocate(arena);
        this.scratch = arena.allocate(GroupReadDescriptor.length(eventCount), 8);
        this.processPrevious = new long[eventCount];
    }

    /**
     * Attaches to every thread of {@code pid} now, counting {@code events} (grouped as events outside braces are).
     *
     * @throws NoSuchProcessException when pid does not exist
     * @throws dev.vos.perf.PerfAccessException when the kernel refuses to let this process watch pid
     * @throws PerfException          when none of the events can be counted here (the message says why)
     */
    public static CounterCollector attach(int pid, List<PerfEvent> events, ThreadNamer namer) throws PerfException {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("no events to count");
        }
        return attach(pid, Options.of(EventSelection.of(events), namer));
    }

    /**
     * Attaches to the threads of {@code pid} that {@code options} names (all of them by default).
     *
     * @throws NoSuchProcessException when pid (or a thread asked for) does not exist
     * @throws dev.vos.perf.PerfAccessException when the kernel refuses to let this process watch pid
     * @throws PerfException          when none of the events can be counted here (the message says why)
     */
    public static CounterCollector attach(int pid, Options options) throws PerfException {
        if (pid <= 0 || !ProcTasks.exists(pid)) {
            throw new NoSuchProcessException(pid);
        }
        long t0 = System.nanoTime();
        List<Integer> first = options.tids() == null ? ProcTasks.tids(pid) : options.tids();
        if (first.isEmpty()) {
            throw new NoSuchProcessException(pid);
        }
        long t1 = System.nanoTime();
        EventProbe.Result probe = EventProbe.probe(pid, options.tids() == null ? pid : first.getFirst(), -1,
                options.events());
        if (probe.available().isEmpty()) {
            throw new PerfException("none of the events can be counted here: " + reasons(probe.events()));
        }
        long t2 = System.nanoTime();
        CounterCollector c = new CounterCollector(pid, options, probe);
        long[] settled = new long[1];
        try {
            c.start(first, settled);
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
        long t4 = System.nanoTime();
        int perThread = c.selection.events().size() + (c.tracker == null ? 0 : c.tracker.cpuCount());
        c.timings = new AttachTimings(t1 - t0, t2 - t1, settled[0] - t2, t4 - settled[0], c.roots.size(),
                c.roots.size() * perThread);
        if (c.roots.isEmpty()) {
            c.close();
            throw new NoSuchProcessException(pid);
        }
        return c;
    }

    /** "cycles, instructions: not supported: ...; r003c: ...": the events that failed, by reason. */
    public static String reasons(List<EventAvailability> events) {
        Map<String, List<String>> byReason = new LinkedHashMap<>();
        for (EventAvailability a : events) {
            if (!a.available()) {
                byReason.computeIfAbsent(a.reason(), k -> new ArrayList<>()).add(a.event().name());
            }
        }
        return byReason.entrySet().stream().map(e -> String.join(", ", e.getValue()) + ": " + e.getKey())
                .collect(Collectors.joining("; "));
    }

    /** Opens the first threads' counters; {@code settled[0]}: when that was done and settling began. */
    private void start(List<Integer> first, long[] settled) {
        if (options.inherit()) {
            tracker = ThreadTracker.create(probe.userOnly());
            if (tracker != null && first.size() > tracker.capacity()) {
                trackingNote = first.size() + " threads exceed the tracker's " + ThreadTracker.MAX_EVENTS
                        + " events: threads created later are counted in their creators' rows";
                tracker.close();
                tracker = null;
            }
        }
        for (int tid : first) {
            addRoot(tid);
        }
        settled[0] = System.nanoTime();
        if (tracker != null && options.tids() == null) {
            settle();
        }
        forked.clear();
        lastPollNs = System.nanoTime();
    }

    /** Gives the threads created while attaching, by threads not yet attached, counters of their own. */
    private void settle() {
        for (int round = 0; round < SETTLE_ROUNDS; round++) {
            track();
            Set<Integer> unknown = new LinkedHashSet<>(ProcTasks.tids(pid));
            unknown.removeIf(this::known);
            if (unknown.isEmpty()) {
                return;
            }
            track(); // a FORK written just after the listing: that thread was inherited
            unknown.removeIf(this::known);
            unknown.forEach(this::addRoot);
        }
    }

    private boolean known(int tid) {
        return roots.containsKey(tid) || lates.containsKey(tid) || pending.containsKey(tid) || forked.contains(tid)
                || refused.contains(tid);
    }

    /**
     * Attaches to {@code tid}: its tracking events first, then its inherited counters. In that order, a thread it
     * creates in between is reported (its FORK comes before {@link Root#inheritFromNs}) and becomes an attached
     * thread itself; in the other order it would be counted in the group and never reported, and then attached
     * again when found in /proc: counted twice.
     */
    private void addRoot(int tid) {
        if (tracker != null) {
            int err = tracker.add(tid);
            if (err < 0 && err != -Errno.ESRCH) {
                String why = EventProbe.errnoName(-err) + " from the tracker" + (err == -Errno.EPERM
                        || err == -Errno.ENOMEM ? ": raise kernel.perf_event_mlock_kb" : "");
                if (tracker.tracked() == 0) {
                    trackingNote = "threads created later are counted in their creators' rows (" + why + ")";
                    tracker.close();
                    tracker = null;
                } else if (trackingNote.isEmpty()) {
                    trackingNote = "threads created by some attached threads are counted in their creators' rows ("
                            + why + ")";
                }
            }
        }
        int[] errno = new int[1];
        ThreadCounters t = ThreadCounters.open(tid, -1, selection, options.inherit(), options.enableOnExec(), attr,
                errno);
        long inheritFromNs = System.nanoTime();
        if (t == null) {
            refuse(tid, errno[0]);
            return;
        }
        String name = options.namer().name(pid, tid);
        names.put(tid, name);
        roots.put(tid, new Root(tid, name, t, eventCount, inheritFromNs));
    }

    private void refuse(int tid, int errno) {
        if (errno != CounterGroup.GONE && errno != -Errno.ESRCH && refused.add(tid)) {
            // An event that opened on one thread failing on another one: not expected; skip the thread rather than
            // stop watching the others.
            System.err.println("vos perf: not counting tid " + tid + ": " + EventProbe.errnoName(-errno));
        }
    }

    /** Where attaching spent its time. */
    public AttachTimings attachTimings() {
        return timings;
    }

    /** The target. */
    public int pid() {
        return pid;
    }

    @Override
    public List<EventAvailability> availability() {
        return probe.events();
    }

    @Override
    public List<EventSpec> events() {
        return selection.events();
    }

    /** True when only user space is counted (an unprivileged watcher at perf_event_paranoid >= 2). */
    public boolean userOnly() {
        return probe.userOnly();
    }

    /** Threads watched now with counters of their own. */
    public int threadCount() {
        int n = 0;
        for (Root r : roots.values()) {
            n += r.ended ? 0 : 1;
        }
        return n + lates.size();
    }

    /** True when threads created after attaching get rows of their own (see the class comment). */
    public boolean tracking() {
        return tracker != null;
    }

    /** Why threads created after attaching may not get rows of their own; empty when they do. */
    public String trackingNote() {
        return trackingNote;
    }

    @Override
    public List<String> notes() {
        List<String> notes = new ArrayList<>();
        if (!trackingNote.isEmpty()) {
            notes.add(trackingNote);
        }
        if (lostRecords() > 0) {
            notes.add(lostRecords() + " thread records lost (a ring overflowed): those threads are counted in their"
                    + " creators' rows");
        }
        return notes;
    }

    /** Tracker records the kernel dropped (their threads stay in their creators' rows). */
    public long lostRecords() {
        return tracker == null ? 0 : tracker.lost();
    }

    @Override
    public boolean targetExited() {
        return exited;
    }

    /**
     * Gives the threads created since the last call counters of their own, and notes renames and ends. Cheap when
     * nothing happened (a load of each CPU ring's head): call it often (every 10 ms, say) between polls, so that
     * a new thread is counted on its own from its first milliseconds. {@link #poll()} calls it too.
     */
    @Override
    public void track() {
        if (tracker == null || closed) {
            return;
        }
        boolean fresh = false;
        List<Integer> uncounted = new ArrayList<>();
        for (ThreadTracker.TaskEvent e : tracker.drain()) {
            switch (e.kind()) {
                case FORK -> fresh |= onFork(e, uncounted);
                case COMM -> onComm(e);
                case EXIT -> onExit(e.tid());
                default -> throw new IllegalStateException(e.kind().name());
            }
        }
        uncounted.forEach(this::addRoot);
        if (fresh) {
            openPending();
        }
    }

    /**
     * A thread created: counted in the group of the attached thread it descends from, unless it was created
     * before that group was open (while attaching), in which case it is attached itself ({@code uncounted}).
     */
    private boolean onFork(ThreadTracker.TaskEvent e, List<Integer> uncounted) {
        int tid = e.tid();
        if (roots.containsKey(tid) || lates.containsKey(tid) || pending.containsKey(tid)) {
            return false;
        }
        Root root = roots.get(rootOf(e.parent(), e.root()));
        if (root == null) {
            return false;
        }
        started++;
        forked.add(tid);
        names.put(tid, names.getOrDefault(e.parent(), root.name));
        if (e.timeNs() < root.inheritFromNs) {
            uncounted.add(tid);
            return false;
        }
        pending.put(tid, root.tid);
        return true;
    }

    /** The attached thread a new thread's creator descends from ({@code fallback}: as the tracker says). */
    private int rootOf(int parent, int fallback) {
        if (roots.containsKey(parent)) {
            return parent;
        }
        Late l = lates.get(parent);
        if (l != null) {
            return l.root;
        }
        return pending.getOrDefault(parent, fallback);
    }

    private void onComm(ThreadTracker.TaskEvent e) {
        names.put(e.tid(), e.name());
        Row r = row(e.tid());
        if (r != null && options.namer() == ThreadNamer.COMM) {
            r.name = e.name();
        }
    }

    private void onExit(int tid) {
        if (pending.remove(tid) != null) {
            ended++;
            return;
        }
        Row r = row(tid);
        if (r != null && !r.ended) {
            r.ended = true;
            ended++;
        }
    }

    private Row row(int tid) {
        Row r = lates.get(tid);
        return r != null ? r : roots.get(tid);
    }

    private void openPending() {
        options.namer().refresh(pid, true);
        int[] errno = new int[1];
        Iterator<Map.Entry<Integer, Integer>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Integer, Integer> p = it.next();
            int tid = p.getKey();
            if (!roots.containsKey(p.getValue())) {
                it.remove();
                continue;
            }
            ThreadCounters t = ThreadCounters.open(tid, -1, selection, false, false, attr, errno);
            if (t == null) {
                if (errno[0] != CounterGroup.GONE) {
                    refuse(tid, errno[0]);
                    it.remove();
                }
                continue; // gone: its EXIT is on its way, and it stays in its creator's row
            }
            String name = options.namer() == ThreadNamer.COMM ? names.getOrDefault(tid, "?")
                    : options.namer().name(pid, tid);
            Late late = new Late(tid, name, t, eventCount, p.getValue());
            lates.put(tid, late);
            roots.get(p.getValue()).lates.add(late);
            it.remove();
        }
    }

    /** Reads every thread's counters: one interval since the previous poll. */
    @Override
    public Interval poll() {
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long now = System.nanoTime();
        long intervalNs = Math.max(1, now - lastPollNs);
        lastPollNs = now;
        List<ThreadReading> readings = new ArrayList<>();
        List<CounterReading> process = List.of();
        if (!closed) {
            track();
            if (!exited) {
                rescan();
            }
            double seconds = intervalNs / 1e9;
            process = read(readings, seconds);
            if (exited) {
                release();
            }
        }
        Interval iv = new Interval(pid, Instant.now(), sequence++, intervalNs, Collections.unmodifiableList(readings),
                started, ended, exited, THREADS.getCurrentThreadCpuTime() - cpu0, process);
        started = 0;
        ended = 0;
        return iv;
    }

    /** Notes threads gone from /proc (an EXIT record lost) and the target's own end. */
    private void rescan() {
        List<Integer> tids = ProcTasks.tids(pid);
        if (tids.isEmpty() || ProcTasks.isZombie(pid)) {
            exited = true;
            ended += pending.size();
            pending.clear();
            for (Row r : rows()) {
                if (!r.ended) {
                    r.ended = true;
                    ended++;
                }
            }
            return;
        }
        // A thread of a child process the target started (counted too, as perf counts it) is not in the target's
        // task list: it is looked for on its own.
        Set<Integer> now = new HashSet<>(tids);
        for (Row r : rows()) {
            if (!r.ended && !now.contains(r.tid) && !ProcTasks.alive(r.tid)) {
                r.ended = true;
                ended++;
            }
        }
        Iterator<Integer> it = pending.keySet().iterator();
        while (it.hasNext()) {
            int tid = it.next();
            if (!now.contains(tid) && !ProcTasks.alive(tid)) {
                it.remove();
                ended++;
            }
        }
    }

    private List<Row> rows() {
        List<Row> all = new ArrayList<>(roots.values());
        all.addAll(lates.values());
        return all;
    }

    /**
     * Reads every attached thread's group and then the rows of the threads that descend from it, whose counts are
     * taken from its row; returns the process's exact counts (the sum of the groups).
     *
     * <p>The group first: a thread with its own row that runs between the two reads then makes its attached thread's
     * row smaller for this poll, not larger; a row never goes below what it already gave, and the next poll (or the
     * last) gives the difference back, so the end is exact. In the other order that run time would be counted in
     * both rows, for good.
     */
    private List<CounterReading> read(List<ThreadReading> out, double seconds) {
        long[] process = new long[eventCount];
        long[] running = new long[eventCount];
        double[] fraction = new double[eventCount];
        Arrays.fill(fraction, 1.0);
        for (Root r : roots.values()) {
            boolean read = r.counters.read(scratch);
            readLates(r, out, seconds);
            if (!read) {
                continue; // a read of an open counter does not fail; should it, keep the last counts
            }
            long[] delta = new long[eventCount];
            boolean any = false;
            for (int i = 0; i < eventCount; i++) {
                long own = r.counters.totals[i] - r.endedLates[i] - r.liveLates[i];
                delta[i] = Math.max(0, own - r.reported[i]);
                r.reported[i] += delta[i];
                any |= delta[i] != 0;
                process[i] += r.counters.totals[i];
                running[i] += r.counters.runningNs[i];
                fraction[i] = Math.min(fraction[i], r.counters.fractions[i]);
            }
            // An attached thread that ended stays open (it still counts the threads it created); it has a row again
            // only when that count moves.
            if (!r.endReported || any) {
                out.add(reading(r, delta, r.counters, seconds));
            }
        }
        List<CounterReading> readings = new ArrayList<>(eventCount);
        for (int i = 0; i < eventCount; i++) {
            long delta = Math.max(0, process[i] - processPrevious[i]);
            processPrevious[i] = Math.max(process[i], processPrevious[i]);
            readings.add(new CounterReading(selection.events().get(i), processPrevious[i], delta, delta / seconds,
                    fraction[i], running[i]));
        }
        return Collections.unmodifiableList(readings);
    }

    /** The rows of the threads found late that descend from {@code root}; their sums go into its accounts. */
    private void readLates(Root root, List<ThreadReading> out, double seconds) {
        Arrays.fill(root.liveLates, 0);
        Iterator<Late> it = root.lates.iterator();
        while (it.hasNext()) {
            Late t = it.next();
            if (!t.counters.read(scratch)) {
                t.ended = true; // unreadable: its last counts are what it has
            }
            long[] delta = new long[eventCount];
            for (int i = 0; i < eventCount; i++) {
                delta[i] = Math.max(0, t.counters.totals[i] - t.reported[i]);
                t.reported[i] += delta[i];
                (t.ended ? root.endedLates : root.liveLates)[i] += t.reported[i];
            }
            out.add(reading(t, delta, t.counters, seconds));
            if (t.ended) {
                t.counters.close();
                it.remove();
                lates.remove(t.tid);
            }
        }
    }

    private ThreadReading reading(Row r, long[] delta, ThreadCounters c, double seconds) {
        Map<EventSpec, CounterReading> counters = new LinkedHashMap<>();
        for (int i = 0; i < eventCount; i++) {
            EventSpec e = selection.events().get(i);
            counters.put(e, new CounterReading(e, r.reported[i], delta[i], delta[i] / seconds, c.fractions[i],
                    c.runningNs[i]));
        }
        boolean endsNow = r.ended && !r.endReported;
        r.endReported |= r.ended;
        return new ThreadReading(r.tid, r.name, endsNow || r.ended, Collections.unmodifiableMap(counters));
    }

    /** Closes every counter; the collector reads nothing more. */
    private void release() {
        lates.values().forEach(t -> t.counters.close());
        lates.clear();
        roots.values().forEach(r -> r.counters.close());
        roots.clear();
        pending.clear();
        if (tracker != null) {
            tracker.close();
            tracker = null;
        }
        closed = true;
    }

    @Override
    public void close() {
        if (!closed) {
            release();
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
