package dev.vos.ring.server;

/**
 * One worker's batch of deferred calls: what lets a domain pay one trap for many calls. Made per worker by the
 * table's {@linkplain CallTable.Builder#batcher factory}, reached by handlers through {@link ServerCall#batcher()},
 * used only by that worker's thread.
 *
 * <p>A handler registered with {@link CallTable.Builder#addBatched} may, instead of executing its call, gather it
 * here and {@linkplain ServerCall#defer() defer} it; the worker calls {@link #flush} once it has drained the queue
 * (it finds nothing more published), before it executes a call of a handler that does not batch (so that queue
 * order per client is kept across the two kinds), and before it stops. {@code flush} executes what was gathered
 * and completes every call it holds, with its result or with an error, before it returns: a call is answered only
 * once its effect is done (a write acknowledged is a write the kernel has performed).
 */
public interface CallBatcher extends AutoCloseable {

    /** Whether no deferred call waits in this batch. */
    boolean isEmpty();

    /** Executes the gathered calls and completes each of them; the batch is empty afterwards. */
    void flush();

    /**
     * System calls this batch made to hand gathered calls to the kernel (one {@code io_uring_enter} each), for the
     * domain's figures: with the calls deferred, the mean calls per trap. Written by the worker's thread, read
     * racily by the stats reader (it only grows). 0 for a batch that makes none of its own.
     */
    default long submissions() {
        return 0;
    }

    /** Releases what the batch holds (an io_uring); called by the worker's thread once it stops, after a flush. */
    @Override
    void close();
}
