package dev.vos.backend.fake;

import dev.vos.backend.DomainBackend;
import dev.vos.backend.DomainLaunch;
import dev.vos.backend.RunningDomain;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link DomainBackend} for tests, with no processes: each start does what the test scripted ({@link Start}),
 * and each generation it starts is a {@link FakeDomain} that the test ends as it likes (an exit status, a signal).
 * Its domains have no agent ({@link RunningDomain#agent()} is {@code None}), so a supervisor learns of them only
 * through their exits, as it does of a Xen guest: a supervisor's whole lifecycle runs in milliseconds.
 *
 * <pre>{@code
 * FakeBackend backend = new FakeBackend();
 * backend.script(new FakeBackend.Fail("no such binary"), new FakeBackend.Succeed());
 * // ... a supervisor starts generation 1 (fails), then generation 2:
 * FakeDomain g2 = backend.awaitGeneration(2, Duration.ofSeconds(5));
 * g2.exit(3);
 * }</pre>
 *
 * Thread-safe: the supervisor's thread starts and signals domains while the test's thread scripts and ends them.
 */
public final class FakeBackend implements DomainBackend {

    /** What one call of {@link #start} does; unscripted starts {@link Succeed}. */
    public sealed interface Start {
    }

    /** The start succeeds at once: the domain runs until the test ends it. */
    public record Succeed() implements Start {
    }

    /**
     * The start fails at once, as a backend that cannot launch the domain does.
     *
     * @param message the {@link BackendException}'s message
     */
    public record Fail(String message) implements Start {
        public Fail {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * The domain never comes up: the start blocks for the launch's {@link DomainLaunch#startTimeout()}, then fails
     * as a backend that honours it does ("... did not start within N ms"). An interrupt ends it early, as a failure.
     */
    public record Hang() implements Start {
    }

    private final String name;
    private final Deque<Start> script = new ArrayDeque<>();
    private final List<DomainLaunch> launches = new ArrayList<>();
    private final Map<Long, CompletableFuture<FakeDomain>> started = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A backend named "fake". */
    public FakeBackend() {
        this("fake");
    }

    /** A backend named {@code name}, as a spec would spell it. */
    public FakeBackend(String name) {
        this.name = name;
    }

    /** Queues what the next starts do, in order; once they are used up, starts succeed. */
    public synchronized FakeBackend script(Start... starts) {
        script.addAll(List.of(starts));
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public RunningDomain start(DomainLaunch launch) throws BackendException {
        Start next;
        synchronized (this) {
            launches.add(launch);
            next = script.isEmpty() ? new Succeed() : script.removeFirst();
        }
        return switch (next) {
            case Succeed _ -> {
                FakeDomain domain = new FakeDomain(launch);
                started.computeIfAbsent(launch.generation(), g -> new CompletableFuture<>()).complete(domain);
                yield domain;
            }
            case Fail f -> throw new BackendException(f.message());
            case Hang _ -> {
                try {
                    Thread.sleep(launch.startTimeout());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BackendException("interrupted while starting " + launch.name(), e);
                }
                throw new BackendException("domain " + launch.name() + " did not start within "
                        + launch.startTimeout().toMillis() + " ms");
            }
        };
    }

    /** Every launch the backend was asked for, in order, failed and hung ones included. */
    public synchronized List<DomainLaunch> launches() {
        return List.copyOf(launches);
    }

    /**
     * The domain of {@code generation}, once a start of it has succeeded.
     *
     * @throws AssertionError if none has within {@code timeout}
     */
    public FakeDomain awaitGeneration(long generation, Duration timeout) throws InterruptedException {
        try {
            return started.computeIfAbsent(generation, g -> new CompletableFuture<>())
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("generation " + generation + " did not start within " + timeout.toMillis()
                    + " ms; launches: " + launches().stream().map(DomainLaunch::generation).toList());
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    /** Whether the domain of {@code generation} was started successfully. */
    public boolean hasStarted(long generation) {
        CompletableFuture<FakeDomain> domain = started.get(generation);
        return domain != null && domain.isDone();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
    }
}
