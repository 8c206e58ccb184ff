package dev.vos.ring.transport.process;

import dev.vos.ring.HangEvidence;
import dev.vos.ring.ProcStat;
import dev.vos.ring.RingFailure;
import dev.vos.ring.RingSegment;
import dev.vos.ring.transport.PeerWatch;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

import static dev.vos.ring.layout.HeaderLayout.SERVER_PID_NAMESPACE_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.SERVER_PID_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.SERVER_START_TICKS_OFFSET;

/**
 * The process transport's watch of a server whose heartbeat went stale: what {@code /proc} says about its process.
 * On a loaded host a healthy server's heartbeat thread may wait for a CPU longer than the liveness timeout; it is then
 * runnable, or keeps waiting for CPUs, and that is not a hang. The CPU times of {@code /proc/PID/stat} are sampled at
 * the timer tick and miss the short bursts of a starved thread; the scheduler's own accounts ({@code schedstat}:
 * nanoseconds run, and waited on a run queue) do not, so they decide where the kernel has them. Once the heartbeat
 * is stale (steps 1 and 2 are the ring's, in {@code HangJudge}):
 * <ol start="3">
 *   <li>the server's process cannot be found in this {@code /proc}: if the server said it is in this process's
 *       pid namespace, it is gone: it died ({@link RingFailure.Died#unknown()}); else it may be where this
 *       {@code /proc} does not show (another namespace, another domain): hung, on the heartbeat alone ({@link
 *       HangEvidence.HeartbeatOnly});</li>
 *   <li>it is gone, or a zombie: it died ({@link RingFailure.Died#unknown()}), not a hang;</li>
 *   <li>it is stopped (state T or t): hung at once ({@link HangEvidence.ProcessStopped});</li>
 *   <li>the heartbeat is older than the cap, {@value #CAP_FACTOR} x the timeout: hung however busy
 *       ({@link HangEvidence.BusyPastCap});</li>
 *   <li>a thread is runnable, or the process moved since the previous look (a heartbeat thread ran or waited for
 *       a CPU, or its threads waited for CPUs a tenth of the time; without {@code schedstat}, the process was charged
 *       CPU time): busy, look again next period;</li>
 *   <li>otherwise every thread sleeps or waits for I/O and nothing moved: at the first such look, look again; once
 *       the window since the last look that saw movement spans two periods, hung ({@link
 *       HangEvidence.NoProgress}).</li>
 * </ol>
 * A server that beat while {@code /proc} was read is alive, whatever the look said.
 */
final class ProcPeerWatch implements PeerWatch {

    /** A server that is busy but never beats is hung once its heartbeat is this many liveness timeouts old. */
    static final int CAP_FACTOR = 10;
    /** A thread's name in {@code /proc} is its first 15 characters. */
    private static final String HEARTBEAT_THREAD_NAME = HangEvidence.HEARTBEAT_THREAD.substring(0, 15);

    private final RingSegment ring;
    private final long livenessTimeoutNs;
    private final long capNs;
    private final long periodNs;
    /** The server's process in this {@code /proc}: 0 until looked for, -1 when not found. */
    private long pid;
    private long startTicks;
    /** Not found, and in this process's pid namespace: it was there and is gone (the monitor looked late). */
    private boolean gone;
    private String notFound = "";
    /** The previous look of the current stale stretch (null outside one), and when it was taken. */
    private ProcStat.Look previous;
    private long previousAtNs;

    ProcPeerWatch(RingSegment ring, long livenessTimeoutNs) {
        this.ring = ring;
        this.livenessTimeoutNs = livenessTimeoutNs;
        this.capNs = CAP_FACTOR * livenessTimeoutNs;
        this.periodNs = Math.max(1_000_000L, livenessTimeoutNs / 10);
    }

    @Override
    public void fresh() {
        if (pid == 0) {
            find();
        }
        previous = null;
    }

    @Override
    public RingFailure judgeStale(long staleNs, long nowNs, BooleanSupplier beatMeanwhile) {
        if (pid == 0) {
            find();
        }
        if (pid < 0) {
            if (gone) {
                return RingFailure.Died.unknown();
            }
            return new RingFailure.Hung(staleNs, livenessTimeoutNs, new HangEvidence.HeartbeatOnly(notFound));
        }
        Optional<ProcStat.Look> seen = ProcStat.look(pid, startTicks, HEARTBEAT_THREAD_NAME);
        if (beatMeanwhile.getAsBoolean()) {
            previous = null; // it beat while we looked: alive
            return null;
        }
        if (seen.isEmpty() || seen.get().exiting()) {
            return RingFailure.Died.unknown();
        }
        ProcStat.Look look = seen.get();
        if (look.isStopped()) {
            return new RingFailure.Hung(staleNs, livenessTimeoutNs, new HangEvidence.ProcessStopped(
                    look.leader().state()));
        }
        // staleNs counts from the earliest time the last beat can have happened, up to a period before it did
        // (HangJudge dates a move it sees at its earliest bound); a verdict that kills a busy domain must not come
        // before the cap, so it is judged from the latest bound.
        if (staleNs - periodNs > capNs) {
            return new RingFailure.Hung(staleNs, livenessTimeoutNs, new HangEvidence.BusyPastCap(look.running(),
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
        return new RingFailure.Hung(staleNs, livenessTimeoutNs, new HangEvidence.NoProgress(look.threads(),
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
     * server wrote before it published SERVING ({@link ProcessTransport#announceServer}); once per ring. The first
     * look may come after the server died (killed before this monitor's first period): SERVER_PID_NAMESPACE tells
     * whether not finding it means it is gone.
     */
    private void find() {
        long nsPid = ring.getIntPlain(SERVER_PID_OFFSET);
        startTicks = ring.getLongPlain(SERVER_START_TICKS_OFFSET);
        if (startTicks <= 0) {
            pid = -1;
            notFound = "the server did not say when its process started";
            return;
        }
        OptionalLong found = ProcStat.find(nsPid, startTicks);
        pid = found.orElse(-1);
        if (found.isEmpty()) {
            long namespace = ring.getLongPlain(SERVER_PID_NAMESPACE_OFFSET);
            gone = namespace != 0 && namespace == ProcStat.selfPidNamespace();
            notFound = "no process here is pid " + nsPid + " of the server's namespace, started at tick " + startTicks;
        }
    }
}
