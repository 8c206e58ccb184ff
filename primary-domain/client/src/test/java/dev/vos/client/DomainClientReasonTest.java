package dev.vos.client;

import dev.vos.client.fs.StorageDomain;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.RingFailure;
import dev.vos.ring.client.RingClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * "domain storage0 is not serving (); ..." (finding 5): a caller whose tryLock failed because another caller was
 * attaching read the shared last problem after that attach had succeeded and cleared it. Forced here: one caller
 * is held in its attach by a stopped domain, a second finds it attaching, and the first's attach completes (SIGCONT)
 * before the second reports. The second must either use the new session or name a cause, never an empty one.
 */
@Timeout(60)
class DomainClientReasonTest {

    private static final int SIGCONT = 18;
    private static final int SIGSTOP = 19;

    @TempDir
    static Path dir;
    private static StorageDomain domain;

    @BeforeAll
    static void up() throws Exception {
        domain = StorageDomain.start(dir, Duration.ofSeconds(30));
    }

    @AfterAll
    static void down() throws Exception {
        domain.close();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(5);
        }
    }

    @Test
    void aCallerThatFindsAnotherAttaching_namesTheCause_evenWhenThatAttachSucceedsMeanwhile() throws Exception {
        // A client with a 1 s liveness of its own against a domain whose supervisor waits 30 s (and announces 30 s
        // to its clients): it lives on, stopped, while this client's ring fails.
        try (DomainClient client = DomainClient.forDomain(domain.plane().stateDir(), StorageDomain.NAME,
                DomainClient.Options.DEFAULT.withLivenessTimeout(Duration.ofSeconds(1)));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            // Threads of their own: the common pool may have one worker on 2 cores, held by the first attach.
            assertEquals(0, client.call(CoreCalls.NOP));
            RingClient first = client.ring();
            CompletableFuture<Long> attaching;
            CompletableFuture<Object> second;
            CountDownLatch secondFoundItBusy = new CountDownLatch(1);
            CountDownLatch attachDone = new CountDownLatch(1);
            domain.signal(SIGSTOP);
            try {
                await(first::hasFailed, "the client's ring fails while the domain is stopped");
                // The first caller re-attaches: the stopped agent holds it in the handshake.
                attaching = CompletableFuture.supplyAsync(() -> {
                    try {
                        return client.call(CoreCalls.NOP);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    } finally {
                        attachDone.countDown();
                    }
                }, threads);
                await(client::isAttaching, "the first caller is attaching");
                DomainUnavailableException busy = assertThrows(DomainUnavailableException.class,
                        () -> client.call(CoreCalls.NOP), "a caller that finds an attach in progress fails at once");
                assertTrue(busy.getMessage().contains("generation " + first.generation() + " failed: the domain is"
                        + " hung") && busy.getMessage().contains("another caller is attaching again"),
                        busy.getMessage());
                client.whileAnotherAttaches = () -> {
                    secondFoundItBusy.countDown();
                    try {
                        attachDone.await(20, TimeUnit.SECONDS); // the attach it found finishes before it reports
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                };
                second = CompletableFuture.supplyAsync(() -> {
                    try {
                        return client.call(CoreCalls.NOP);
                    } catch (Exception e) {
                        return e;
                    }
                }, threads);
                assertTrue(secondFoundItBusy.await(10, TimeUnit.SECONDS), "the second caller found the attach");
            } finally {
                domain.signal(SIGCONT);
            }
            assertEquals(0, attaching.get(20, TimeUnit.SECONDS), "the first caller's attach succeeded");
            Object outcome = second.get(20, TimeUnit.SECONDS);
            if (outcome instanceof Exception e) {
                assertInstanceOf(DomainUnavailableException.class, e);
                assertFalse(e.getMessage().contains("()"), "an empty reason: " + e.getMessage());
                assertTrue(e.getMessage().contains(new RingFailure.Hung(0, 1).describe().substring(0, 18)),
                        "the cause it saw, the hung ring: " + e.getMessage());
            } else {
                assertEquals(0L, outcome, "or it used the session the other caller attached");
            }
        }
    }

    @Test
    void notServing_alwaysNamesACause() {
        assertEquals("domain storage0 is not serving (generation 2 failed: x); if its supervisor restarts it, calls"
                + " succeed again shortly ('vos ps' shows its state)",
                DomainClient.notServing("storage0", "generation 2 failed: x"));
        for (String blank : new String[] {null, "", "  "}) {
            assertTrue(DomainClient.notServing("storage0", blank).contains("(no cause was recorded)"));
        }
        assertEquals("not attached", DomainClient.failureOf(null));
    }
}
