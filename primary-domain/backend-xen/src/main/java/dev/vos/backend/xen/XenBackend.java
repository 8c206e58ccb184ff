package dev.vos.backend.xen;

import dev.vos.backend.AgentRoute;
import dev.vos.backend.DomainBackend;
import dev.vos.backend.DomainExit;
import dev.vos.backend.DomainLaunch;
import dev.vos.backend.RunningDomain;
import dev.vos.backend.xen.libxl.DomainEvent;
import dev.vos.backend.xen.libxl.DomainInfo;
import dev.vos.backend.xen.libxl.Libxl;
import dev.vos.backend.xen.libxl.LibxlException;
import dev.vos.backend.xen.libxl.LibxlLayout;
import dev.vos.backend.xen.libxl.XenUnavailableException;
import dev.vos.backend.xen.libxl.XlConfigFile;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs each domain generation as a Xen PV guest through libxl, from the xl.cfg its spec names.
 *
 * <p>No {@code xl} process watches these guests, so nobody else applies {@code on_poweroff} or {@code on_crash}:
 * this backend enables libxl's death events for every guest it creates, and one platform thread waits for them.
 * On {@code DOMAIN_SHUTDOWN} (poweroff, reboot, crash, watchdog, suspend) it destroys the guest; on
 * {@code DOMAIN_DEATH} (after that destroy, or after an {@code xl destroy} from outside) it polls until the domain
 * is gone, not merely dying, and only then completes the generation's exit. The supervisor's restart policy decides
 * what follows, as for a process: the xl.cfg's {@code on_*} actions are recorded in the domain config but not
 * carried out.
 *
 * <p>libxl calls block (a create takes seconds, more under emulation), so they run on platform threads of this
 * backend ({@link LibxlThreads}); the supervisors' virtual threads wait for them without pinning a carrier. An
 * interrupted wait is reported as interrupted, never as the call's success.
 */
public final class XenBackend implements DomainBackend {

    private static final System.Logger LOG = System.getLogger(XenBackend.class.getName());
    /** How long a destroyed domain may stay dying before vos gives up on it (and says so). */
    static final Duration DYING_LIMIT = Duration.ofSeconds(60);
    /** The domain directory's record that it is a Xen guest: the ring's {@code StateDirectory.xenGuest}. */
    static final String GUEST_RECORD = "xen-guest";
    /** Its entry naming the guest: the ring's {@code XenGuestSession.XEN_DOMAIN}. */
    static final String GUEST_RECORD_ENTRY = "xen-domain";
    /** How often a dying domain is looked at. */
    static final Duration DYING_POLL = Duration.ofMillis(20);
    /** How long a stop waits for a destroyed domain's exit beyond {@link #DYING_LIMIT}: the last poll and its event. */
    static final Duration EXIT_SLACK = Duration.ofSeconds(5);
    /** How long the event loop waits before it asks libxl again after a failed wait. */
    static final Duration EVENT_RETRY = Duration.ofSeconds(1);
    /**
     * How often every watched guest is looked at besides its events ({@link #sweep}): the longest a guest that shut
     * down or went without its event reaching vos stays RUNNING for its supervisor.
     */
    static final Duration SWEEP_PERIOD = Duration.ofSeconds(2);

    private final Libxl libxl;
    private final Map<String, Path> configs;
    private final LibxlThreads calls = new LibxlThreads();
    private final Map<Long, XenDomain> byUser = new ConcurrentHashMap<>();
    private final AtomicLong users = new AtomicLong(1);
    private final Thread events;
    private final Thread sweeper;
    private volatile boolean closing;

    private XenBackend(Libxl libxl, Map<String, Path> configs) {
        this.libxl = libxl;
        this.configs = Map.copyOf(configs);
        this.events = Thread.ofPlatform().daemon().name("vos-xen-events").unstarted(this::eventLoop);
        this.sweeper = Thread.ofPlatform().daemon().name("vos-xen-sweep").unstarted(this::sweepLoop);
    }

    /**
     * Opens libxl and starts watching for death events; {@code configs} maps each xen domain's name to its xl.cfg.
     *
     * @throws XenUnavailableException with one line: no libxenlight, or no hypervisor, and what to do
     */
    public static XenBackend open(Map<String, Path> configs) throws XenUnavailableException {
        XenBackend backend = new XenBackend(Libxl.open(), configs);
        backend.events.start();
        backend.sweeper.start();
        LOG.log(Level.INFO, "xen backend: Xen {0} through libxl", backend.libxl.xenVersion());
        return backend;
    }

    @Override
    public String name() {
        return "xen";
    }

    /** The hypervisor's version. */
    public String xenVersion() {
        return libxl.xenVersion();
    }

    /** Every domain on the host, as libxl lists them. */
    public List<DomainInfo> list() throws BackendException {
        return calls.call("list the domains", libxl::listDomains);
    }

    @Override
    public RunningDomain start(DomainLaunch launch) throws BackendException {
        Path cfgFile = configs.get(launch.name());
        if (cfgFile == null) {
            throw new BackendException("domain " + launch.name() + " has no xl.cfg (xen.config in the spec)");
        }
        appendLog(launch, "=== " + Instant.now() + " generation " + launch.generation() + " of " + launch.name()
                + " starting: Xen guest from " + cfgFile + " ===");
        GuestConfig guest = calls.call("read " + cfgFile, () -> {
            try (XlConfigFile cfg = libxl.readXlConfig(cfgFile)) {
                return GuestConfig.read(cfg, launch.name());
            }
        });
        Optional<String> agentKind = guest.agentKind();
        if (agentKind.isPresent() && !agentKind.get().equals(launch.kind())) {
            throw new BackendException(cfgFile + ": the kernel command line says " + GuestConfig.AGENT_PARAMETER
                    + agentKind.get() + ", but " + launch.name() + " is a " + launch.kind() + " domain; make them"
                    + " agree");
        }
        fenceLeftover(launch);
        recordGuest(launch);
        long t0 = System.nanoTime();
        // Interrupted while it waits, the create goes on: the guest it leaves is a leftover the next start fences.
        int domid = calls.call("create Xen guest " + launch.name(), () -> libxl.createDomain(guest.toLibxlJson()));
        long user = users.getAndIncrement();
        XenDomain domain = new XenDomain(launch, domid, user, agentKind.isPresent());
        byUser.put(user, domain);
        try {
            domain.watch = calls.call("watch domain " + domid, () -> libxl.watchDeath(domid, user));
            calls.call("unpause domain " + domid, () -> {
                libxl.unpause(domid);
                return null;
            });
        } catch (BackendException e) {
            try {
                domain.stop(Duration.ZERO);
            } catch (StopInterruptedException stop) { // interrupted: the destroy is issued, not seen through
                e.addSuppressed(stop);
            }
            throw e;
        }
        appendLog(launch, "domid " + domid + " created and unpaused in " + (System.nanoTime() - t0) / 1_000_000
                + " ms: " + guest.toLibxlJson());
        return domain;
    }

    /**
     * A domain with the name this generation needs that is still there: the last generation of a control plane
     * that died. vos names Xen domains after its own, so it is ours; it is destroyed, with a line in the log.
     */
    private void fenceLeftover(DomainLaunch launch) throws BackendException {
        for (DomainInfo d : list()) {
            if (d.name().equals(launch.name()) && d.domid() != 0 && byUser.values().stream()
                    .noneMatch(x -> x.domid == d.domid())) {
                appendLog(launch, "destroying domid " + d.domid() + ", a leftover " + launch.name()
                        + " that no supervisor here started");
                calls.call("destroy leftover domain " + d.domid(), () -> {
                    libxl.destroy(d.domid());
                    awaitGone(d.domid());
                    return null;
                });
            }
        }
    }

    private void eventLoop() {
        while (!closing) {
            DomainEvent event;
            try {
                event = libxl.waitEvent();
            } catch (LibxlException | RuntimeException e) {
                if (closing) {
                    return;
                }
                LOG.log(Level.ERROR, "waiting for Xen domain events failed; retrying in {0} ms: {1}",
                        EVENT_RETRY.toMillis(), e.getMessage());
                try {
                    Thread.sleep(EVENT_RETRY);
                } catch (InterruptedException stop) {
                    return; // nothing interrupts this thread but an end: go, rather than spin on a set flag
                }
                continue;
            }
            XenDomain domain = byUser.get(event.user());
            if (domain == null) {
                continue;
            }
            switch (event.type()) {
                case DOMAIN_SHUTDOWN -> domain.shutDown(event.shutdownReason());
                case DOMAIN_DEATH -> domain.died();
                case OTHER -> { }
            }
        }
    }

    private void sweepLoop() {
        while (!closing) {
            try {
                Thread.sleep(SWEEP_PERIOD);
            } catch (InterruptedException stop) {
                return;
            }
            try {
                sweep();
            } catch (LibxlException | RuntimeException e) {
                LOG.log(Level.WARNING, "looking at the Xen guests failed: {0}", e.getMessage());
            }
        }
    }

    /**
     * Looks at every watched guest as libxl lists it, so that an event that never reaches vos costs a sweep period,
     * not the guest: a guest that shut down is handled as its {@code DOMAIN_SHUTDOWN} would be, and one that is gone
     * as its {@code DOMAIN_DEATH}. Once, in the lab, a guest that crashed (its second generation) stayed RUNNING for
     * its supervisor for 8 minutes, while libxl no longer knew its domain id.
     */
    private void sweep() throws LibxlException {
        for (XenDomain domain : byUser.values()) {
            if (domain.watch == null || domain.dead) {
                continue; // being created (its watch comes before its unpause), or its death is being seen through
            }
            Optional<DomainInfo> info = libxl.domainInfo(domain.domid);
            if (info.isEmpty()) {
                LOG.log(Level.INFO, "domid {0} ({1}) is gone: seen by the sweep (before or without its event)",
                        domain.domid, domain.launch.name());
                domain.died();
            } else if (info.get().shutdown() && domain.shutdownReason == null) {
                LOG.log(Level.INFO, "domid {0} ({1}) shut down ({2}): seen by the sweep (before or without its event)",
                        domain.domid, domain.launch.name(), info.get().shutdownReason());
                domain.shutDown(info.get().shutdownReason());
            }
        }
    }

    /**
     * Polls until {@code domid} is gone: a destroyed domain stays "dying" until its memory is released.
     *
     * @throws LibxlException       {@code ERROR_TIMEDOUT} if it is still there after {@link #DYING_LIMIT}
     * @throws InterruptedException if this thread was interrupted first: it is not known to be gone
     */
    private void awaitGone(int domid) throws LibxlException, InterruptedException {
        long deadline = System.nanoTime() + DYING_LIMIT.toNanos();
        while (true) {
            Optional<DomainInfo> info = libxl.domainInfo(domid);
            if (info.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new LibxlException("domain " + domid + " is still there (" + info.get().state() + ") "
                        + DYING_LIMIT.toSeconds() + " s after it was destroyed", LibxlLayout.ERROR_TIMEDOUT);
            }
            Thread.sleep(DYING_POLL);
        }
    }

    /**
     * Records in the domain's directory that it is the Xen guest of its own name ({@code xen-guest}: {@code
     * xen-domain=NAME}), where a client of the state directory looks before it attaches (the ring's {@code
     * StateDirectory.xenGuest}, which this module may not import: the same file name and entry). The name, not the
     * domain id: every generation is a new domain id, and a client finds the next one by the name without reading
     * this again. Written before the guest exists, so that no client takes the domain for a process domain.
     */
    static void recordGuest(DomainLaunch launch) throws BackendException {
        try {
            Files.createDirectories(launch.workDir());
            Files.writeString(launch.workDir().resolve(GUEST_RECORD), GUEST_RECORD_ENTRY + "=" + launch.name()
                    + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BackendException("cannot record " + launch.name() + " as a Xen guest in " + launch.workDir()
                    + ": " + e.getMessage(), e);
        }
    }

    private static void appendLog(DomainLaunch launch, String line) {
        try {
            Files.createDirectories(launch.workDir());
            Files.writeString(launch.logFile(), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot write {0}: {1}", launch.logFile(), e.getMessage());
        }
    }

    /**
     * Stops watching and frees the libxl context. Guests still running are left alone (the supervisors stop
     * theirs first). The event thread may be inside {@code libxl_event_wait}, which nothing can interrupt; the
     * context is then left to the process's exit rather than freed under it.
     */
    @Override
    public void close() {
        closing = true;
        calls.close();
        sweeper.interrupt(); // between sweeps it sleeps; inside one, its libxl call ends and the join waits for it
        try {
            sweeper.join(SWEEP_PERIOD.toMillis() + 5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!events.isAlive() && !sweeper.isAlive()) {
            libxl.close();
        }
    }

    /** Runs a fault's libxl call on a libxl thread without waiting; a failure is logged, as a signal's would be. */
    private void inBackground(LibxlAction action) {
        calls.execute(() -> {
            try {
                action.run();
            } catch (LibxlException e) {
                LOG.log(Level.WARNING, "{0}", e.getMessage());
            }
        });
    }

    /** A libxl call with no result. */
    @FunctionalInterface
    private interface LibxlAction {
        void run() throws LibxlException;
    }

    /** One generation: a Xen domain, its death watch, and its exit once it is gone. */
    private final class XenDomain implements RunningDomain {
        private final DomainLaunch launch;
        private final int domid;
        private final long user;
        private final CompletableFuture<DomainExit> exit = new CompletableFuture<>();
        private volatile Libxl.DeathWatch watch;
        private volatile String shutdownReason;
        private volatile XenExit.Request request = XenExit.Request.NONE;
        private volatile boolean dead;
        private final boolean runsAgent;

        XenDomain(DomainLaunch launch, int domid, long user, boolean runsAgent) {
            this.launch = launch;
            this.domid = domid;
            this.user = user;
            this.runsAgent = runsAgent;
        }

        @Override
        public long generation() {
            return launch.generation();
        }

        @Override
        public long pid() {
            return -1;
        }

        @Override
        public String describe() {
            return "domid " + domid;
        }

        /** The guest's agent, by the guest's name, if its kernel command line starts one ({@code vos.agent=}). */
        @Override
        public AgentRoute agent() {
            return runsAgent ? new AgentRoute.XenGuest(launch.name())
                    : new AgentRoute.None("its kernel command line names no " + GuestConfig.AGENT_PARAMETER + "KIND");
        }

        /**
         * As libxl lists the guest now: paused, gone (or shut down, dying), or running. Unknown when libxl cannot
         * be asked (the call failed): a stale heartbeat is then judged on its own.
         */
        @Override
        public Execution execution() {
            if (exit.isDone()) {
                return Execution.GONE;
            }
            try {
                Optional<DomainInfo> info = calls.call("look at domain " + domid, () -> libxl.domainInfo(domid));
                if (info.isEmpty() || info.get().shutdown() || info.get().dying()) {
                    return Execution.GONE;
                }
                return info.get().paused() ? Execution.PAUSED : Execution.RUNNING;
            } catch (BackendException | RuntimeException e) {
                return Execution.UNKNOWN;
            }
        }

        @Override
        public boolean isAlive() {
            return !exit.isDone();
        }

        @Override
        public CompletionStage<DomainExit> exit() {
            return exit;
        }

        /** DOMAIN_SHUTDOWN: nobody else destroys a libxl guest that shut down, so we do (once). */
        synchronized void shutDown(String reason) {
            if (shutdownReason != null) {
                return; // the event and the sweep both saw it
            }
            shutdownReason = reason;
            appendLog(launch, Instant.now() + " domid " + domid + " shut down: " + reason + "; destroying it");
            destroyAsync();
        }

        /** DOMAIN_DEATH: wait until the domain is gone, then hand the exit on. */
        synchronized void died() {
            if (dead) {
                return;
            }
            dead = true;
            calls.execute(() -> {
                String problem = "";
                try {
                    awaitGone(domid);
                } catch (LibxlException | RuntimeException e) {
                    problem = "; " + e.getMessage();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    problem = "; not seen gone: interrupted while waiting for it to go";
                }
                Libxl.DeathWatch w = watch;
                if (w != null) {
                    w.close();
                }
                byUser.remove(user);
                DomainExit how = XenExit.of(request, shutdownReason, problem);
                appendLog(launch, Instant.now() + " domid " + domid + " is gone: " + how.describe());
                exit.complete(how);
            });
        }

        private void destroyAsync() {
            calls.execute(() -> {
                try {
                    libxl.destroy(domid);
                } catch (LibxlException | RuntimeException e) {
                    LOG.log(Level.WARNING, "destroying domid {0} ({1}) failed: {2}", domid, launch.name(),
                            e.getMessage());
                }
            });
        }

        /** KILL: destroy. TERM, INT, HUP: shut down. QUIT, ABRT, SEGV: crash its kernel. STOP, CONT: (un)pause. */
        @Override
        public void signal(int signal) {
            switch (XenFault.of(signal)) {
                case DESTROY -> {
                    request = XenExit.Request.KILL;
                    destroyAsync();
                }
                case SHUTDOWN_REQUEST -> inBackground(() -> libxl.shutdown(domid));
                case CRASH_KERNEL -> inBackground(() -> libxl.sysrq(domid, 'c'));
                case PAUSE -> inBackground(() -> libxl.pause(domid));
                case UNPAUSE -> inBackground(() -> libxl.unpause(domid));
            }
        }

        /**
         * Asks the guest to power off; destroys it if it has not within {@code grace} (at once for a zero grace);
         * returns once it is gone.
         *
         * @throws StopInterruptedException if this thread is interrupted first: the destroy is then issued at once
         *                                  and not waited for, and the interrupt status is set again
         */
        @Override
        public void stop(Duration grace) {
            if (exit.isDone()) {
                return;
            }
            request = XenExit.Request.STOP;
            if (!grace.isZero()) {
                try {
                    calls.await(() -> {
                        libxl.shutdown(domid);
                        return null;
                    });
                    exit.get(grace.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException | ExecutionException | LibxlException | RuntimeException e) {
                    // it did not power off in time (or could not be asked): destroy it
                } catch (InterruptedException e) {
                    request = XenExit.Request.DESTROY;
                    destroyAsync();
                    if (watch == null) {
                        died();
                    }
                    throw interrupted("during its grace to power off", e);
                }
            }
            request = XenExit.Request.DESTROY;
            try {
                calls.await(() -> {
                    libxl.destroy(domid);
                    return null;
                });
            } catch (LibxlException | RuntimeException e) {
                LOG.log(Level.WARNING, "destroying domid {0} ({1}) failed: {2}", domid, launch.name(), e.getMessage());
            } catch (InterruptedException e) {
                throw interrupted("while it was being destroyed", e);
            } finally {
                if (watch == null) { // never watched: nobody will see its death
                    died();
                }
            }
            try {
                exit.get(DYING_LIMIT.plus(EXIT_SLACK).toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                LOG.log(Level.WARNING, "domid {0} ({1}) did not go away", domid, launch.name());
            } catch (InterruptedException e) {
                throw interrupted("after it was destroyed, before it was gone", e);
            }
        }

        /** Says that a stop did not see the guest go, with the interrupt status set again. */
        private StopInterruptedException interrupted(String when, InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StopInterruptedException("interrupted " + when + ": domid " + domid + " (" + launch.name()
                    + ") is destroyed by libxl in the background, not known to be gone", e);
        }
    }
}
