package dev.vos.controlplane;

import dev.vos.backend.BackendUnavailableException;
import dev.vos.backend.DomainBackend;
import dev.vos.backend.DomainBackendProvider;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.control.ControlError;
import dev.vos.controlplane.control.ControlException;
import dev.vos.controlplane.control.ControlSocket;
import dev.vos.controlplane.journal.EventType;
import dev.vos.controlplane.journal.Journal;
import dev.vos.controlplane.journal.JournalEvent;
import dev.vos.controlplane.metrics.ControlPlaneMetrics;
import dev.vos.controlplane.metrics.DomainPerf;
import dev.vos.controlplane.metrics.MetricsServer;
import dev.vos.controlplane.process.DirectoryHandle;
import dev.vos.controlplane.spec.BackendKind;
import dev.vos.controlplane.spec.ControlPlaneSpec;
import dev.vos.controlplane.spec.DomainSpec;
import dev.vos.controlplane.spec.ExportRoots;
import dev.vos.controlplane.spec.HostSpec;
import dev.vos.controlplane.status.StatusPage;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
import dev.vos.controlplane.supervisor.DomainSupervisor;
import dev.vos.controlplane.supervisor.SupervisorListener;

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
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
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

    /** How long {@link #boot} waits for every domain's first generation to come up. */
    static final Duration FIRST_START_TIMEOUT = Duration.ofSeconds(60);
    /** The option by which a storage domain's agent is handed its export root as an inherited descriptor. */
    public static final String EXPORT_ROOT_FD = "exportRootFd";

    private final HostSpec spec;
    private final Path stateDir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Journal journal;
    private final PrintStream log;
    private final ControlPlaneMetrics metrics;
    private final MetricsServer metricsServer;
    private final StatusPage status;
    private final Map<String, DomainSupervisor> supervisors = new LinkedHashMap<>();
    /** The backend of each kind the spec uses, opened once; closed after every domain stopped. */
    private final Map<BackendKind, DomainBackend> backends;
    /** Each storage domain's export root, held open from start to close: every generation gets this directory. */
    private final Map<String, DirectoryHandle> exportRoots;
    /** Guards the change from created to booted to closed: a signal may close the plane while it boots. */
    private final Object lifecycle = new Object();
    private boolean booted;
    private boolean closed;
    private ControlSocket control;
    private DomainPerf perf;

    private ControlPlane(HostSpec spec, FileChannel lockChannel, FileLock lock, Journal journal, PrintStream log,
                         ControlPlaneMetrics metrics, MetricsServer metricsServer, StatusPage status,
                         Map<BackendKind, DomainBackend> backends, Map<String, DirectoryHandle> exportRoots) {
        this.status = status;
        this.backends = backends;
        this.exportRoots = exportRoots;
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
     * Starts the control plane of {@code spec}: {@link #create} then {@link #boot}. Every event is written to the
     * journal and printed to {@code log}.
     */
    public static ControlPlane start(HostSpec spec, PrintStream log) throws IOException {
        ControlPlane plane = create(spec, log);
        try {
            plane.boot();
            return plane;
        } catch (IOException | RuntimeException e) {
            plane.close();
            throw e;
        }
    }

    /**
     * Everything of the control plane of {@code spec} but its domains and its control socket: refuses at once what
     * cannot work (a backend this host cannot run, such as xen without Xen, or one whose jar is not on the class
     * path; a state directory another control plane holds; an export root that overlaps the state directory or
     * cannot be opened without following a link), then takes the state directory, opens the journal and the metrics
     * endpoint, and opens each export root once, for good. Nothing is started: a caller registers what must stop
     * it ({@link #close}, from a shutdown hook) before {@link #boot} starts anything.
     */
    public static ControlPlane create(HostSpec spec, PrintStream log) throws IOException {
        Map<String, DirectoryHandle> exportRoots = openExportRoots(spec);
        Map<BackendKind, DomainBackend> backends;
        try {
            backends = openBackends(spec);
        } catch (IOException | RuntimeException e) {
            exportRoots.values().forEach(DirectoryHandle::close);
            throw e;
        }
        try {
            return create(spec, log, backends, exportRoots);
        } catch (IOException | RuntimeException e) {
            backends.values().forEach(DomainBackend::close);
            exportRoots.values().forEach(DirectoryHandle::close);
            throw e;
        }
    }

    /**
     * Each storage domain's export root, opened ({@code O_PATH}) with no symbolic link on the way: the parser
     * refused links, and one swapped in since is refused here. Checked against the state directory once more,
     * which {@code vos up --state-dir} may have changed since the spec was read.
     */
    private static Map<String, DirectoryHandle> openExportRoots(HostSpec spec) throws IOException {
        Map<String, DirectoryHandle> opened = new LinkedHashMap<>();
        try {
            for (DomainSpec d : spec.domains()) {
                if (d.storage() == null) {
                    continue;
                }
                String overlap = ExportRoots.overlap(d.storage().exportRoot(), spec.controlPlane().stateDir());
                if (overlap != null) {
                    throw new IOException("domain " + d.name() + ": export root " + overlap);
                }
                try {
                    opened.put(d.name(), DirectoryHandle.open(d.storage().exportRoot()));
                } catch (IOException e) {
                    throw new IOException("domain " + d.name() + ": " + e.getMessage(), e);
                }
            }
            return opened;
        } catch (IOException | RuntimeException e) {
            opened.values().forEach(DirectoryHandle::close);
            throw e;
        }
    }

    /**
     * The backends the spec's domains use, each opened once through its {@link DomainBackendProvider}; when one
     * cannot run here, an IOException with one line that names the first domain on it and says what is missing.
     */
    private static Map<BackendKind, DomainBackend> openBackends(HostSpec spec) throws IOException {
        Map<BackendKind, Map<String, Path>> configs = new EnumMap<>(BackendKind.class);
        Map<BackendKind, String> firstDomain = new EnumMap<>(BackendKind.class);
        for (DomainSpec d : spec.domains()) {
            Map<String, Path> of = configs.computeIfAbsent(d.backend(), k -> new LinkedHashMap<>());
            firstDomain.putIfAbsent(d.backend(), d.name());
            if (d.xen() != null) {
                of.put(d.name(), d.xen().config());
            }
        }
        Map<BackendKind, DomainBackend> opened = new EnumMap<>(BackendKind.class);
        for (Map.Entry<BackendKind, Map<String, Path>> e : configs.entrySet()) {
            String name = e.getKey().name().toLowerCase(Locale.ROOT);
            try {
                opened.put(e.getKey(), provider(name).open(e.getValue()));
            } catch (BackendUnavailableException x) {
                opened.values().forEach(DomainBackend::close);
                throw new IOException("domain " + firstDomain.get(e.getKey()) + ": backend '" + name + "': "
                        + x.getMessage());
            }
        }
        return opened;
    }

    private static DomainBackendProvider provider(String name) throws BackendUnavailableException {
        for (DomainBackendProvider p : ServiceLoader.load(DomainBackendProvider.class)) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new BackendUnavailableException("no provider of backend '" + name + "' on the class path (the "
                + name + " backend's jar, vos-backend-" + name + ", is not installed with this vos)");
    }

    private static ControlPlane create(HostSpec spec, PrintStream log, Map<BackendKind, DomainBackend> backends,
                                       Map<String, DirectoryHandle> exportRoots) throws IOException {
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
        StatusPage status = new StatusPage();
        try {
            journal = Journal.open(stateDir.resolve("journal.jsonl"));
            ControlPlaneMetrics metrics = new ControlPlaneMetrics();
            metricsServer = startMetrics(metrics.registry(), spec.controlPlane(), status);
            return new ControlPlane(spec, lockChannel, lock, journal, log, metrics, metricsServer, status, backends,
                    exportRoots);
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

    /**
     * The metrics endpoint the spec asks for: a loopback port or a Unix socket, with a bearer token or without; the
     * status page beside it, under the same token.
     */
    private static MetricsServer startMetrics(io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry,
                                              ControlPlaneSpec settings, StatusPage status) throws IOException {
        String token = null;
        if (settings.metricsTokenFile() != null) {
            token = Files.readString(settings.metricsTokenFile()).strip();
            if (token.isEmpty()) {
                throw new IOException("the metrics token file " + settings.metricsTokenFile() + " is empty");
            }
        }
        MetricsServer.Listen listen = settings.metricsSocket() != null
                ? new MetricsServer.UnixSocket(settings.metricsSocket())
                : new MetricsServer.Loopback(settings.metricsPort());
        return MetricsServer.start(registry, listen, token, MetricsServer.Limits.DEFAULTS, Map.of(
                StatusPage.PATH, new MetricsServer.Page("text/html; charset=utf-8", status::html),
                StatusPage.JSON_PATH, new MetricsServer.Page("application/json", status::json)));
    }

    /**
     * Starts every domain in spec order, with the control socket open first (so that 'vos ps' shows them STARTING
     * rather than nothing), and waits, at most {@link #FIRST_START_TIMEOUT}, until each has left STARTING. Returns
     * at once, having started nothing more, if the plane is closed meanwhile (a signal while it boots).
     */
    public void boot() throws IOException {
        synchronized (lifecycle) {
            if (closed || booted) {
                return;
            }
            booted = true;
            Map<String, Long> lastGenerations = new LinkedHashMap<>();
            for (JournalEvent e : journal.read().events()) {
                lastGenerations.merge(e.domain(), e.generation(), Math::max);
                status.event(e); // the page shows the last few, from before this start too
            }
            record(new JournalEvent(Instant.now(), "", 0, EventType.CONTROL_PLANE_STARTED, "spec " + spec.specFile()
                    + ", metrics on " + metricsServer.url() + ", pid " + ProcessHandle.current().pid()));
            SupervisorListener listener = new MetricsListener(metrics);
            for (DomainSpec d : spec.domains()) {
                Map<String, Path> descriptors = exportRoots.containsKey(d.name())
                        ? Map.of(EXPORT_ROOT_FD, exportRoots.get(d.name()).procPath()) : Map.of();
                supervisors.put(d.name(), new DomainSupervisor(d, backends.get(d.backend()), stateDir,
                        lastGenerations.getOrDefault(d.name(), 0L), this::record, listener, descriptors));
            }
            control = ControlSocket.listen(stateDir.resolve("control.sock"), this::handle);
            supervisors.values().forEach(DomainSupervisor::start);
            perf = DomainPerf.startFromProperties(metrics.registry(), this::ps);
            status.start(this::ps, metrics::ringFigures);
        }
        long deadline = System.nanoTime() + FIRST_START_TIMEOUT.toNanos();
        for (DomainSupervisor s : supervisors.values()) {
            while (s.status().state() == DomainState.STOPPED && s.status().reason().equals("not started yet")
                    || s.status().state() == DomainState.STARTING) {
                if (System.nanoTime() - deadline > 0 || isClosed()) {
                    return; // it keeps starting in the background; vos ps shows where it is
                }
                sleep(10);
            }
        }
    }

    /** Whether {@link #close} has begun. */
    public boolean isClosed() {
        synchronized (lifecycle) {
            return closed;
        }
    }

    /** The state directory. */
    public Path stateDir() {
        return stateDir;
    }

    /** The port the metrics endpoint listens on (127.0.0.1); -1 when it is served on a Unix socket. */
    public int metricsPort() {
        return metricsServer.port();
    }

    /** Where to scrape: {@code http://127.0.0.1:9464/metrics}, or {@code unix:PATH /metrics}. */
    public String metricsUrl() {
        return metricsServer.url();
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
            case Command.Lifecycle c -> List.of(await(supervisor(c.domain()).handle(c)));
            case Command.Events e -> events(e.last());
            case Command.Logs l -> logs(supervisor(l.domain()).logFile(), l.last());
            case Command.Sessions s -> supervisor(s.domain()).sessions();
        };
    }

    /**
     * A status as one tab-separated row: name, kind, state, generation, pid, since, restarts, last exit, reason, and
     * last (a field added later, so that an older {@code vos ps} still reads the rest) the standby: {@code NONE},
     * or its state and pid ({@code PARKED 4242}).
     */
    static String row(DomainStatus s) {
        return String.join("\t", s.name(), s.kind(), s.state().name(), Long.toString(s.generation()),
                Long.toString(s.pid()), s.since().toString(), Integer.toString(s.restarts()), s.lastExit(), s.reason(),
                s.standby().name() + (s.standbyPid() > 0 ? " " + s.standbyPid() : ""));
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
        String who = e.domain().isEmpty() ? "control-plane"
                : e.domain() + (e.generation() > 0 ? " g" + e.generation() : "");
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
        status.event(event);
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

    /**
     * Stops every domain that was started, in reverse spec order, then the control plane itself. Safe at any
     * moment and from any thread (a shutdown hook while {@link #boot} runs): a boot that has not started the
     * domains yet starts none; one that has leaves them to this. Once only: later calls return at once.
     */
    @Override
    public void close() throws IOException {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
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
        backends.values().forEach(DomainBackend::close);
        exportRoots.values().forEach(DirectoryHandle::close);
        if (booted) {
            record(new JournalEvent(Instant.now(), "", 0, EventType.CONTROL_PLANE_STOPPED, ""));
        }
        metricsServer.close();
        status.close();
        journal.close();
        lock.release();
        lockChannel.close();
    }
}
