package dev.vos.primary;

import dev.vos.primary.backend.DomainBackend;
import dev.vos.primary.backend.ProcessBackend;
import dev.vos.primary.backend.xen.XenBackend;
import dev.vos.primary.backend.xen.libxl.XenUnavailableException;
import dev.vos.primary.control.Command;
import dev.vos.primary.control.ControlError;
import dev.vos.primary.control.ControlException;
import dev.vos.primary.control.ControlSocket;
import dev.vos.primary.journal.EventType;
import dev.vos.primary.journal.Journal;
import dev.vos.primary.journal.JournalEvent;
import dev.vos.primary.metrics.ControlPlaneMetrics;
import dev.vos.primary.metrics.DomainPerf;
import dev.vos.primary.metrics.MetricsServer;
import dev.vos.primary.spec.BackendKind;
import dev.vos.primary.spec.DomainSpec;
import dev.vos.primary.spec.HostSpec;
import dev.vos.primary.supervisor.DomainState;
import dev.vos.primary.supervisor.DomainStatus;
import dev.vos.primary.supervisor.DomainSupervisor;
import dev.vos.primary.supervisor.SupervisorListener;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The control plane of one host: the domains of a spec, each under its own {@link DomainSupervisor}; the journal;
 * the metrics endpoint; the control socket. {@code vos up} runs one in the foreground.
 *
 * <p>Its state directory holds: {@code control.sock} (the CLI's door, owner-only), {@code control.lock} (one
 * control plane per directory), {@code journal.jsonl} (every lifecycle event, kept across restarts of the control
 * plane), and {@code domains/NAME/} (each domain's agent socket and log).
 */
public final class ControlPlane implements AutoCloseable {

    /** How long {@link #start} waits for every domain's first generation to come up. */
    static final Duration FIRST_START_TIMEOUT = Duration.ofSeconds(60);

    private final HostSpec spec;
    private final Path stateDir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Journal journal;
    private final PrintStream log;
    private final ControlPlaneMetrics metrics;
    private final MetricsServer metricsServer;
    private final Map<String, DomainSupervisor> supervisors = new LinkedHashMap<>();
    private final XenBackend xen; // null unless a domain runs on Xen
    private ControlSocket control;
    private DomainPerf perf;

    private ControlPlane(HostSpec spec, FileChannel lockChannel, FileLock lock, Journal journal, PrintStream log,
                         ControlPlaneMetrics metrics, MetricsServer metricsServer, XenBackend xen) {
        this.xen = xen;
        this.spec = spec;
        this.stateDir = spec.controlPlane().stateDir();
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.journal = journal;
        this.log = log;
        this.metrics = metrics;
        this.metricsServer = metricsServer;
    }

    /**
     * Starts the control plane of {@code spec}: refuses at once what cannot work (the xen backend on a host without
     * Xen, a state directory another control plane holds), then starts every domain in spec order, then opens the
     * control socket. Every event is written to the journal and printed to {@code log}.
     */
    public static ControlPlane start(HostSpec spec, PrintStream log) throws IOException {
        XenBackend xen = openXen(spec);
        try {
            return start(spec, log, xen);
        } catch (IOException | RuntimeException e) {
            if (xen != null) {
                xen.close();
            }
            throw e;
        }
    }

    /**
     * The xen backend if a domain of the spec needs it, else null; on a host without Xen, an IOException with one
     * line that names the domain and says what is missing (libxenlight, or the hypervisor) and what to do.
     */
    private static XenBackend openXen(HostSpec spec) throws IOException {
        Map<String, Path> configs = new LinkedHashMap<>();
        for (DomainSpec d : spec.domains()) {
            if (d.backend() == BackendKind.XEN) {
                configs.put(d.name(), d.xen().config());
            }
        }
        if (configs.isEmpty()) {
            return null;
        }
        try {
            return XenBackend.open(configs);
        } catch (XenUnavailableException e) {
            throw new IOException("domain " + configs.keySet().iterator().next() + ": backend 'xen': "
                    + e.getMessage());
        }
    }

    private static ControlPlane start(HostSpec spec, PrintStream log, XenBackend xen) throws IOException {
        Path stateDir = spec.controlPlane().stateDir();
        Files.createDirectories(stateDir);
        Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx------"));
        FileChannel lockChannel = FileChannel.open(stateDir.resolve("control.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // held by a control plane in this very JVM
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("another control plane is running with state directory " + stateDir
                    + "; stop it first, or use another --state-dir");
        }
        Journal journal = null;
        MetricsServer metricsServer = null;
        try {
            journal = Journal.open(stateDir.resolve("journal.jsonl"));
            ControlPlaneMetrics metrics = new ControlPlaneMetrics();
            metricsServer = MetricsServer.start(metrics.registry(), spec.controlPlane().metricsPort());
            ControlPlane plane = new ControlPlane(spec, lockChannel, lock, journal, log, metrics, metricsServer, xen);
            plane.boot();
            return plane;
        } catch (IOException | RuntimeException e) {
            if (metricsServer != null) {
                metricsServer.close();
            }
            if (journal != null) {
                journal.close();
            }
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    private void boot() throws IOException {
        Map<String, Long> lastGenerations = new LinkedHashMap<>();
        for (JournalEvent e : journal.read().events()) {
            lastGenerations.merge(e.domain(), e.generation(), Math::max);
        }
        record(new JournalEvent(Instant.now(), "", 0, EventType.CONTROL_PLANE_STARTED, "spec " + spec.specFile()
                + ", metrics on http://127.0.0.1:" + metricsServer.port() + "/metrics, pid "
                + ProcessHandle.current().pid()));
        DomainBackend process = new ProcessBackend();
        SupervisorListener listener = new MetricsListener(metrics);
        for (DomainSpec d : spec.domains()) {
            DomainBackend backend = d.backend() == BackendKind.XEN ? xen : process;
            supervisors.put(d.name(), new DomainSupervisor(d, backend, stateDir,
                    lastGenerations.getOrDefault(d.name(), 0L), this::record, listener));
        }
        // The door opens before the domains start, so that 'vos ps' shows them STARTING rather than nothing.
        control = ControlSocket.listen(stateDir.resolve("control.sock"), this::handle);
        supervisors.values().forEach(DomainSupervisor::start);
        perf = DomainPerf.startFromProperties(metrics.registry(), this::ps);
        long deadline = System.nanoTime() + FIRST_START_TIMEOUT.toNanos();
        for (DomainSupervisor s : supervisors.values()) {
            while (s.status().state() == DomainState.STOPPED && s.status().reason().equals("not started yet")
                    || s.status().state() == DomainState.STARTING) {
                if (System.nanoTime() - deadline > 0) {
                    break; // it keeps starting in the background; vos ps shows where it is
                }
                sleep(10);
            }
        }
    }

    /** The state directory. */
    public Path stateDir() {
        return stateDir;
    }

    /** The port the metrics endpoint listens on (127.0.0.1). */
    public int metricsPort() {
        return metricsServer.port();
    }

    /** Every domain's status, in spec order. */
    public List<DomainStatus> ps() {
        return supervisors.values().stream().map(DomainSupervisor::status).toList();
    }

    /** The supervisor of {@code name}. */
    public DomainSupervisor supervisor(String name) throws ControlException {
        DomainSupervisor s = supervisors.get(name);
        if (s == null) {
            throw new ControlException(ControlError.UNKNOWN_DOMAIN, "no domain named '" + name + "'; domains: "
                    + String.join(", ", supervisors.keySet()));
        }
        return s;
    }

    /** Carries out one control command (what the control socket hands over). */
    public List<String> handle(Command command) throws ControlException {
        return switch (command) {
            case Command.Ps ps -> ps().stream().map(ControlPlane::row).toList();
            case Command.Restart r -> List.of(await(supervisor(r.domain()).restart()));
            case Command.Stop s -> List.of(await(supervisor(s.domain()).stop()));
            case Command.Kill k -> List.of(await(supervisor(k.domain()).kill(k.signal())));
            case Command.Events e -> events(e.last());
            case Command.Logs l -> logs(supervisor(l.domain()).logFile(), l.last());
        };
    }

    /** A status as one tab-separated row: name, kind, state, generation, pid, since, restarts, last exit, reason. */
    static String row(DomainStatus s) {
        return String.join("\t", s.name(), s.kind(), s.state().name(), Long.toString(s.generation()),
                Long.toString(s.pid()), s.since().toString(), Integer.toString(s.restarts()), s.lastExit(), s.reason());
    }

    private List<String> events(int last) throws ControlException {
        try {
            List<JournalEvent> all = last == 0 ? journal.read().events() : journal.tail(last);
            return all.stream().map(ControlPlane::format).toList();
        } catch (IOException e) {
            throw new ControlException(ControlError.INTERNAL, "cannot read the journal: " + e.getMessage());
        }
    }

    private static List<String> logs(Path file, int last) throws ControlException {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            List<String> lines = Files.readAllLines(file);
            return last == 0 || lines.size() <= last ? lines : lines.subList(lines.size() - last, lines.size());
        } catch (IOException e) {
            throw new ControlException(ControlError.INTERNAL, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** A journal event as a person reads it. */
    public static String format(JournalEvent e) {
        String who = e.domain().isEmpty() ? "control-plane" : e.domain() + (e.generation() > 0 ? " g" + e.generation() : "");
        return e.time() + "  " + who + "  " + e.type() + (e.detail().isEmpty() ? "" : "  " + e.detail());
    }

    private static String await(java.util.concurrent.CompletableFuture<String> result) throws ControlException {
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new ControlException(e.getCause() instanceof IllegalStateException ? ControlError.NOT_RUNNING
                    : ControlError.INTERNAL, e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new ControlException(ControlError.INTERNAL, "no answer within 60 s; see 'vos events'");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException(ControlError.INTERNAL, "interrupted");
        }
    }

    private synchronized void record(JournalEvent event) {
        try {
            journal.append(event);
        } catch (IOException e) {
            log.println("vos: cannot write the journal: " + e.getMessage());
        }
        log.println(format(event));
        log.flush();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops every domain in reverse spec order, then the control plane itself. */
    @Override
    public void close() throws IOException {
        if (control != null) {
            control.close();
        }
        if (perf != null) {
            perf.close();
        }
        List<DomainSupervisor> reverse = new ArrayList<>(supervisors.values());
        java.util.Collections.reverse(reverse);
        for (DomainSupervisor s : reverse) {
            try {
                s.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (xen != null) {
            xen.close();
        }
        record(new JournalEvent(Instant.now(), "", 0, EventType.CONTROL_PLANE_STOPPED, ""));
        metricsServer.close();
        journal.close();
        lock.release();
        lockChannel.close();
    }
}
