package dev.vos.ring.server;

import dev.vos.ring.ProcStat;
import dev.vos.ring.RingSegment;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static dev.vos.ring.layout.HeaderLayout.STUCK_CALL_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.STUCK_NS_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.STUCK_WORKER_OFFSET;

/**
 * Whether the workers of this process make progress, judged by a server's heartbeat thread at each beat, so that a
 * worker deadlocked inside a handler is found although the heartbeat goes on. Every worker of every server in the
 * process is watched, not only the server's own: a domain with a deadlocked worker is hung for its supervisor,
 * whose health ring carries no calls of its own, and each server judges with its own ring's liveness timeout.
 *
 * <p>Each worker's progress word ({@code ServerWorker.callSequence}) is odd while it is inside a call. A worker
 * seen inside the same call for longer than the timeout is <em>stuck</em> when its thread is neither runnable (R)
 * nor waiting for I/O (D) and, for at least half the timeout, neither ran nor waited for a CPU, as {@code
 * /proc/PID/task/TID/stat} and {@code schedstat} show (a thread in I/O wait is the kernel working for it: a slow
 * {@code fsync} on a loaded disk is not a deadlock; without {@code schedstat}, the tick-sampled CPU time stands in);
 * or, however busy, once it has been inside the call for {@value #CAP_FACTOR} x the timeout. Calls registered with
 * {@link CallTable.Builder#addMayWait} are never stuck. Without {@code /proc} the worker's Java state stands in:
 * blocked or waiting counts as no progress.
 *
 * <p>The verdict is published in line 1 of the header: STUCK_NS (the longest a stuck worker has been inside its
 * call, 0 if none), STUCK_CALL and STUCK_WORKER (the worker's number in this process), with plain stores, before
 * the heartbeat's release store of HEARTBEAT_NS, so that a client that reads the heartbeat with acquire sees them
 * at least as new. One instance per server, used by its heartbeat thread only.
 */
final class WorkerWatch {

    private static final System.Logger LOG = System.getLogger(WorkerWatch.class.getName());

    /** A worker inside one call for this many liveness timeouts is stuck however busy it looks. */
    static final int CAP_FACTOR = 10;

    /** Every running worker of this process: registered when its server attaches, removed when it closes. */
    private static final Set<ServerWorker> LIVE = ConcurrentHashMap.newKeySet();

    private final long timeoutNs;
    private final long capNs;
    private final Map<ServerWorker, Track> tracks = new IdentityHashMap<>();

    /** What this watch last saw of one worker. */
    private static final class Track {
        /** The progress word last seen, and when it was first seen. */
        long sequence;
        long seenAtNs;
        /** The last look at the worker's thread that showed progress (or the first look), and when; or null. */
        ProcStat.Task baseline;
        long baselineAtNs;
        /** The progress word of the call last logged as stuck, so each is logged once. */
        long reported;
    }

    WorkerWatch(long timeoutNs) {
        this.timeoutNs = timeoutNs;
        this.capNs = CAP_FACTOR * timeoutNs;
    }

    static void register(Iterable<ServerWorker> workers) {
        workers.forEach(LIVE::add);
    }

    static void unregister(Iterable<ServerWorker> workers) {
        workers.forEach(LIVE::remove);
    }

    /** Judges every worker of the process at {@code nowNs} and publishes the verdict into {@code segment}. */
    void check(long nowNs, RingSegment segment) {
        long worstNs = 0;
        int worstWorker = 0;
        int worstCall = 0;
        tracks.keySet().retainAll(LIVE);
        for (ServerWorker worker : LIVE) {
            long inCallNs = stuckFor(worker, tracks.computeIfAbsent(worker, w -> new Track()), nowNs);
            if (inCallNs > worstNs) {
                worstNs = inCallNs;
                worstWorker = worker.id;
                worstCall = worker.callNumber;
            }
        }
        segment.setIntPlain(STUCK_WORKER_OFFSET, worstWorker);
        segment.setIntPlain(STUCK_CALL_OFFSET, worstCall);
        segment.setLongPlain(STUCK_NS_OFFSET, worstNs);
    }

    /** How long {@code worker} has been stuck inside its call (see the class comment), or 0 if it is not. */
    private long stuckFor(ServerWorker worker, Track track, long nowNs) {
        long sequence = worker.callSequence();
        int call = worker.callNumber;
        if ((sequence & 1) == 0 || worker.mayWait(call)) {
            track.sequence = sequence; // between calls, or in one that may wait: nothing to judge
            track.baseline = null;
            return 0;
        }
        if (sequence != track.sequence) {
            track.sequence = sequence; // a new call since the last beat
            track.seenAtNs = nowNs;
            track.baseline = null;
            return 0;
        }
        long inCallNs = nowNs - track.seenAtNs;
        if (inCallNs > timeoutNs / 2 && track.baseline == null) {
            track.baseline = look(worker).orElse(null);
            track.baselineAtNs = nowNs;
        }
        if (inCallNs <= timeoutNs || (inCallNs <= capNs && progressing(worker, track, nowNs))) {
            return 0;
        }
        if (track.reported != sequence) {
            track.reported = sequence;
            LOG.log(Level.WARNING, "worker {0} is stuck: inside {1} for {2} ms without progress; the domain will be"
                    + " judged hung", worker.id, worker.callName(call), inCallNs / 1_000_000);
        }
        return inCallNs;
    }

    /**
     * Whether {@code worker}'s thread made progress: it is runnable or in I/O wait now, or since the baseline it ran
     * or waited for a CPU (by the scheduler's accounts; without them, it was charged CPU time); or the baseline is
     * younger than half the timeout (too soon to tell).
     */
    private boolean progressing(ServerWorker worker, Track track, long nowNs) {
        Optional<ProcStat.Task> now = look(worker);
        if (now.isEmpty() || track.baseline == null) {
            Thread thread = worker.thread;
            return thread == null || thread.getState() == Thread.State.RUNNABLE;
        }
        ProcStat.Task before = track.baseline;
        char state = now.get().stat().state();
        boolean moved = now.get().sched() != null && before.sched() != null
                ? now.get().sched().movedSince(before.sched())
                : now.get().stat().cpuTicks() != before.stat().cpuTicks();
        if (state == 'R' || state == 'D' || moved) {
            track.baseline = now.get();
            track.baselineAtNs = nowNs;
            return true;
        }
        return nowNs - track.baselineAtNs < timeoutNs / 2;
    }

    private static Optional<ProcStat.Task> look(ServerWorker worker) {
        Path dir = worker.threadDirectory;
        return dir == null ? Optional.empty() : ProcStat.task(dir);
    }
}
