package dev.vos.backend.xen;

import dev.vos.backend.DomainBackend.BackendException;
import dev.vos.backend.xen.libxl.LibxlException;
import dev.vos.backend.xen.libxl.LibxlLayout;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Where the Xen backend's libxl calls run. They block (a create takes seconds, more under emulation) and cannot be
 * interrupted, so they run on platform threads of their own, and the callers (the supervisors' virtual threads)
 * wait for them without pinning a carrier.
 *
 * <p>An interrupt of a waiting caller ends its wait, not the call: libxl finishes it on its own thread. The caller
 * is told that it was interrupted, never that the call succeeded, since it does not know: {@link #await} throws
 * the {@link InterruptedException}, {@link #call} a {@link BackendException} caused by it, with the thread's
 * interrupt status set again.
 */
final class LibxlThreads implements AutoCloseable {

    /** How long {@link #close()} lets calls in progress finish. */
    static final long CLOSE_WAIT_SECONDS = 10;

    private final ExecutorService pool = Executors.newCachedThreadPool(Thread.ofPlatform().daemon()
            .name("vos-xen-call-", 0).factory());

    /**
     * Runs {@code call} on a libxl thread and waits for its result.
     *
     * @throws LibxlException       the call's own failure, as it threw it
     * @throws InterruptedException if this thread was interrupted while it waited (the call goes on)
     */
    <T> T await(Callable<T> call) throws LibxlException, InterruptedException {
        try {
            return pool.submit(call).get();
        } catch (ExecutionException e) {
            throw rethrown(e.getCause());
        }
    }

    /**
     * Runs {@code call} on a libxl thread and waits for its result, for a backend method.
     *
     * @param what what the call does, for the message: "create Xen guest storage0"
     * @throws BackendException "cannot WHAT: REASON" when it failed, or "interrupted while waiting to WHAT" (caused
     *                          by the {@link InterruptedException}, with the interrupt status set) when this thread
     *                          was interrupted before it finished
     */
    <T> T call(String what, Callable<T> call) throws BackendException {
        try {
            return await(call);
        } catch (LibxlException | RuntimeException e) {
            throw new BackendException("cannot " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while waiting to " + what + "; libxl goes on with it", e);
        }
    }

    /** Runs {@code task} on a libxl thread without waiting for it; it reports its own failures. */
    void execute(Runnable task) {
        pool.execute(task);
    }

    /** Takes no more calls, and lets those in progress finish for up to {@link #CLOSE_WAIT_SECONDS}. */
    @Override
    public void close() {
        pool.shutdown();
        try {
            pool.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A call's failure as the caller may throw it: libxl's own, an unchecked one, or any other as libxl's FAIL. */
    private static LibxlException rethrown(Throwable cause) {
        if (cause instanceof LibxlException l) {
            return l;
        }
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        return new LibxlException(String.valueOf(cause), LibxlLayout.ERROR_FAIL);
    }
}
