package dev.vos.ring.server;

/**
 * One worker's batch of deferred calls: what lets a domain pay one trap for many calls. Made per worker by the
 * table's {@linkplain CallTable.Builder#batcher factory}, reached by handlers through {@link ServerCall#batcher()},
 * used only by that worker's thread.
 *
 * <p>A handler registered with {@link CallTable.Builder#addBatched} may, instead of executing its call, gather it
 * here and {@linkplain ServerCall#defer() defer} it; the worker calls {@link #flush} once it has drained the queue
 * (it finds nothing more published), before it executes a call of a handler that does not batch (so that queue
 * order per client is kept across the two kinds), and before it stops. {@code flush} executes what was gathered:
 * it completes every call it holds, with its result or with an error, or hands it to the kernel and keeps it in
 * flight (the storage domain's forces, whose fsync the worker does not wait for), before it returns. A call is
 * answered only once its effect is done (a write acknowledged is a write the kernel has performed).
 *
 * <p>While calls are in flight ({@link #awaitsCompletions}), the worker answers those that completed: after each
 * drain ({@link #reapCompleted}, no wait) and, when it finds its queue empty, with a bounded wait in the kernel
 * ({@link #awaitCompletion}) instead of spinning or sleeping on its doorbell: it stays counted awake, so a client
 * that submits meanwhile does not ring it and waits at most that bound. Where the doorbell is a futex word and the
 * batch can wait on it ({@link #awaitCompletionOrRing}), the worker instead sleeps counted asleep until a call in
 * flight completes or a client rings: its CPU is left to the kernel's work, and a new call waits for no bound.
 * All of them run between calls, like the flush: the worker's progress word is even, and the ring's stuck-worker
 * judgement never takes them for a hang.
 */
public interface CallBatcher extends AutoCloseable {

    /** Whether no deferred call waits in this batch. */
    boolean isEmpty();

    /**
     * Executes the gathered calls and completes each of them, or leaves it in flight for {@link #reapCompleted};
     * the batch is empty afterwards.
     */
    void flush();

    /** Whether calls this batch handed to the kernel are still in flight, to be answered when they complete. */
    default boolean awaitsCompletions() {
        return false;
    }

    /** Answers the calls in flight that have completed, without waiting. */
    default void reapCompleted() {
    }

    /**
     * Waits at most {@code timeoutNs} for a call in flight to complete and answers those that did (where the batch
     * cannot bound a wait, only looks, as {@link #reapCompleted}): what the worker does instead of sleeping.
     */
    default void awaitCompletion(long timeoutNs) {
    }

    /**
     * Sleeps at most {@code timeoutNs} until a call in flight completes or the futex word at {@code wordAddress}
     * (the workers' doorbell, {@code Doorbell.sleepWordAddress}) is woken or no longer holds {@code armed}, and
     * answers the calls that completed: what a worker counted asleep does instead of {@link #awaitCompletion}, so
     * that a client that submits meanwhile rings it. False, at once and without waiting, only where the batch
     * cannot wait on a word now or later (no kernel support, a failed ring): the worker then stops asking and uses
     * {@link #awaitCompletion}. A passing reason not to wait (nothing in flight after all) returns true. Leaves no
     * wait on the word behind when it returns: a later ring must reach a sleeping worker, not a wait nobody watches.
     */
    default boolean awaitCompletionOrRing(long wordAddress, int armed, long timeoutNs) {
        return false;
    }

    /**
     * System calls this batch made to hand gathered calls to the kernel (one {@code io_uring_enter} each), for the
     * domain's figures: with the calls deferred, the mean calls per trap. Written by the worker's thread, read
     * racily by the stats reader (it only grows). 0 for a batch that makes none of its own.
     */
    default long submissions() {
        return 0;
    }

    /**
     * Waits for the calls in flight and answers them, then releases what the batch holds (an io_uring); called by
     * the worker's thread once it stops, after a flush.
     */
    @Override
    void close();
}
