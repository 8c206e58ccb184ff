package dev.vos.ring.client;

import dev.vos.ring.HangEvidence;
import dev.vos.ring.ProcStat;
import dev.vos.ring.RingFailure;
import dev.vos.ring.RingSegment;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static dev.vos.ring.layout.HeaderLayout.HEARTBEAT_NS_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.SERVER_PID_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.SERVER_START_TICKS_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.STUCK_CALL_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.STUCK_NS_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.STUCK_WORKER_OFFSET;

/**
 * Decides, for the client's monitor, whether a serving server is hung, on more evidence than one stale timestamp.
 * On a loaded host a healthy server's heartbeat thread may wait for a CPU longer than the liveness timeout; it is
 * then runnable, or keeps waiting for CPUs, and that is not a hang. The CPU times of {@code /proc/PID/stat} are
 * sampled at the timer tick and miss the short bursts of a starved thread; the scheduler's own accounts
 * ({@code schedstat}: nanoseconds run, and waited on a run queue) do not, so they decide where the kernel has them.
 * Called once per monitor period while SERVER_STATE is SERVING:
 * <ol>
 *   <li>the server reports a stuck worker (STUCK_NS is not 0): hung at once
 *       ({@link HangEvidence.WorkerStuck});</li>
 *   <li>the heartbeat is no older than the timeout: alive;</li>
 *   <li>the server's process cannot be found in this {@code /proc}: hung, on the heartbeat alone
 *       ({@link HangEvidence.HeartbeatOnly}), as before there was other evidence;</li>
 *   <li>it is gone, or a zombie: it died ({@link RingFailure.Died#unknown()}), not a hang;</li>
 *   <li>it is stopped (state T or t): hung at once ({@link HangEvidence.ProcessStopped});</li>
 *   <li>the heartbeat is older than the cap, {@value #CAP_FACTOR} x the timeout: hung however busy
 *       ({@link HangEvidence.BusyPastCap});</li>
 *   <li>a thread is runnable, or the process moved since the previous look (a heartbeat thread ran or waited for
 *       a CPU, or its threads waited for CPUs a tenth of the time, by the scheduler's {@code schedstat}; without
 *       it, the process was charged CPU time): busy, look again next period;</li>
 *   <li>otherwise every thread sleeps or waits for I/O and nothing moved: at the first such look, look again; once
 *       the window since the last look that saw movement spans two periods, hung ({@link
 *       HangEvidence.NoProgress}).</li>
 * </ol>
 * The heartbeat is read again after each look at {@code /proc}: a server that beat meanwhile is alive, whatever
 * the look said. Everything here runs on the monitor thread only.
 */
final class HangJudge {

    /** A server that is busy but never beats is hung once its heartbeat is this many liveness timeouts old. */
    static final int CAP_FACTOR = 10;
    /** A thread's name in {@code /proc} is its first 15 characters. */
    private static final String HEARTBEAT_THREAD_NAME = HangEvidence.HEARTBEAT_THREAD.substring(0, 15);

    private final RingSegment segment;
    private final long livenessTimeoutNs;
    private final long capNs;
    private final long periodNs;
    /** The server's process in this {@code /proc}: 0 until looked for, -1 when not found. */
    private long pid;
    private long startTicks;
    private String notFound = "";
    /** The previous look of the current stale stretch (null outside one), and when it was taken. */
    private ProcStat.Look previous;
    private long previousAtNs;

    HangJudge(RingSegment segment, long livenessTimeoutNs) {
        this.segment = segment;
        this.livenessTimeoutNs = livenessTimeoutNs;
        this.capNs = CAP_FACTOR * livenessTimeoutNs;
        this.periodNs = Math.max(1_000_000L, livenessTimeoutNs / 10);
    }

    /** The failure to report now, or null while the server is alive or only busy. */
    RingFailure judge(long nowNs) {
        long beat = segment.getLongAcquire(HEARTBEAT_NS_OFFSET);
        // Written before the heartbeat's release store: at least as new as the beat just read.
        long stuckNs = segment.getLongPlain(STUCK_NS_OFFSET);
        long ageNs = nowNs - beat;
        if (stuckNs > 0) {
            return new RingFailure.Hung(ageNs, livenessTimeoutNs, new HangEvidence.WorkerStuck(
                    segment.getIntPlain(STUCK_WORKER_OFFSET), segment.getIntPlain(STUCK_CALL_OFFSET), stuckNs));
        }
        if (pid == 0) {
            find();
        }
        if (ageNs <= livenessTimeoutNs) {
            previous = null;
            return null;
        }
        if (pid < 0) {
            return new RingFailure.Hung(ageNs, livenessTimeoutNs, new HangEvidence.HeartbeatOnly(notFound));
        }
        Optional<ProcStat.Look> seen = ProcStat.look(pid, startTicks, HEARTBEAT_THREAD_NAME);
        if (segment.getLongAcquire(HEARTBEAT_NS_OFFSET) != beat) {
            previous = null; // it beat while we looked: alive
            return null;
        }
        if (seen.isEmpty() || seen.get().exiting()) {
            return RingFailure.Died.unknown();
        }
        ProcStat.Look look = seen.get();
        if (look.isStopped()) {
            return new RingFailure.Hung(ageNs, livenessTimeoutNs, new HangEvidence.ProcessStopped(
                    look.leader().state()));
        }
        if (ageNs > capNs) {
            return new RingFailure.Hung(ageNs, livenessTimeoutNs, new HangEvidence.BusyPastCap(look.running(),
                    capNs));
        }
        if (look.running() > 0 || previous == null || moved(previous, look, nowNs - previousAtNs)) {
            previous = look; // runnable, or it moved: busy (a loaded host); or the first look of this stretch
            previousAtNs = nowNs;
            return null;
        }
        if (nowNs - previousAtNs < 2 * periodNs) {
            return null; // too short a window: a healthy heartbeat thread sleeps a period between beats
        }
        return new RingFailure.Hung(ageNs, livenessTimeoutNs, new HangEvidence.NoProgress(look.threads(),
                look.diskWait(), nowNs - previousAtNs, !look.watched().isEmpty() && look.waitNs() >= 0));
    }

    /**
     * Whether the process moved between {@code before} and {@code now}, {@code windowNs} apart. By the scheduler's
     * accounts: a heartbeat thread ran or waited for a CPU (a new one counts as moving), or the process's threads
     * together waited for a CPU at least a tenth of the window (a starved process: a blocked one does not wait for
     * a CPU). Without those accounts: the process was charged CPU time.
     */
    private static boolean moved(ProcStat.Look before, ProcStat.Look now, long windowNs) {
        if (now.watched().isEmpty() || now.waitNs() < 0 || before.waitNs() < 0) {
            return now.leader().cpuTicks() != before.leader().cpuTicks();
        }
        for (Map.Entry<Long, ProcStat.Sched> thread : now.watched().entrySet()) {
            ProcStat.Sched then = before.watched().get(thread.getKey());
            if (then == null || thread.getValue().movedSince(then)) {
                return true;
            }
        }
        return now.waitNs() - before.waitNs() >= windowNs / 10;
    }

    /**
     * Finds the server's process from SERVER_PID (its pid in its own namespace) and SERVER_START_TICKS, which the
     * server wrote before it published SERVING; once per ring.
     */
    private void find() {
        long nsPid = segment.getIntPlain(SERVER_PID_OFFSET);
        startTicks = segment.getLongPlain(SERVER_START_TICKS_OFFSET);
        if (startTicks <= 0) {
            pid = -1;
            notFound = "the server did not say when its process started";
            return;
        }
        OptionalLong found = ProcStat.find(nsPid, startTicks);
        pid = found.orElse(-1);
        if (found.isEmpty()) {
            notFound = "no process here is pid " + nsPid + " of the server's namespace, started at tick " + startTicks;
        }
    }
}
