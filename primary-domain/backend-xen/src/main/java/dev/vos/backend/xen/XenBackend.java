package dev.vos.backend.xen;

import dev.vos.backend.DomainBackend;
import dev.vos.backend.DomainExit;
import dev.vos.backend.DomainLaunch;
import dev.vos.backend.RunningDomain;
import dev.vos.backend.xen.libxl.DomainEvent;
import dev.vos.backend.xen.libxl.DomainInfo;
import dev.vos.backend.xen.libxl.Libxl;
import dev.vos.backend.xen.libxl.LibxlException;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * backend; the supervisors' virtual threads wait for them without pinning a carrier.
 */
public final class XenBackend implements DomainBackend {

    private static final System.Logger LOG = System.getLogger(XenBackend.class.getName());
    /** How long a destroyed domain may stay dying before vos gives up on it (and says so). */
    static final Duration DYING_LIMIT = Duration.ofSeconds(60);
    /** How often a dying domain is looked at. */
    static final Duration DYING_POLL = Duration.ofMillis(20);

    private final Libxl libxl;
    private final Map<String, Path> configs;
    private final ExecutorService calls = Executors.newCachedThreadPool(Thread.ofPlatform().daemon()
            .name("vos-xen-call-", 0).factory());
    private final Map<Long, XenDomain> byUser = new ConcurrentHashMap<>();
    private final AtomicLong users = new AtomicLong(1);
    private final Thread events;
    private volatile boolean closing;

    private XenBackend(Libxl libxl, Map<String, Path> configs) {
        this.libxl = libxl;
        this.configs = Map.copyOf(configs);
        this.events = Thread.ofPlatform().daemon().name("vos-xen-events").unstarted(this::eventLoop);
    }

    /**
     * Opens libxl and starts watching for death events; {@code configs} maps each xen domain's name to its xl.cfg.
     *
     * @throws XenUnavailableException with one line: no libxenlight, or no hypervisor, and what to do
     */
    public static XenBackend open(Map<String, Path> configs) throws XenUnavailableException {
        XenBackend backend = new XenBackend(Libxl.open(), configs);
        backend.events.start();
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
        return call("list the domains", libxl::listDomains);
    }

    @Override
    public RunningDomain start(DomainLaunch launch) throws BackendException {
        Path cfgFile = configs.get(launch.name());
        if (cfgFile == null) {
            throw new BackendException("domain " + launch.name() + " has no xl.cfg (xen.config in the spec)");
        }
        appendLog(launch, "=== " + Instant.now() + " generation " + launch.generation() + " of " + launch.name()
                + " starting: Xen guest from " + cfgFile + " ===");
        GuestConfig guest = call("read " + cfgFile, () -> {
            try (XlConfigFile cfg = libxl.readXlConfig(cfgFile)) {
                return GuestConfig.read(cfg, launch.name());
            }
        });
        fenceLeftover(launch);
        long t0 = System.nanoTime();
        int domid = call("create Xen guest " + launch.name(), () -> libxl.createDomain(guest.toLibxlJson()));
        long user = users.getAndIncrement();
        XenDomain domain = new XenDomain(launch, domid, user);
        byUser.put(user, domain);
        try {
            domain.watch = call("watch domain " + domid, () -> libxl.watchDeath(domid, user));
            call("unpause domain " + domid, () -> {
                libxl.unpause(domid);
                return null;
            });
        } catch (BackendException e) {
            domain.stop(Duration.ZERO);
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
                call("destroy leftover domain " + d.domid(), () -> {
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
                LOG.log(Level.ERROR, "waiting for Xen domain events failed; retrying in 1 s: {0}", e.getMessage());
                sleep(Duration.ofSeconds(1));
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

    /** Polls until {@code domid} is gone: a destroyed domain stays "dying" until its memory is released. */
    private void awaitGone(int domid) throws LibxlException {
        long deadline = System.nanoTime() + DYING_LIMIT.toNanos();
        while (true) {
            Optional<DomainInfo> info = libxl.domainInfo(domid);
            if (info.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new LibxlException("domain " + domid + " is still there (" + info.get().state() + ") "
                        + DYING_LIMIT.toSeconds() + " s after it was destroyed", -9);
            }
            sleep(DYING_POLL);
        }
    }

    private <T> T call(String what, Callable<T> call) throws BackendException {
        try {
            return calls.submit(call).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new BackendException("cannot " + what + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while trying to " + what);
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

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
        calls.shutdown();
        try {
            calls.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!events.isAlive()) {
            libxl.close();
        }
    }

    /** One generation: a Xen domain, its death watch, and its exit once it is gone. */
    private final class XenDomain implements RunningDomain {
        private final DomainLaunch launch;
        private final int domid;
        private final long user;
        private final CompletableFuture<DomainExit> exit = new CompletableFuture<>();
        private volatile Libxl.DeathWatch watch;
        private volatile String shutdownReason;
        private volatile String requested; // "stop" or "destroy" when vos ended it on purpose
        private volatile boolean killed; // destroyed by 'vos kill' (an injected fault, not on purpose)
        private volatile boolean dead;

        XenDomain(DomainLaunch launch, int domid, long user) {
            this.launch = launch;
            this.domid = domid;
            this.user = user;
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

        @Override
        public boolean hasAgent() {
            return false;
        }

        @Override
        public boolean isAlive() {
            return !exit.isDone();
        }

        @Override
        public CompletionStage<DomainExit> exit() {
            return exit;
        }

        /** DOMAIN_SHUTDOWN: nobody else destroys a libxl guest that shut down, so we do. */
        void shutDown(String reason) {
            shutdownReason = reason;
            appendLog(launch, Instant.now() + " domid " + domid + " shut down: " + reason + "; destroying it");
            destroyAsync();
        }

        /** DOMAIN_DEATH: wait until the domain is gone, then hand the exit on. */
        void died() {
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
                }
                Libxl.DeathWatch w = watch;
                if (w != null) {
                    w.close();
                }
                byUser.remove(user);
                DomainExit how = exitOf(problem);
                appendLog(launch, Instant.now() + " domid " + domid + " is gone: " + how.describe());
                exit.complete(how);
            });
        }

        private DomainExit exitOf(String problem) {
            String reason = shutdownReason;
            if (requested != null && (reason == null || reason.equals("poweroff"))) {
                return new DomainExit(0, (requested.equals("stop") ? "shut down by vos" : "destroyed by vos")
                        + problem);
            }
            if (reason == null) {
                String how = killed ? "destroyed by 'vos kill'" : "destroyed from outside vos (xl destroy?)";
                return new DomainExit(1, how + problem);
            }
            return switch (reason) {
                case "poweroff" -> new DomainExit(0, "powered off" + problem);
                case "crash" -> new DomainExit(1, "crashed (Xen shutdown reason crash)" + problem);
                case "watchdog" -> new DomainExit(1, "watchdog fired (Xen shutdown reason watchdog)" + problem);
                case "reboot" -> new DomainExit(1, "rebooted (Xen shutdown reason reboot; vos starts a new"
                        + " generation per its restart policy)" + problem);
                default -> new DomainExit(1, "shut down (Xen shutdown reason " + reason + ")" + problem);
            };
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

        /** KILL: destroy. TERM, INT, HUP: ask the guest to shut down. QUIT, ABRT, SEGV: crash its kernel. */
        @Override
        public void signal(int signal) {
            switch (signal) {
                case 9 -> {
                    killed = true;
                    destroyAsync();
                }
                case 15, 2, 1 -> calls.execute(() -> {
                    try {
                        libxl.shutdown(domid);
                    } catch (LibxlException e) {
                        LOG.log(Level.WARNING, "{0}", e.getMessage());
                    }
                });
                case 3, 6, 11 -> calls.execute(() -> {
                    try {
                        libxl.sysrq(domid, 'c');
                    } catch (LibxlException e) {
                        LOG.log(Level.WARNING, "{0}", e.getMessage());
                    }
                });
                default -> throw new IllegalArgumentException("a Xen guest takes KILL (destroy), TERM, INT or HUP"
                        + " (shutdown request), and QUIT, ABRT or SEGV (crash its kernel through sysrq c); not "
                        + dev.vos.backend.Signals.name(signal));
            }
        }

        /** Asks the guest to power off; destroys it if it has not within {@code grace}; returns once it is gone. */
        @Override
        public void stop(Duration grace) {
            if (exit.isDone()) {
                return;
            }
            requested = "stop";
            if (!grace.isZero()) {
                try {
                    libxlCall(() -> libxl.shutdown(domid));
                    exit.get(grace.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException | ExecutionException | LibxlException e) {
                    // it did not power off in time (or could not be asked): destroy it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            requested = "destroy";
            try {
                libxlCall(() -> libxl.destroy(domid));
            } catch (LibxlException e) {
                LOG.log(Level.WARNING, "destroying domid {0} ({1}) failed: {2}", domid, launch.name(), e.getMessage());
            }
            if (watch == null) { // never watched: nobody will see its death
                died();
            }
            try {
                exit.get(DYING_LIMIT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                LOG.log(Level.WARNING, "domid {0} ({1}) did not go away", domid, launch.name());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private interface LibxlCall {
            void run() throws LibxlException;
        }

        private void libxlCall(LibxlCall c) throws LibxlException {
            try {
                calls.submit(() -> {
                    c.run();
                    return null;
                }).get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof LibxlException l) {
                    throw l;
                }
                throw new LibxlException(String.valueOf(e.getCause()), -3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
