package dev.vos.ring.server;

import dev.vos.ring.ProcStat;
import dev.vos.ring.RingSegment;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;

import static dev.vos.ring.layout.HeaderLayout.STUCK_CALL_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.STUCK_NS_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.STUCK_WORKER_OFFSET;

/**
 * Whether a server's workers make progress, judged by its heartbeat thread at each beat, so that a worker
 * deadlocked inside a handler is found even though the heartbeat itself goes on. Each worker's progress word
 * ({@code ServerWorker.callSequence}) is odd while it is inside a call. A worker seen inside the same call for
 * longer than the liveness timeout is <em>stuck</em> when its thread is neither runnable (R) nor waiting for I/O
 * (D) and used no CPU for at least half the timeout, as {@code /proc/PID/task/TID/stat} shows (a thread in I/O wait
 * is the kernel working for it: a slow {@code fsync} on a loaded disk is not a deadlock); or, however busy, once it
 * has been inside the call for {@value #CAP_FACTOR} x the timeout. Calls registered with
 * {@link CallTable.Builder#addMayWait} are never stuck. Without {@code /proc} the worker's Java state stands in:
 * blocked or waiting counts as no progress.
 *
 * <p>The verdict is published in line 1 of the header: STUCK_NS (the longest a stuck worker has been inside its
 * call, 0 if none), STUCK_CALL and STUCK_WORKER, with plain stores, before the heartbeat's release store of
 * HEARTBEAT_NS, so that a client that reads the heartbeat with acquire sees them at least as new. The monitor
 * thread only: no locks.
 */
final class WorkerWatch {

    private static final System.Logger LOG = System.getLogger(WorkerWatch.class.getName());

    /** A worker inside one call for this many liveness timeouts is stuck however busy it looks. */
    static final int CAP_FACTOR = 10;

    private final List<ServerWorker> workers;
    private final List<Thread> threads;
    private final CallTable table;
    private final long timeoutNs;
    private final long capNs;
    /** Per worker: the progress word last seen, since when, and the last look at its thread that showed progress. */
    private final long[] seen;
    private final long[] seenAtNs;
    private final ProcStat.Stat[] baseline;
    private final long[] baselineAtNs;
    private final long[] reported;

    WorkerWatch(List<ServerWorker> workers, List<Thread> threads, CallTable table, long timeoutNs) {
        this.workers = workers;
        this.threads = threads;
        this.table = table;
        this.timeoutNs = timeoutNs;
        this.capNs = CAP_FACTOR * timeoutNs;
        int n = workers.size();
        this.seen = new long[n];
        this.seenAtNs = new long[n];
        this.baseline = new ProcStat.Stat[n];
        this.baselineAtNs = new long[n];
        this.reported = new long[n];
    }

    /** Judges every worker at {@code nowNs} and publishes the verdict into {@code segment}'s STUCK fields. */
    void check(long nowNs, RingSegment segment) {
        long worstNs = 0;
        int worstWorker = 0;
        int worstCall = 0;
        for (int i = 0; i < workers.size(); i++) {
            ServerWorker worker = workers.get(i);
            long sequence = worker.callSequence();
            int call = worker.callNumber;
            if ((sequence & 1) == 0 || table.mayWait(call)) {
                seen[i] = sequence; // between calls, or in one that may wait: nothing to judge
                baseline[i] = null;
                continue;
            }
            if (sequence != seen[i]) {
                seen[i] = sequence; // a new call since the last beat
                seenAtNs[i] = nowNs;
                baseline[i] = null;
                continue;
            }
            long inCallNs = nowNs - seenAtNs[i];
            if (inCallNs > timeoutNs / 2 && baseline[i] == null) {
                baseline[i] = look(i).orElse(null);
                baselineAtNs[i] = nowNs;
            }
            if (inCallNs <= timeoutNs || (inCallNs <= capNs && progressing(i, nowNs))) {
                continue;
            }
            if (reported[i] != sequence) {
                reported[i] = sequence;
                LOG.log(Level.WARNING, "worker {0} is stuck: inside {1} for {2} ms without progress; the domain"
                        + " will be judged hung", i, table.name(call), inCallNs / 1_000_000);
            }
            if (inCallNs > worstNs) {
                worstNs = inCallNs;
                worstWorker = i;
                worstCall = call;
            }
        }
        segment.setIntPlain(STUCK_WORKER_OFFSET, worstWorker);
        segment.setIntPlain(STUCK_CALL_OFFSET, worstCall);
        segment.setLongPlain(STUCK_NS_OFFSET, worstNs);
    }

    /**
     * Whether worker {@code i}'s thread made progress: it is runnable or in I/O wait now, or used CPU since the
     * baseline; or the baseline is younger than half the timeout (too soon to tell).
     */
    private boolean progressing(int i, long nowNs) {
        Optional<ProcStat.Stat> now = look(i);
        if (now.isEmpty() || baseline[i] == null) {
            Thread.State state = threads.get(i).getState();
            return state == Thread.State.RUNNABLE || state == Thread.State.NEW;
        }
        char state = now.get().state();
        if (state == 'R' || state == 'D' || now.get().cpuTicks() != baseline[i].cpuTicks()) {
            baseline[i] = now.get();
            baselineAtNs[i] = nowNs;
            return true;
        }
        return nowNs - baselineAtNs[i] < timeoutNs / 2;
    }

    private Optional<ProcStat.Stat> look(int i) {
        return workers.get(i).threadStat == null ? Optional.empty() : ProcStat.read(workers.get(i).threadStat);
    }
}
