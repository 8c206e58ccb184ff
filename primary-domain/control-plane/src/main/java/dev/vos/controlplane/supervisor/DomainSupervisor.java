package dev.vos.controlplane.supervisor;

import dev.vos.backend.AgentRoute;
import dev.vos.backend.DomainBackend;
import dev.vos.backend.DomainExit;
import dev.vos.backend.DomainLaunch;
import dev.vos.backend.RunningDomain;
import dev.vos.backend.Signals;
import dev.vos.backend.StandbyDomain;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.control.ControlError;
import dev.vos.controlplane.control.ControlException;
import dev.vos.controlplane.journal.EventType;
import dev.vos.controlplane.journal.JournalEvent;
import dev.vos.controlplane.spec.DomainSpec;
import dev.vos.controlplane.spec.RestartPolicy;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingFailure;
import dev.vos.ring.agent.AgentSession;
import dev.vos.ring.agent.DomainSession;
import dev.vos.ring.agent.DomainStats;
import dev.vos.ring.agent.StateDirectory;
import dev.vos.ring.agent.SupervisorToken;
import dev.vos.ring.agent.XenGuestSession;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.transport.xen.PeerDomain;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Supervises one domain, one_for_one: starts its generations through a backend, watches each for death (its
 * process exits) and for hangs (the heartbeat of the supervisor's own ring to it goes stale), and restarts it per
 * its policy, intensity and back-off. Every decision is recorded as a journal event.
 *
 * <p>All of it happens on one virtual thread that takes events from a queue: process exits, lost health rings,
 * back-off timers and operator commands are serialised, so the state machine needs no locks.
 */
public final class DomainSupervisor implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DomainSupervisor.class.getName());

    /**
     * How long {@link #close()} waits, beyond the domain's stop grace, for the loop to have stopped it: a loop busy
     * with a start finishes it first (a start is not interruptible).
     */
    static final Duration CLOSE_SLACK = Duration.ofSeconds(10);
    /**
     * How long after a generation runs its standby is started: the clients that lost the last generation re-attach
     * and are served first (some 100 ms on a loaded 2-core host), and only then does the standby's JVM start take a
     * CPU. A fault within this second is recovered by a fresh start, as without a standby.
     */
    static final Duration STANDBY_AFTER_RUNNING = Duration.ofSeconds(1);
    /** The first wait before a lost standby is replaced; doubled per loss in a row. */
    static final Duration STANDBY_RETRY_FIRST = Duration.ofMillis(100);
    /** The longest wait before a lost standby is replaced. */
    static final Duration STANDBY_RETRY_MAX = Duration.ofSeconds(10);
    /** How often the domain's ring figures are read for the metrics. */
    static final Duration STATS_PERIOD = Duration.ofSeconds(1);
    /** How often the supervisor offers a booting Xen guest its health ring until the guest's agent serves. */
    static final Duration GUEST_ATTACH_RETRY = Duration.ofMillis(250);
    /** The most rows {@link #sessions} lists: 16 sessions per user of 1024 sockets each, many times over. */
    static final int MAX_SESSION_ROWS = 1 << 20;

    /** Receives what the supervisor decides, for the journal and the terminal. */
    public interface EventSink {
        void record(JournalEvent event);
    }

    private sealed interface Event {
    }

    private record Start() implements Event {
    }

    private record Exited(long generation, DomainExit exit) implements Event {
    }

    private record HealthLost(long generation, RingFailure failure) implements Event {
    }

    private record RestartDue(long generation) implements Event {
    }

    /** An operator's command, from the control socket. */
    private record Operator(Command.Lifecycle command, CompletableFuture<String> done) implements Event {
    }

    /** A standby ended (promoted standbys end as generations: their exit is {@link Exited}'s). */
    private record StandbyExited(StandbyDomain standby, DomainExit exit) implements Event {
    }

    /** Time to start a standby, if the domain should have one and has none. */
    private record StandbyDue() implements Event {
    }

    /** A standby said it parked (it may have been promoted, discarded or lost since). */
    private record StandbyParked(StandbyDomain standby) implements Event {
    }

    /** The control plane shuts down: stop the domain, then the loop. Not an operator command: no one can send it. */
    private record Shutdown(CompletableFuture<String> done) implements Event {
    }

    private final DomainSpec spec;
    private final Map<String, Path> descriptors;
    private final DomainBackend backend;
    private final Path workDir;
    private final Path socket;
    private final EventSink events;
    private final SupervisorListener listener;
    private final RestartBudget budget;
    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final Thread loop;

    // State below is owned by the loop thread; status() reads a published snapshot.
    private volatile DomainStatus status;
    private long generation;
    private RunningDomain running;
    /** Volatile: the loop sets it, an operator's {@link #sessions} reads it from the control socket's thread. */
    private volatile DomainSession health;
    // Monotonic (System.nanoTime()), null when unset: how long a generation ran feeds the restart budget, and a
    // wall clock stepped by NTP would end a back-off streak early or never.
    private Long runningSinceNs;
    private Long deathAtNs;
    private String restartReason = "exit";
    private int restarts;
    private String lastExit = "";
    private boolean closed;
    /**
     * The parked standby of the next generation, if the spec asks for one and it runs; null otherwise. Written by
     * the loop only; volatile for {@link #standbyPid()}.
     */
    private volatile StandbyDomain standby;
    /** Whether {@link #standby} has said it parked. Written by the loop only, after {@code standby}. */
    private volatile boolean standbyParked;
    /** When {@link #standby} was started (System.nanoTime()), for the journal's time to park. */
    private long standbyStartedNs;
    /** Standbys in a row that ended, or failed to start, before they were promoted: their replacement backs off. */
    private int standbyLosses;

    /**
     * @param lastGeneration the highest generation this domain ever had (from the journal), so none is reused
     */
    public DomainSupervisor(DomainSpec spec, DomainBackend backend, Path stateDir, long lastGeneration,
                            EventSink events, SupervisorListener listener) {
        this(spec, backend, stateDir, lastGeneration, events, listener, Map.of());
    }

    /**
     * @param lastGeneration the highest generation this domain ever had (from the journal), so none is reused
     * @param descriptors    directories the control plane holds open for this domain, handed to every generation
     *                       (see {@link DomainLaunch#descriptors()}): {@code exportRootFd}, its export root
     */
    public DomainSupervisor(DomainSpec spec, DomainBackend backend, Path stateDir, long lastGeneration,
                            EventSink events, SupervisorListener listener, Map<String, Path> descriptors) {
        this.descriptors = Map.copyOf(descriptors);
        this.spec = spec;
        this.backend = backend;
        this.workDir = StateDirectory.domainDirectory(stateDir, spec.name());
        this.socket = StateDirectory.agentSocket(stateDir, spec.name());
        this.events = events;
        this.listener = listener;
        this.budget = new RestartBudget(spec.limits());
        this.generation = lastGeneration;
        this.status = new DomainStatus(spec.name(), kind(), DomainState.STOPPED, lastGeneration, -1, Instant.now(),
                0, "", "not started yet");
        this.loop = Thread.ofVirtual().name("vos-supervisor-" + spec.name()).unstarted(this::run);
    }

    /** Starts supervising: the first generation starts at once. */
    public void start() {
        loop.start();
        queue.add(new Start());
    }

    /** The domain's name. */
    public String name() {
        return spec.name();
    }

    /** Where the domain's agent listens; clients attach here. */
    public Path socket() {
        return socket;
    }

    /** The domain's log file. */
    public Path logFile() {
        return workDir.resolve("domain.log");
    }

    /** The domain as it is now, its standby's state read at this call. */
    public DomainStatus status() {
        return status.withStandby(standbyState(), standbyPid());
    }

    /**
     * Carries out an operator's command, in turn with everything else that happens to the domain:
     * <ul>
     *   <li>{@link Command.Restart}: start a new generation now (also out of FAILED or STOPPED); forgives the restart
     *       history;</li>
     *   <li>{@link Command.Stop}: stop the domain; it stays STOPPED until restarted;</li>
     *   <li>{@link Command.Kill}: send a signal to the domain's process (fault injection); the supervisor then reacts
     *       as to any fault. Refused, with {@link IllegalStateException}, when no process runs.</li>
     * </ul>
     *
     * @return completes with the answer for the operator, or exceptionally with why it was refused
     * @throws IllegalArgumentException if the command is for another domain
     */
    public CompletableFuture<String> handle(Command.Lifecycle command) {
        if (!command.domain().equals(spec.name())) {
            throw new IllegalArgumentException("'" + command.line() + "' is not for " + spec.name());
        }
        CompletableFuture<String> done = new CompletableFuture<>();
        queue.add(new Operator(command, done));
        return done;
    }

    /** Stops the domain and the supervisor (control-plane shutdown). */
    @Override
    public void close() throws InterruptedException {
        if (loop.isAlive()) { // a loop never started (or already ended) would keep close() waiting for nothing
            CompletableFuture<String> done = new CompletableFuture<>();
            queue.add(new Shutdown(done));
            try {
                done.get(spec.stopGraceMs() + CLOSE_SLACK.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // the loop is gone or stuck; the process is killed below either way
            }
        }
        loop.interrupt();
        loop.join(5_000);
        if (standby != null) { // the loop is gone or stuck: no standby outlives its supervisor
            standby.discard();
        }
        if (running != null && running.isAlive()) {
            running.stop(Duration.ZERO);
        }
    }

    private void run() {
        try {
            while (!closed) {
                Event event = queue.take();
                switch (event) {
                    case Start _ -> startGeneration();
                    case Exited e -> onExit(e);
                    case HealthLost h -> onHealthLost(h);
                    case RestartDue r -> {
                        if (status.state() == DomainState.RESTARTING && r.generation() == generation) {
                            startGeneration();
                        }
                    }
                    case Operator o -> onOperator(o);
                    case Shutdown s -> onShutdown(s);
                    case StandbyExited x -> onStandbyExited(x);
                    case StandbyDue _ -> startStandby();
                    case StandbyParked p -> onStandbyParked(p);
                }
            }
        } catch (InterruptedException e) {
            // shutdown
        }
    }

    private void startGeneration() {
        generation++;
        publish(DomainState.STARTING, "");
        StandbyDomain parked = standby;
        boolean wasParked = standbyParked;
        forgetStandby();
        record(EventType.DOMAIN_STARTING, "backend " + backend.name() + (parked == null ? ""
                : ", promoting the standby (" + parked.describe() + (wasParked ? ")" : ", not parked yet)")));
        long t0 = System.nanoTime();
        long started = generation;
        try {
            running = promoteOrStart(parked, launch());
            running.exit().thenAccept(exit -> queue.add(new Exited(started, exit)));
            health = switch (running.agent()) {
                case AgentRoute.Socket _ -> AgentSession.attachAsSupervisor(socket(), healthGeometry(),
                        SupervisorToken.read(StateDirectory.supervisorToken(workDir)), WaitStrategy.sleeping(),
                        spec.startTimeout());
                case AgentRoute.XenGuest guest -> attachGuest(guest.xenName(), running, started, t0);
                case AgentRoute.None _ -> null;
            };
            if (health != null) {
                health.ring().whenFailed().thenAccept(failure -> queue.add(new HealthLost(started, failure)));
            }
        } catch (DomainBackend.BackendException | IOException e) {
            record(EventType.DOMAIN_EXITED, "failed to start: " + e.getMessage());
            lastExit = "failed to start";
            if (running != null) {
                running.stop(Duration.ZERO);
                running = null; // its exit event is for a generation already handled
            }
            decideRestart(null);
            return;
        }
        runningSinceNs = System.nanoTime();
        DomainSession watched = health;
        if (watched != null) {
            Thread.ofVirtual().name("vos-stats-" + spec.name()).start(() -> pollStats(watched));
        }
        publish(DomainState.RUNNING, "");
        record(EventType.DOMAIN_RUNNING, String.format("%s, %s after %d ms", running.describe(),
                watched != null ? "listening" : "running", (System.nanoTime() - t0) / 1_000_000));
        if (deathAtNs != null) {
            listener.recovered(spec.name(), Duration.ofNanos(System.nanoTime() - deathAtNs));
            deathAtNs = null;
        }
        if (wantsStandby()) {
            later(STANDBY_AFTER_RUNNING, new StandbyDue());
        }
    }

    /**
     * The supervisor's health ring to the vos agent in a Xen guest: offered once the guest's agent announces that
     * it serves, which takes the guest's boot (its kernel, then the agent's JVM: 15 to 40 s under the lab's
     * emulation), retried every {@link #GUEST_ATTACH_RETRY} until the spec's start timeout from {@code t0}. When its
     * heartbeat is stale, the ring asks the backend what the guest does: paused is a hang at once, running a busy
     * guest up to the ring's cap, gone a death (whose exit event follows).
     *
     * @throws IOException if the agent does not serve within the start timeout, or the guest ended first
     */
    private DomainSession attachGuest(String xenName, RunningDomain guest, long started, long t0)
            throws IOException {
        PeerDomain toolStack = () -> switch (guest.execution()) {
            case RUNNING -> PeerDomain.State.RUNNING;
            case PAUSED -> PeerDomain.State.PAUSED;
            case GONE -> PeerDomain.State.GONE;
            case UNKNOWN -> PeerDomain.State.UNKNOWN;
        };
        long deadline = t0 + spec.startTimeout().toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            try {
                return XenGuestSession.attach(xenName, healthGeometry(), started, WaitStrategy.sleeping(),
                        Duration.ofNanos(Math.max(left, 1)), toolStack);
            } catch (IOException e) {
                if (guest.exitPending()) {
                    throw new IOException("the guest ended before its vos agent served: " + e.getMessage(), e);
                }
                if (System.nanoTime() + GUEST_ATTACH_RETRY.toNanos() - deadline > 0) {
                    throw new IOException("its vos agent did not serve within the start timeout of "
                            + spec.startTimeout().toMillis() + " ms: " + e.getMessage(), e);
                }
            }
            try {
                Thread.sleep(GUEST_ATTACH_RETRY);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the guest's vos agent", e);
            }
        }
    }

    /**
     * The next generation: the standby promoted, if there is one and it lives; else (none, or it turns out dead)
     * started afresh. A standby that died is never promoted: its loss is journaled and the start goes on without it.
     */
    private RunningDomain promoteOrStart(StandbyDomain parked, DomainLaunch launch)
            throws DomainBackend.BackendException {
        if (parked != null) {
            try {
                RunningDomain promoted = parked.promote(launch);
                standbyLosses = 0;
                return promoted;
            } catch (StandbyDomain.StandbyLostException e) {
                record(EventType.STANDBY_LOST, e.getMessage() + "; starting generation " + launch.generation()
                        + " afresh");
            }
        }
        return backend.start(launch);
    }

    private boolean wantsStandby() {
        return spec.standby() && backend.supportsStandby();
    }

    /** Starts a standby if the domain serves, should have one, and has none. */
    private void startStandby() {
        if (standby != null || !wantsStandby() || status.state() != DomainState.RUNNING || closed) {
            return;
        }
        StandbyDomain started;
        try {
            started = backend.startStandby(launch());
        } catch (DomainBackend.BackendException e) {
            standbyLosses++;
            standbyLost("could not be started: " + e.getMessage());
            return;
        }
        standby = started;
        standbyStartedNs = System.nanoTime();
        listener.standbyChanged(spec.name(), StandbyState.STARTING);
        started.exit().thenAccept(exit -> queue.add(new StandbyExited(started, exit)));
        started.parked().thenRun(() -> queue.add(new StandbyParked(started)));
        record(EventType.STANDBY_STARTED, started.describe());
    }

    private void onStandbyParked(StandbyParked parked) {
        if (parked.standby() != standby) {
            return; // promoted, discarded or lost before its line was read
        }
        standbyParked = true;
        listener.standbyChanged(spec.name(), StandbyState.PARKED);
        record(EventType.STANDBY_PARKED, parked.standby().describe() + ", "
                + (System.nanoTime() - standbyStartedNs) / 1_000_000 + " ms after it was started");
    }

    /** The domain has no standby now: promoted, discarded or lost. */
    private void forgetStandby() {
        boolean had = standby != null;
        standby = null;
        standbyParked = false;
        if (had) {
            listener.standbyChanged(spec.name(), StandbyState.NONE);
        }
    }

    private void onStandbyExited(StandbyExited exited) {
        if (exited.standby() != standby) {
            return; // promoted (its exit is the generation's) or discarded on purpose
        }
        boolean wasParked = standbyParked;
        forgetStandby();
        standbyLosses++;
        standbyLost("(" + exited.standby().describe() + ") " + exited.exit().describe()
                + (wasParked ? " while parked" : " before it parked"));
    }

    /** Journals the loss of a standby and starts its replacement after a back-off: 100 ms, doubling, at most 10 s. */
    private void standbyLost(String how) {
        long delayMs = Math.min(STANDBY_RETRY_MAX.toMillis(),
                STANDBY_RETRY_FIRST.toMillis() << Math.min(20, Math.max(0, standbyLosses - 1)));
        record(EventType.STANDBY_LOST, "the standby " + how + "; a new one in " + delayMs + " ms");
        later(Duration.ofMillis(delayMs), new StandbyDue());
    }

    /** Queues {@code event} after {@code delay}, from a virtual thread of its own. */
    private void later(Duration delay, Event event) {
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(delay);
                queue.add(event);
            } catch (InterruptedException e) {
                // shutting down
            }
        });
    }

    /** Ends the parked standby, if any: the domain stops, fails, or the spec it was started for no longer holds. */
    private void discardStandby() {
        StandbyDomain parked = standby;
        forgetStandby();
        if (parked != null) {
            parked.discard();
        }
    }

    /** The pid of the domain's parked standby, or -1 when it has none (for {@code vos ps} and tests). */
    public long standbyPid() {
        StandbyDomain parked = standby;
        return parked == null ? -1 : parked.pid();
    }

    /** Whether the domain has a standby now, and whether it has parked (for {@code vos ps}, metrics and tests). */
    public StandbyState standbyState() {
        return standby == null ? StandbyState.NONE : standbyParked ? StandbyState.PARKED : StandbyState.STARTING;
    }

    /**
     * What each client session of the running generation holds, as its kind reports it (see
     * {@link Command.Sessions}): asked of the agent with {@code CoreCalls.SESSIONS} on the health ring, the
     * supervisor's own session, page by page until the agent has no more rows.
     *
     * @throws ControlException NOT_RUNNING when no generation serves, INTERNAL when the agent refuses
     */
    public List<String> sessions() throws ControlException {
        DomainSession session = health;
        DomainStatus now = status;
        if (session == null || now.state() != DomainState.RUNNING) {
            throw new ControlException(ControlError.NOT_RUNNING, spec.name() + " is " + now.state()
                    + (session == null && now.state() == DomainState.RUNNING ? " without an agent" : "")
                    + ": there are no sessions to list");
        }
        List<String> rows = new ArrayList<>();
        try (CallSlot slot = session.ring().acquire()) {
            while (rows.size() < MAX_SESSION_ROWS) {
                long n = slot.call(CoreCalls.SESSIONS, slot.dataOffset(), slot.data().byteSize(), rows.size());
                if (n < 0) {
                    throw new ControlException(ControlError.INTERNAL, "the agent of " + spec.name()
                            + " answered sessions with " + Errno.describe(n));
                }
                if (n == 0) {
                    break;
                }
                String page = new String(slot.data().asSlice(0, n).toArray(ValueLayout.JAVA_BYTE),
                        StandardCharsets.UTF_8);
                page.lines().forEach(line -> rows.add(withVisiblePid(line, now.pid())));
            }
        } catch (DomainFailedException | IllegalStateException e) {
            throw new ControlException(ControlError.NOT_RUNNING, spec.name() + "'s generation " + now.generation()
                    + " ended while its sessions were listed: " + e.getMessage());
        }
        return rows;
    }

    /**
     * A {@code SESSIONS} row ({@code session pid uid pidfd fields...}) as the operator reads it, {@code session pid
     * uid fields...}: a pid of 0 (a client outside the domain's pid namespace) replaced by the one this process's
     * {@code /proc} gives the agent's pidfd of that client ({@code /proc/AGENT/fdinfo/PIDFD}, line {@code Pid:}),
     * where this process may read it (the agent runs as its user); 0 where not, or if the client has exited.
     */
    static String withVisiblePid(String row, long agentPid) {
        String[] f = row.split("\t", 5);
        if (f.length < 5) {
            return row; // not of this format: shown as it came
        }
        String pid = f[1];
        if (pid.equals("0") && !f[3].equals("-1") && agentPid > 0) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(agentPid), "fdinfo",
                        Integer.toString(Integer.parseInt(f[3]))))) {
                    if (line.startsWith("Pid:")) {
                        pid = Long.toString(Math.max(0, Long.parseLong(line.substring(4).strip())));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // not readable here, or not a pidfd: the pid stays unknown
            }
        }
        return String.join("\t", f[0], pid, f[2], f[4]);
    }

    /**
     * Reads the domain's figures through the health ring every {@link #STATS_PERIOD} until that session ends (the
     * generation died, hung, or was stopped: the call then fails and the poller ends with it).
     */
    private void pollStats(DomainSession session) {
        while (!session.ring().hasFailed()) {
            try (CallSlot slot = session.ring().acquire()) {
                long bytes = slot.call(CoreCalls.STATS, slot.dataOffset(), slot.data().byteSize(), 0);
                if (bytes > 0) {
                    listener.figures(spec.name(), DomainStats.decode(slot.data().asSlice(0, bytes)));
                }
            } catch (DomainFailedException | IllegalStateException e) {
                return;
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "the figures of {0} are unreadable; no longer polled: {1}",
                        spec.name(), e.getMessage());
                return;
            }
            try {
                Thread.sleep(STATS_PERIOD.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void onHealthLost(HealthLost lost) {
        if (lost.generation() != generation || status.state() != DomainState.RUNNING || running == null) {
            return;
        }
        if (!running.isAlive() || running.exitPending()) {
            return; // a dying domain (gone, a zombie, or sent SIGKILL already) is not hung: its exit event follows
        }
        String why;
        if (isHang(lost.failure())) {
            why = lost.failure().describe();
        } else if (agentEndedInALiveGuest(lost.failure(), running.agent(), running.execution())) {
            why = "the vos agent in the guest ended (its mapping of the health ring is gone) while libxl lists the"
                    + " guest running: it serves nobody";
        } else {
            return; // a death, whose exit event follows and explains it; or the supervisor's own close
        }
        deathAtNs = System.nanoTime();
        restartReason = "hang";
        record(EventType.DOMAIN_HUNG, why + "; killing " + running.describe() + " with SIGKILL");
        running.signal(Linux.SIGKILL); // fence it: no half-alive generation may serve beside the next one
    }

    /**
     * Whether the health ring's failure, of a process that still runs, makes it hung. A dead process closes the
     * session's lifeline: its exit event is on its way and explains it. The supervisor's own close is no fault. A
     * stale heartbeat, a ring the domain stopped serving, or a broken session leave a live process that serves
     * nobody: that is a hang, and it is fenced.
     */
    private static boolean isHang(RingFailure failure) {
        return switch (failure) {
            case RingFailure.Hung _ -> true;
            case RingFailure.Stopped _ -> true;
            case RingFailure.LifelineBroken _ -> true;
            case RingFailure.LifelineClosed _ -> false;
            case RingFailure.Died _ -> false;
            case RingFailure.ClientClosed _ -> false;
        };
    }

    /**
     * Whether a death of the health ring is the agent's alone: a Xen guest's ring fails as {@code Died} when the
     * guest's liveness byte clears, which its kernel does when the agent's process ends; a guest that is destroyed
     * or crashes clears nothing (its kernel runs no more), and its ring dies of a stale heartbeat once libxl no
     * longer lists it running. So a death while libxl lists the guest running is an agent gone from a live kernel:
     * no exit event will follow, and the guest is fenced as a hung one. A process domain's death is its process's.
     */
    static boolean agentEndedInALiveGuest(RingFailure failure, AgentRoute route, RunningDomain.Execution now) {
        return failure instanceof RingFailure.Died && route instanceof AgentRoute.XenGuest
                && now == RunningDomain.Execution.RUNNING;
    }

    private void onExit(Exited exited) {
        if (exited.generation() != generation || running == null) {
            return; // a generation we already dealt with
        }
        if (deathAtNs == null) {
            deathAtNs = System.nanoTime();
            restartReason = "exit";
        }
        closeHealth();
        lastExit = exited.exit().describe();
        long ranNs = runningSinceNs == null ? 0 : System.nanoTime() - runningSinceNs;
        running = null;
        runningSinceNs = null;
        record(EventType.DOMAIN_EXITED, lastExit + " after " + ranNs / 1_000_000 + " ms");
        budget.ran(ranNs);
        decideRestart(exited.exit());
    }

    /** After a generation ended without an operator asking: restart, fail, or stay stopped, per the policy. */
    private void decideRestart(DomainExit exit) {
        RestartPolicy policy = spec.restart();
        if (policy == RestartPolicy.TEMPORARY) {
            discardStandby();
            publish(DomainState.STOPPED, "restart policy temporary: not restarted");
            record(EventType.DOMAIN_STOPPED, "restart policy temporary");
            return;
        }
        if (policy == RestartPolicy.TRANSIENT && exit != null && exit.clean()) {
            discardStandby();
            publish(DomainState.STOPPED, "restart policy transient: exited cleanly");
            record(EventType.DOMAIN_STOPPED, "restart policy transient, clean exit");
            return;
        }
        Optional<String> refused = budget.admit(System.nanoTime());
        if (refused.isPresent()) {
            discardStandby(); // a FAILED domain stays down until an operator acts: nothing to keep warm
            publish(DomainState.FAILED, refused.get());
            record(EventType.DOMAIN_FAILED, refused.get());
            deathAtNs = null;
            return;
        }
        long delayMs = budget.backoffMs();
        restarts++;
        listener.restarted(spec.name(), restartReason);
        publish(DomainState.RESTARTING, "");
        record(EventType.DOMAIN_RESTART_SCHEDULED, "in " + delayMs + " ms (restart " + restarts + ")");
        long due = generation;
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(delayMs);
                queue.add(new RestartDue(due));
            } catch (InterruptedException e) {
                // shutting down
            }
        });
    }

    private void onOperator(Operator op) {
        switch (op.command()) {
            case Command.Restart _ -> {
                record(EventType.OPERATOR_RESTART, "from " + status.state());
                budget.reset();
                stopCurrent();
                restarts++;
                listener.restarted(spec.name(), "operator");
                startGeneration();
                op.done().complete(spec.name() + " restarted: generation " + generation + " is " + status.state());
            }
            case Command.Stop _ -> {
                record(EventType.OPERATOR_STOP, "from " + status.state());
                discardStandby();
                stopCurrent();
                publish(DomainState.STOPPED, "stopped by an operator");
                record(EventType.DOMAIN_STOPPED, "by an operator");
                op.done().complete(spec.name() + " stopped");
            }
            case Command.Kill k -> {
                if (running == null) {
                    op.done().completeExceptionally(new IllegalStateException(spec.name() + " has no running process"
                            + " (it is " + status.state() + "); nothing to signal"));
                    return;
                }
                try {
                    running.signal(k.signal());
                } catch (RuntimeException e) { // the backend has no such fault; the loop must go on
                    op.done().completeExceptionally(new IllegalStateException(e.getMessage()));
                    return;
                }
                record(EventType.OPERATOR_KILL, Signals.name(k.signal()) + " to " + running.describe());
                op.done().complete("sent " + Signals.name(k.signal()) + " to " + spec.name() + " ("
                        + running.describe() + ", generation " + generation + ")");
            }
        }
    }

    private void onShutdown(Shutdown shutdown) {
        discardStandby();
        stopCurrent();
        publish(DomainState.STOPPED, "control plane shut down");
        record(EventType.DOMAIN_STOPPED, "control plane shut down");
        closed = true;
        shutdown.done().complete(spec.name() + " stopped");
    }

    /** Ends the current generation on purpose; its exit event is then ignored (running is cleared first). */
    private void stopCurrent() {
        RunningDomain current = running;
        running = null;
        runningSinceNs = null;
        deathAtNs = null;
        closeHealth();
        if (current != null) {
            String failed = null;
            try {
                current.stop(spec.stopGrace());
            } catch (RuntimeException e) { // a kill refused, a wait interrupted: said as such, and the loop goes on
                failed = e.getMessage();
                LOG.log(System.Logger.Level.WARNING, "stopping {0} ({1}) failed: {2}", spec.name(), current.describe(),
                        failed);
            }
            DomainExit exit = current.exit().toCompletableFuture().getNow(null);
            lastExit = exit != null ? exit.describe() : failed != null ? "not seen to end: " + failed : "stopped";
            record(EventType.DOMAIN_EXITED, lastExit + " (stopped on purpose)");
        }
    }

    private void closeHealth() {
        if (health != null) {
            try {
                health.close();
            } catch (IOException e) {
                // the session is gone either way
            }
            health = null;
        }
    }

    private DomainLaunch launch() {
        Map<String, String> options = new HashMap<>();
        if (spec.storage() != null) {
            options.put("exportRoot", spec.storage().exportRoot().toAbsolutePath().toString());
            options.put("allowSpecialFiles", Boolean.toString(spec.storage().allowSpecialFiles()));
            options.put("mapReads", Boolean.toString(spec.storage().mapReads()));
        }
        if (spec.net() != null) {
            options.put("bind", spec.net().bind().stream().map(a -> a.getHostAddress())
                    .collect(Collectors.joining(",")));
            if (!spec.net().unix().isEmpty()) {
                options.put("unix", spec.net().unix().stream().map(Path::toString).collect(Collectors.joining(",")));
            }
        }
        return new DomainLaunch(spec.name(), kind(), generation, workDir, socket(), spec.resources().memoryMb(),
                spec.resources().cpus(), spec.namespaces().stream().map(n -> n.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet()), options, spec.startTimeout(),
                Duration.ofMillis(spec.limits().hangTimeoutMs()), spec.attachGroup(), spec.capabilities().stream()
                .map(c -> c.name().toLowerCase(Locale.ROOT)).toList(), descriptors);
    }

    /** The supervisor's own ring to the domain: tiny; its liveness timeout is the hang timeout the agent announces. */
    private RingGeometry healthGeometry() {
        return new RingGeometry(2, 4096, spec.limits().hangTimeoutMs() * 1_000_000L);
    }

    private String kind() {
        return spec.kind().name().toLowerCase(Locale.ROOT);
    }

    private void publish(DomainState state, String reason) {
        status = new DomainStatus(spec.name(), kind(), state, generation, running == null ? -1 : running.pid(),
                Instant.now(), restarts, lastExit, reason);
        listener.stateChanged(status);
    }

    private void record(EventType type, String detail) {
        events.record(new JournalEvent(Instant.now(), spec.name(), generation, type, detail));
    }
}
