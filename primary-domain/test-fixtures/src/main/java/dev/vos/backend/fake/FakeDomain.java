package dev.vos.backend.fake;

import dev.vos.backend.AgentRoute;
import dev.vos.backend.DomainExit;
import dev.vos.backend.DomainLaunch;
import dev.vos.backend.RunningDomain;
import dev.vos.backend.Signals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One generation started by a {@link FakeBackend}: it runs until the test ends it ({@link #exit}, {@link #killBy})
 * or the supervisor does ({@link #signal}, {@link #stop}), and records what the supervisor asked of it.
 *
 * <p>It behaves as a vos domain's process does: SIGKILL ends it at once (status 128 + 9); SIGTERM, as
 * {@link #stop} sends it, ends it cleanly (status 0: the agent halts with 0 after a clean stop), unless the test
 * made it {@link #ignoreStop() ignore} that; every other signal is only recorded (a real SIGSTOP would make it hang,
 * which a domain without an agent cannot show).
 */
public final class FakeDomain implements RunningDomain {

    private final DomainLaunch launch;
    private final CompletableFuture<DomainExit> exit = new CompletableFuture<>();
    private final List<Integer> signals = new CopyOnWriteArrayList<>();
    private final List<Duration> stops = new CopyOnWriteArrayList<>();
    private volatile boolean ignoreStop;
    private volatile String stopFailure;

    FakeDomain(DomainLaunch launch) {
        this.launch = launch;
    }

    /** What the supervisor launched. */
    public DomainLaunch launch() {
        return launch;
    }

    /** Ends it with {@code status}, as a process that exits: 0 is clean, anything else a crash. */
    public void exit(int status) {
        end(new DomainExit(status));
    }

    /** Ends it as a process killed by {@code signal} (status 128 + signal, "killed by SIGSEGV"). */
    public void killBy(int signal) {
        end(new DomainExit(128 + signal));
    }

    /** Makes it ignore the request to stop: {@link #stop} then kills it once the grace has passed. */
    public FakeDomain ignoreStop() {
        ignoreStop = true;
        return this;
    }

    /**
     * Makes {@link #stop} fail: it records the grace, then throws {@link IllegalStateException} with
     * {@code message} and leaves the domain running, as a backend whose kill is refused or whose wait is interrupted.
     */
    public FakeDomain failStop(String message) {
        stopFailure = message;
        return this;
    }

    /** The signals sent to it, in order ({@code vos kill}, a hang's SIGKILL). */
    public List<Integer> signals() {
        return List.copyOf(signals);
    }

    /** The grace of each {@link #stop} call, in order. */
    public List<Duration> stops() {
        return List.copyOf(stops);
    }

    @Override
    public long generation() {
        return launch.generation();
    }

    /** None: a fake has no process. */
    @Override
    public long pid() {
        return -1;
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public CompletionStage<DomainExit> exit() {
        return exit;
    }

    @Override
    public void signal(int signal) {
        signals.add(signal);
        if (signal == Signals.SIGKILL) {
            exit.complete(new DomainExit(128 + Signals.SIGKILL));
        }
    }

    @Override
    public void stop(Duration grace) {
        stops.add(grace);
        if (exit.isDone()) {
            return;
        }
        if (stopFailure != null) {
            throw new IllegalStateException(stopFailure);
        }
        if (!ignoreStop && !grace.isZero()) {
            exit.complete(new DomainExit(0));
            return;
        }
        try {
            exit.get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exit.complete(new DomainExit(128 + Signals.SIGKILL)); // the grace is over: SIGKILL
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit.complete(new DomainExit(128 + Signals.SIGKILL));
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Has no agent: a supervisor watches it through its exits only. */
    @Override
    public AgentRoute agent() {
        return new AgentRoute.None("a fake domain runs no agent");
    }

    @Override
    public String describe() {
        return "fake g" + launch.generation();
    }

    private void end(DomainExit how) {
        if (!exit.complete(how)) {
            throw new IllegalStateException(describe() + " has already ended: " + exit.join().describe());
        }
    }
}
