package dev.vos.ring.server;

import java.time.Duration;
import java.util.List;

/**
 * How a server serves one ring.
 *
 * @param workers     polling worker threads (default 1: each polling worker owns a core while it polls)
 * @param idleSpinNs  how long a worker polls an empty queue before it sleeps on the worker futex
 *                    (default 200 us; {@link Long#MAX_VALUE} never sleeps: pure busy-polling)
 * @param workerCpus  CPUs to pin workers to, worker i on {@code workerCpus[i % size]}; empty: not pinned
 */
public record ServerOptions(int workers, long idleSpinNs, List<Integer> workerCpus) {

    /** One worker, 200 us of polling before sleeping, not pinned. */
    public static final ServerOptions DEFAULT = new ServerOptions(1, 200_000L, List.of());

    public ServerOptions {
        if (workers < 1 || workers > 256) {
            throw new IllegalArgumentException("workers=" + workers + ": must be in [1, 256]");
        }
        if (idleSpinNs < 0) {
            throw new IllegalArgumentException("idleSpinNs=" + idleSpinNs + ": must not be negative");
        }
        workerCpus = List.copyOf(workerCpus);
    }

    /** The same options with another worker count. */
    public ServerOptions withWorkers(int count) {
        return new ServerOptions(count, idleSpinNs, workerCpus);
    }

    /** The same options with another idle budget. */
    public ServerOptions withIdleSpin(Duration idleSpin) {
        return new ServerOptions(workers, idleSpin.toNanos(), workerCpus);
    }

    /** The same options, never sleeping. */
    public ServerOptions busyPolling() {
        return new ServerOptions(workers, Long.MAX_VALUE, workerCpus);
    }

    /** The same options with workers pinned to {@code cpus}. */
    public ServerOptions pinnedTo(List<Integer> cpus) {
        return new ServerOptions(workers, idleSpinNs, cpus);
    }
}
