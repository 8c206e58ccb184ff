package dev.vos.ring;

import java.util.Locale;

/**
 * What decided that a domain is hung ({@link RingFailure.Hung#evidence()}): a stale heartbeat alone no longer
 * does when the server's process can be seen. A process that is runnable, or waits for a CPU, is busy on a loaded
 * host and is given time, up to a hard cap; one that is stopped is hung at once; one whose threads all sleep and
 * do not move is hung. A worker that has been inside one call for longer than the timeout without progress is
 * reported by the server itself. One record per kind of evidence, each with the figures that decided.
 */
public sealed interface HangEvidence {

    /**
     * The name a server gives its heartbeat threads, by which a client finds them in {@code /proc} (where a thread's
     * name is cut to its first 15 characters).
     */
    String HEARTBEAT_THREAD = "vos-ring-heartbeat";

    /** The words after "the domain is hung: ...", for people. */
    String describe();

    /**
     * Only the heartbeat: the server's process could not be looked at from here (its pid namespace is not below
     * this one, {@code /proc} is hidden, or the server did not say when it started).
     *
     * @param why why the process could not be looked at
     */
    record HeartbeatOnly(String why) implements HangEvidence {
        @Override
        public String describe() {
            return "its process could not be looked at (" + why + ")";
        }
    }

    /**
     * The server's Xen domain is paused ({@code xl pause}, the Xen analogue of SIGSTOP), as the tool stack of the
     * client's domain says: its vCPUs run no more, and it cannot serve until someone unpauses it.
     *
     * @param domid the paused domain
     */
    record DomainPaused(int domid) implements HangEvidence {
        @Override
        public String describe() {
            return "its Xen domain " + domid + " is paused";
        }
    }

    /**
     * The process is stopped: SIGSTOP or a tracer. It cannot serve until someone resumes it.
     *
     * @param state the state letter {@code /proc} showed, {@code T} or {@code t}
     */
    record ProcessStopped(char state) implements HangEvidence {
        @Override
        public String describe() {
            return "its process is stopped (state " + state + ")";
        }
    }

    /**
     * No thread of the process is runnable, and between two looks {@code quietNs} apart nothing moved: by the
     * scheduler's own accounts ({@code schedstat}), no heartbeat thread ran or waited for a CPU and the process's
     * threads hardly waited for one (a starved process waits); or, on a kernel without those accounts, the
     * process was charged no CPU time.
     *
     * @param threads     threads of the process
     * @param diskWait    of them, in state D
     * @param quietNs     how long, at least, nothing moved
     * @param byScheduler whether the scheduler's accounts decided (else the tick-sampled CPU time)
     */
    record NoProgress(int threads, int diskWait, long quietNs, boolean byScheduler) implements HangEvidence {
        @Override
        public String describe() {
            return String.format(Locale.ROOT, "none of its %d threads is runnable (%d in I/O wait) and %s for %.1f ms",
                    threads, diskWait, byScheduler ? "its heartbeat thread neither ran nor waited for a CPU"
                            : "it used no CPU", quietNs / 1e6);
        }
    }

    /**
     * The process is runnable or uses CPU, so it was given time, but its heartbeat is older than the hard cap.
     *
     * @param running threads in state R at the last look
     * @param capNs   the cap: the longest a busy server may go without a heartbeat
     */
    record BusyPastCap(int running, long capNs) implements HangEvidence {
        @Override
        public String describe() {
            return String.format(Locale.ROOT, "its process is busy (%d threads runnable) but its heartbeat is older"
                    + " than the cap of %.1f ms", running, capNs / 1e6);
        }
    }

    /**
     * The server reports a worker inside one call for longer than the liveness timeout without progress: not
     * runnable, not in I/O wait, no CPU used (or past the cap however busy). The heartbeat itself may be fresh.
     *
     * @param worker     the worker's index in its server
     * @param callNumber the call it is inside
     * @param inCallNs   how long it has been inside that call, as the server saw it
     */
    record WorkerStuck(int worker, int callNumber, long inCallNs) implements HangEvidence {
        @Override
        public String describe() {
            return String.format(Locale.ROOT, "worker %d has been inside call %d for %.1f ms without progress",
                    worker, callNumber, inCallNs / 1e6);
        }
    }
}
