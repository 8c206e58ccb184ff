package dev.vos.ring.server;

/**
 * What a busy-polling worker also looks at while its queue is empty: the domain's own source of completions for
 * calls it parked (the net domain's epoll). Made per worker by the table's {@linkplain CallTable.Builder#idlePoll
 * factory}, called only by that worker's thread, every {@link ServerWorker#IDLE_POLL_ROUNDS} empty polls.
 *
 * <p>Why: a parked call is completed by a thread that waits on the kernel (epoll_wait). When the domain's workers
 * busy-poll, and the clients do too, every CPU is taken by a spinner, and that thread runs only when the scheduler
 * preempts one of them: a round trip that waits for a peer's reply took a millisecond. A worker that is spinning
 * anyway can ask the kernel itself, for one trap, and only when something waits.
 */
public interface IdlePoll {

    /**
     * Completes what became ready without blocking (a zero timeout), or returns at once when nothing is parked.
     * Must not throw: a failure is logged by the implementation and left to its own thread to report.
     */
    void poll();

    /**
     * The worker is about to sleep until a client rings it: its polls stop meanwhile. A domain whose own waiting
     * thread stands aside while workers poll (the net domain's, so that a peer's bytes do not wake it on another
     * CPU) takes over here. Called by the worker's thread, before each sleep; the default does nothing.
     */
    default void workerSleeps() {
    }
}
