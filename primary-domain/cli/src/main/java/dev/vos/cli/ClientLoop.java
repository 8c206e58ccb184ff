package dev.vos.cli;

import dev.vos.client.DomainClient;
import dev.vos.client.DomainUnavailableException;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A client that keeps working: virtual threads calling {@code getpid} on a domain through a {@link DomainClient},
 * and a line per second saying how it goes. When the domain dies it says how the calls in flight ended, and when
 * they succeed again, on which generation and after how long; the client never re-reads any configuration.
 */
public final class ClientLoop implements AutoCloseable {

    private final DomainClient client;
    private final PrintStream out;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong failedInFlight = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicReference<String> lastFailure = new AtomicReference<>();
    private volatile long outageStartNs;
    private volatile long servingGeneration;
    private final Thread reporter;

    /** Starts {@code threads} callers of the domain {@code client} is bound to, reporting to {@code out}. */
    public ClientLoop(DomainClient client, int threadCount, PrintStream out) {
        this.client = client;
        this.out = out;
        for (int t = 0; t < threadCount; t++) {
            threads.submit(this::callInALoop);
        }
        this.reporter = Thread.ofVirtual().start(this::report);
    }

    private Void callInALoop() throws InterruptedException {
        while (!stop.get()) {
            try {
                client.call(CoreCalls.GETPID);
                calls.incrementAndGet();
                long generation = client.generation();
                if (generation != servingGeneration) {
                    synchronized (this) {
                        if (generation != servingGeneration) {
                            long outageMs = outageStartNs == 0 ? -1 : (System.nanoTime() - outageStartNs) / 1_000_000;
                            if (servingGeneration != 0) {
                                out.printf("    client: calls succeed again on generation %d, %d ms after the failure"
                                        + " (no configuration re-read)%n", generation, outageMs);
                            }
                            outageStartNs = 0;
                            servingGeneration = generation;
                        }
                    }
                }
            } catch (DomainUnavailableException e) {
                refused.incrementAndGet();
                Thread.sleep(2); // nothing was sent; the domain is coming back
            } catch (DomainFailedException e) {
                failedInFlight.incrementAndGet();
                synchronized (this) {
                    if (outageStartNs == 0) {
                        outageStartNs = System.nanoTime();
                        lastFailure.set(e.getMessage());
                        out.printf("    client: calls in flight failed at once: %s%n", e.getMessage());
                    }
                }
            }
        }
        return null;
    }

    private void report() {
        long previous = 0;
        while (!stop.get()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = calls.get();
            out.printf("    client: %,d calls/s on generation %d (%,d failed in flight, %,d refused while down)%n",
                    now - previous, servingGeneration, failedInFlight.get(), refused.get());
            previous = now;
        }
    }

    /** Calls completed so far. */
    public long calls() {
        return calls.get();
    }

    /** Calls that failed because the domain died while they were in flight. */
    public long failedInFlight() {
        return failedInFlight.get();
    }

    /** The generation the last successful call went to. */
    public long servingGeneration() {
        return servingGeneration;
    }

    /** Waits until a call has succeeded on {@code generation}, for at most {@code timeout}. */
    public boolean awaitGeneration(long generation, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (servingGeneration < generation) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    @Override
    public void close() {
        stop.set(true);
        reporter.interrupt();
        threads.close();
    }
}
