package dev.vos.backend.xen;

import dev.vos.backend.DomainBackend.BackendException;
import dev.vos.backend.xen.libxl.LibxlException;
import dev.vos.backend.xen.libxl.LibxlLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A libxl call cannot be interrupted; the thread waiting for it can. Whoever waits is told that it was interrupted,
 * never that the call succeeded, and the call itself finishes on its own thread. Without Xen: the calls are stand-ins.
 */
@Timeout(10)
class LibxlThreadsTest {

    private final LibxlThreads threads = new LibxlThreads();
    private final CountDownLatch callRunning = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean callFinished = new AtomicBoolean();

    @AfterEach
    void close() {
        release.countDown();
        threads.close();
    }

    /** A call that succeeds, but only once the test lets it. */
    private Integer slowSuccess() throws InterruptedException {
        callRunning.countDown();
        release.await();
        callFinished.set(true);
        return 7;
    }

    @Test
    void await_interruptedWhileTheCallRuns_throwsInterrupted_andTheCallGoesOn() throws Exception {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                outcome.complete(threads.await(this::slowSuccess));
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        callRunning.await();
        waiter.interrupt();

        assertInstanceOf(InterruptedException.class, outcome.get(5, TimeUnit.SECONDS), "not the call's result");
        assertFalse(callFinished.get());
        release.countDown();
        threads.close();
        assertTrue(callFinished.get(), "libxl finishes the call on its own thread");
    }

    @Test
    void call_interruptedWhileTheCallRuns_isABackendException_withTheInterruptStatusSet() throws Exception {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        AtomicBoolean interruptStatus = new AtomicBoolean();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                outcome.complete(threads.call("create Xen guest storage0", this::slowSuccess));
            } catch (Throwable t) {
                interruptStatus.set(Thread.currentThread().isInterrupted());
                outcome.complete(t);
            }
        });
        callRunning.await();
        waiter.interrupt();

        BackendException e = assertInstanceOf(BackendException.class, outcome.get(5, TimeUnit.SECONDS));
        assertEquals("interrupted while waiting to create Xen guest storage0; libxl goes on with it", e.getMessage());
        assertInstanceOf(InterruptedException.class, e.getCause());
        assertTrue(interruptStatus.get(), "the interrupt status is set again");
    }

    @Test
    void await_passesLibxlsOwnFailureOnAsItIs() {
        LibxlException failure = new LibxlException("libxl_domain_destroy(7) failed", LibxlLayout.ERROR_FAIL);
        LibxlException e = assertThrows(LibxlException.class, () -> threads.await(() -> {
            throw failure;
        }));
        assertSame(failure, e);
    }

    @Test
    void call_saysWhatItCouldNotDo_andWhy() {
        BackendException e = assertThrows(BackendException.class, () -> threads.call("unpause domain 7", () -> {
            throw new LibxlException("libxl_domain_unpause(7) failed: ERROR_FAIL (-3)", LibxlLayout.ERROR_FAIL);
        }));
        assertEquals("cannot unpause domain 7: libxl_domain_unpause(7) failed: ERROR_FAIL (-3)", e.getMessage());
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void call_aCallThatIsNotLibxls_failsAsAFailure_notASuccess() {
        BackendException e = assertThrows(BackendException.class, () -> threads.call("list the domains", () -> {
            throw new IllegalStateException("the libxl context is closed");
        }));
        assertEquals("cannot list the domains: the libxl context is closed", e.getMessage());
    }

    @Test
    void await_returnsTheResultOfACallThatSucceeded() throws Exception {
        assertEquals(42, threads.await(() -> 42));
    }
}
