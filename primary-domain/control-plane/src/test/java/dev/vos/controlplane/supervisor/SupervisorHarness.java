package dev.vos.controlplane.supervisor;

import dev.vos.backend.fake.FakeBackend;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.journal.EventType;
import dev.vos.controlplane.journal.JournalEvent;
import dev.vos.controlplane.spec.BackendKind;
import dev.vos.controlplane.spec.DomainKind;
import dev.vos.controlplane.spec.DomainSpec;
import dev.vos.controlplane.spec.ResourcesSpec;
import dev.vos.controlplane.spec.RestartPolicy;
import dev.vos.controlplane.spec.StorageSpec;
import dev.vos.controlplane.spec.SupervisorSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * One {@link DomainSupervisor} over a {@link FakeBackend}, with everything it tells the world recorded: its journal
 * events, the states it enters, its restarts and recoveries. Waits are bounded by {@link #WAIT}; a wait that runs
 * out fails with the journal so far.
 */
final class SupervisorHarness implements AutoCloseable {

    /** The domain every harness supervises. */
    static final String NAME = "fake0";
    /** How long a test waits for something the supervisor does in milliseconds. */
    static final Duration WAIT = Duration.ofSeconds(5);

    final FakeBackend backend;
    final DomainSupervisor supervisor;
    final DomainSpec spec;
    final List<JournalEvent> events = new CopyOnWriteArrayList<>();
    final List<DomainState> states = new CopyOnWriteArrayList<>();
    final List<String> restartReasons = new CopyOnWriteArrayList<>();
    final List<Duration> recoveries = new CopyOnWriteArrayList<>();

    private SupervisorHarness(DomainSpec spec, FakeBackend backend, Path stateDir, long lastGeneration) {
        this.spec = spec;
        this.backend = backend;
        this.supervisor = new DomainSupervisor(spec, backend, stateDir, lastGeneration, events::add,
                new SupervisorListener() {
                    @Override
                    public void stateChanged(DomainStatus status) {
                        states.add(status.state());
                    }

                    @Override
                    public void restarted(String domain, String reason) {
                        restartReasons.add(reason);
                    }

                    @Override
                    public void recovered(String domain, Duration timeToRecover) {
                        recoveries.add(timeToRecover);
                    }
                });
    }

    /** A supervisor of {@link #NAME}, not started yet. */
    static SupervisorHarness of(DomainSpec spec, FakeBackend backend, Path stateDir, long lastGeneration) {
        return new SupervisorHarness(spec, backend, stateDir, lastGeneration);
    }

    /** A storage domain's spec with this policy, restart limits, start timeout and stop grace. */
    static DomainSpec spec(RestartPolicy policy, SupervisorSpec limits, long startTimeoutMs, long stopGraceMs,
                           Path exportRoot) {
        return new DomainSpec(NAME, DomainKind.STORAGE, BackendKind.PROCESS, policy, limits, startTimeoutMs,
                stopGraceMs, ResourcesSpec.DEFAULTS, Set.of(), new StorageSpec(exportRoot), null, null);
    }

    /** Restart limits: {@code intensity} per 60 s, back-off from {@code backoffInitialMs} doubling to 1 s. */
    static SupervisorSpec limits(int intensity, long backoffInitialMs) {
        return new SupervisorSpec(intensity, 60, backoffInitialMs, 1_000, SupervisorSpec.DEFAULT_HANG_TIMEOUT_MS);
    }

    /** Sends an operator's command and waits for the answer. */
    String command(Command.Lifecycle command) throws Exception {
        return supervisor.handle(command).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends an operator's command that must be refused, and returns why. */
    Throwable refused(Command.Lifecycle command) throws Exception {
        try {
            String answer = supervisor.handle(command).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("'" + command.line() + "' was carried out: " + answer);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /** The first event of {@code type} about {@code generation}, once it has been recorded. */
    JournalEvent awaitEvent(EventType type, long generation) throws InterruptedException {
        await(() -> events.stream().anyMatch(e -> e.type() == type && e.generation() == generation),
                type + " of generation " + generation);
        return events.stream().filter(e -> e.type() == type && e.generation() == generation).findFirst()
                .orElseThrow();
    }

    /** Waits until the domain is in {@code state}. */
    void awaitState(DomainState state) throws InterruptedException {
        await(() -> supervisor.status().state() == state, "state " + state);
    }

    /** The types of the events about {@code generation}, in the order they were recorded. */
    List<EventType> types(long generation) {
        return events.stream().filter(e -> e.generation() == generation).map(JournalEvent::type).toList();
    }

    /** The events of {@code type}, in order. */
    List<JournalEvent> events(EventType type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }

    void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no " + what + " within " + WAIT.toMillis() + " ms; status "
                        + supervisor.status() + "; journal:\n" + journal());
            }
            Thread.sleep(1);
        }
    }

    /** The journal so far, one event a line, for failure messages. */
    String journal() {
        return events.stream().map(e -> "  g" + e.generation() + " " + e.type() + " " + e.detail())
                .collect(Collectors.joining("\n"));
    }

    @Override
    public void close() throws InterruptedException {
        supervisor.close();
    }
}
