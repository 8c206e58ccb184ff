package dev.vos.controlplane.process;

import dev.vos.backend.DomainBackend;
import dev.vos.backend.DomainExit;
import dev.vos.backend.DomainLaunch;
import dev.vos.backend.RunningDomain;
import dev.vos.backend.StandbyDomain;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.agent.AgentSession;
import dev.vos.ring.agent.StandbyChannel;
import dev.vos.ring.agent.StateDirectory;
import dev.vos.ring.agent.SupervisorToken;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The embedded default backend: each domain generation is a child process, a JVM running the domain agent
 * ({@code dev.vos.ring.agent.DomainAgentMain}), in its own Linux namespaces where the kernel allows it, with its own
 * working directory and log, without privileges.
 *
 * <p>With namespaces, the process tree is {@code setpriv --pdeathsig KILL unshare} (our child) → {@code sh} (pid 1
 * of the new pid namespace) → {@code setpriv ... java}, the JVM. The shell is there because {@code unshare} loses a
 * child's death by signal (util-linux 2.38 exits 1 after "sigprocmask unblock failed"); the shell hands on
 * {@code 128 + signal} as its own status, so the supervisor can say "killed by SIGKILL". Signals for fault injection
 * go to the JVM itself.
 *
 * <p>Privileges: the JVM runs with the control plane's uid, no capabilities (an empty bounding set, so not even
 * root's exec gives it any), and no_new_privs, except the capabilities its launch names. Each process of the tree
 * dies with its parent ({@code PR_SET_PDEATHSIG}): our child with the control plane, through the one platform thread
 * that spawns every domain and lives as long as the backend (the kernel signals a child when the thread that forked
 * it ends, not only the process); the JVM with the namespace's shell, which dies with {@code unshare}
 * ({@code --kill-child}).
 *
 * <p>Descriptors: a directory the control plane holds ({@link DomainLaunch#descriptors()}) is opened by a
 * {@code sh} in front of all this, in the control plane's namespaces and with its privileges, through
 * {@code /proc/PID/fd/N} (the same open directory, not a new lookup of a path), as descriptor 3 (4, ...), and is
 * inherited from there by the JVM.
 */
public final class ProcessBackend implements DomainBackend {

    private static final System.Logger LOG = System.getLogger(ProcessBackend.class.getName());
    private static final String AGENT_MAIN = "dev.vos.ring.agent.DomainAgentMain";
    private static final Map<String, List<String>> UNSHARE_FLAGS = Map.of(
            "mount", List.of("--mount"), "pid", List.of("--pid", "--fork"), "net", List.of("--net"),
            "user", List.of("--user", "--map-root-user"));

    /**
     * The shell that is pid 1 of a domain's pid namespace: it runs the JVM and exits with its status ({@code 128 +
     * signal} when it was killed, which {@code unshare} would lose), and it watches its standard input, a pipe whose
     * other end only the control plane holds: at end of file the control plane is gone, and it kills the JVM.
     * {@code unshare --kill-child} should see to that, but its child sets its parent-death signal after the fork,
     * so an {@code unshare} killed in between leaves this shell behind; a pipe's end of file cannot be missed.
     */
    static final String INNER_SHELL = "exec 9<&0; \"$@\" 9<&- & jvm=$!; { read -r _ <&9; kill -KILL \"$jvm\"; } &"
            + " watch=$!; exec 9<&-; wait \"$jvm\"; status=$?; kill \"$watch\" 2>/dev/null; exit \"$status\"";

    /** The shell of the guard and of the namespace's init (their command lines start with it). */
    private static final String SHELL = "/bin/sh";
    /** The first descriptor number a domain inherits (0, 1 and 2 are its standard streams). */
    static final int FIRST_INHERITED_FD = 3;
    /** The key of a standby's pipe among the descriptors it inherits: no kind option ever has this name. */
    private static final String STANDBY_FD = "--standby-fd";
    /** The key of the pipe a standby says it parked on, which it inherits open for writing. */
    private static final String PARKED_FD = "--parked-fd";

    /**
     * The domain JVM's flags, but its heap. {@code -XX:-UsePerfData}: every domain's JVM is pid 2 in its own pid
     * namespace, and they would all fight over /tmp/hsperfdata_USER/2 (it also makes the JVM start a little
     * faster). Part of the AOT cache's key: a cache is used only with the flags it was trained with.
     */
    private static final List<String> JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
            "-XX:-UsePerfData", "-Xss512k");
    /** How long an AOT training run may take to exit after its sessions end (it writes the cache as it exits). */
    private static final Duration TRAINING_EXIT = Duration.ofSeconds(120);
    /** Calls of each core kind a training run makes: enough for the JIT's profiles to be worth caching. */
    private static final int TRAINING_CALLS = 5_000;

    private final Map<String, Boolean> namespaceProbes = new ConcurrentHashMap<>();
    /** The AOT cache (or why there is none) per cache directory, and the caches whose training has begun. */
    private final Map<Path, AotCache.Result> caches = new ConcurrentHashMap<>();
    private final Set<Path> trainings = ConcurrentHashMap.newKeySet();
    /**
     * The system property that makes every domain this backend starts serve the test calls ({@code --test-calls}:
     * {@code CoreCalls.TEST_BLOCK}); for tests and benchmarks that prove a stuck worker is found. Never set in
     * production.
     */
    public static final String TEST_CALLS_PROPERTY = "vos.domain.testCalls";

    private final String java;
    private final String classPath;
    private final boolean root = effectiveUid() == 0;
    /**
     * The thread that starts every domain process: PR_SET_PDEATHSIG fires when the thread that forked a process
     * ends, so that thread must live as long as the domains do, which a virtual thread's carrier does not promise.
     */
    private final ExecutorService spawner = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("vos-process-spawner").daemon().factory());
    private final boolean testCalls;

    /** A backend that starts domains with this JVM's {@code java} and class path. */
    public ProcessBackend() {
        this(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()), System.getProperty("java.class.path"), Boolean.getBoolean(TEST_CALLS_PROPERTY));
    }

    ProcessBackend(String java, String classPath) {
        this(java, classPath, false);
    }

    ProcessBackend(String java, String classPath, boolean testCalls) {
        this.java = java;
        this.classPath = absolute(classPath);
        this.testCalls = testCalls;
    }

    /** This backend, but its domains serve the test calls too (see {@link #TEST_CALLS_PROPERTY}); tests only. */
    public ProcessBackend withTestCalls() {
        return new ProcessBackend(java, classPath, true);
    }

    /**
     * The class path with every entry made absolute: a domain runs in its own working directory, where a relative
     * entry of the control plane's class path (say {@code target/app.jar}) would name nothing.
     */
    static String absolute(String classPath) {
        return Arrays.stream(classPath.split(File.pathSeparator)).filter(e -> !e.isEmpty())
                .map(e -> e.endsWith("*")
                        ? Path.of(e.substring(0, e.length() - 1)).toAbsolutePath() + File.separator + "*"
                        : Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    @Override
    public String name() {
        return "process";
    }

    /**
     * The namespaces of {@code wanted} that this kernel lets us create, each probed once with {@code unshare ...
     * true}. The others are left out and logged: "own namespaces where the kernel allows".
     */
    public Set<String> availableNamespaces(Set<String> wanted) {
        Set<String> available = new LinkedHashSet<>();
        for (String ns : wanted) {
            if (namespaceProbes.computeIfAbsent(ns, this::probe)) {
                available.add(ns);
            } else {
                LOG.log(Level.WARNING, "the kernel does not let vos create a {0} namespace here; "
                        + "domains run without one", ns);
            }
        }
        return available;
    }

    private boolean probe(String namespace) {
        List<String> flags = UNSHARE_FLAGS.get(namespace);
        if (flags == null) {
            throw new IllegalArgumentException("unknown namespace '" + namespace + "'; known: "
                    + UNSHARE_FLAGS.keySet());
        }
        List<String> command = new ArrayList<>(List.of("unshare"));
        command.addAll(flags);
        command.add("true");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Override
    public RunningDomain start(DomainLaunch launch) throws BackendException {
        return start(launch, cacheFlags(launch, true));
    }

    private RunningDomain start(DomainLaunch launch, List<String> cacheFlags) throws BackendException {
        prepare(launch, "generation " + launch.generation() + " of " + launch.name() + " starting");
        Set<String> namespaces = availableNamespaces(launch.namespaces());
        Process process = spawn(launch, command(launch, namespaces, cacheFlags, null, null));
        ChildDomain domain = new ChildDomain(launch.generation(), process, !namespaces.isEmpty(), -1);
        try {
            domain.awaitListening(launch);
        } catch (BackendException e) {
            domain.stop(Duration.ZERO);
            throw e;
        }
        return domain;
    }

    /**
     * Readies the domain's directory for generation {@code launch.generation()}: no stale socket of a dead generation
     * (it must not look ready), the log's header line, and a new supervisor token, which the agent reads at start
     * (a standby: when it is promoted) and the supervisor presents.
     */
    private static void prepare(DomainLaunch launch, String header) throws BackendException {
        try {
            Files.createDirectories(launch.workDir());
            Files.deleteIfExists(launch.socket());
            log(launch, header);
            SupervisorToken.issue(StateDirectory.supervisorToken(launch.workDir()));
        } catch (IOException e) {
            throw new BackendException("cannot prepare " + launch.workDir() + " for domain " + launch.name() + ": "
                    + e.getMessage() + " (check the state directory's permissions)", e);
        }
    }

    /** Appends {@code === TIME header ===} to the domain's log. */
    private static void log(DomainLaunch launch, String header) throws IOException {
        Files.writeString(launch.logFile(), "=== " + Instant.now() + " " + header + " ===\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Starts {@code command} for {@code launch}'s domain on the spawner thread; its stdin is the lifeline. */
    private Process spawn(DomainLaunch launch, List<String> command) throws BackendException {
        if (!launch.capabilities().isEmpty() && !root) {
            throw new BackendException("domain " + launch.name() + " asks for capabilities " + launch.capabilities()
                    + ", but the control plane does not run as root: it has none to give");
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(launch.workDir().toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(launch.logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE); // the lifeline: see INNER_SHELL
        Future<Process> spawned;
        try {
            spawned = spawner.submit(builder::start);
        } catch (RejectedExecutionException e) {
            throw new BackendException("cannot start domain " + launch.name() + ": the process backend is closed");
        }
        try {
            return spawned.get();
        } catch (ExecutionException e) {
            throw new BackendException("cannot start domain " + launch.name() + " (" + String.join(" ", command)
                    + "): " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // The spawner starts it all the same: end it once it is there, or it would run unsupervised.
            Thread.ofVirtual().start(() -> {
                try {
                    spawned.get().destroyForcibly();
                } catch (InterruptedException | ExecutionException x) {
                    // not started after all
                }
            });
            throw new BackendException("interrupted while starting " + launch.name());
        }
    }

    @Override
    public boolean supportsStandby() {
        return true;
    }

    /**
     * Starts a standby: the same process tree as a generation's (guard, namespaces, dropped privileges, the
     * inherited export root, the AOT cache), whose agent has {@code --standby-fd N} in place of {@code --generation}:
     * the read end of a pipe whose write end only this control plane holds. The agent registers its calls, opens
     * what its kind needs, says so on a second pipe ({@code --parked-fd M}, the write end), and parks on the first;
     * it binds no socket until {@link StandbyDomain#promote}.
     */
    @Override
    public StandbyDomain startStandby(DomainLaunch template) throws BackendException {
        int[] promote = Linux.pipe2(Linux.O_CLOEXEC);
        if (promote.length != 2) {
            throw new BackendException("cannot start a standby of " + template.name() + ": pipe2: "
                    + Errno.name(-promote[0]));
        }
        int[] parked = Linux.pipe2(Linux.O_CLOEXEC);
        if (parked.length != 2) {
            Linux.close(promote[0]);
            Linux.close(promote[1]);
            throw new BackendException("cannot start a standby of " + template.name() + ": pipe2: "
                    + Errno.name(-parked[0]));
        }
        try {
            Files.createDirectories(template.workDir());
            log(template, "standby of " + template.name() + " starting");
            Set<String> namespaces = availableNamespaces(template.namespaces());
            Process process = spawn(template, command(template, namespaces, cacheFlags(template, true),
                    ownDescriptor(promote[0]), ownDescriptor(parked[1])));
            return new ChildStandby(process, !namespaces.isEmpty(), promote, parked);
        } catch (IOException | BackendException | RuntimeException e) {
            for (int fd : new int[] {promote[0], promote[1], parked[0], parked[1]}) {
                Linux.close(fd);
            }
            if (e instanceof BackendException b) {
                throw b;
            }
            throw new BackendException("cannot start a standby of " + template.name() + ": " + e.getMessage(), e);
        }
    }

    /** {@code /proc/PID/fd/N} of this process: how a child's shell opens a descriptor that is close-on-exec here. */
    private static Path ownDescriptor(int fd) {
        return Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "fd", Integer.toString(fd));
    }

    /** The command line of one generation; see the class comment for the shape of the process tree. */
    List<String> command(DomainLaunch launch, Set<String> namespaces) {
        return command(launch, namespaces, cacheFlags(launch, false), null, null);
    }

    /**
     * The command line of one generation, with {@code cacheFlags} (the AOT cache's) after {@code java}; of a standby
     * when {@code standbyPipe} is not null: the pipe's read end ({@code /proc/PID/fd/N} of this process), inherited
     * like the descriptors, and named to the agent with {@code --standby-fd} in place of its generation; and
     * {@code parkedPipe}, the write end of the pipe it says it parked on, inherited open for writing
     * ({@code --parked-fd}).
     */
    List<String> command(DomainLaunch launch, Set<String> namespaces, List<String> cacheFlags, Path standbyPipe,
                         Path parkedPipe) {
        // In front: setpriv --pdeathsig KILL, so that this process dies with the control plane, then a shell that
        // makes sure the control plane was still its parent once that was set (else it died in between, and no
        // signal will come: exit), and opens the inherited descriptors:
        // sh -c '[ "$PPID" = "$1" ] || exit 125; exec 3<"$2" || exit 125; shift 2 && exec "$@"' NAME CP_PID P1 ...
        StringBuilder script = new StringBuilder("[ \"$PPID\" = \"$1\" ] || exit 125; ");
        Map<String, Integer> inherited = new LinkedHashMap<>();
        List<String> arguments = new ArrayList<>(List.of(Long.toString(ProcessHandle.current().pid())));
        Map<String, Path> opened = new LinkedHashMap<>(launch.descriptors());
        if (standbyPipe != null) {
            opened.put(STANDBY_FD, standbyPipe);
            opened.put(PARKED_FD, parkedPipe);
        }
        if (!opened.isEmpty()) {
            script.append("exec");
            for (Map.Entry<String, Path> d : opened.entrySet()) {
                int fd = FIRST_INHERITED_FD + inherited.size();
                inherited.put(d.getKey(), fd);
                arguments.add(d.getValue().toString());
                script.append(' ').append(fd).append(d.getKey().equals(PARKED_FD) ? ">" : "<")
                        .append("\"$").append(arguments.size()).append('"');
            }
            script.append(" || exit 125; ");
        }
        Integer standbyFd = inherited.remove(STANDBY_FD);
        Integer parkedFd = inherited.remove(PARKED_FD);
        script.append("shift ").append(arguments.size()).append(" && exec \"$@\"");
        List<String> command = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", SHELL, "-c",
                script.toString(), "vos-domain-" + launch.name()));
        command.addAll(arguments);
        if (!namespaces.isEmpty()) {
            // Not the JVM's privileges yet: unshare needs CAP_SYS_ADMIN for the namespaces.
            command.addAll(List.of("unshare", "--kill-child"));
            for (String ns : namespaces) {
                command.addAll(UNSHARE_FLAGS.get(ns));
            }
            if (namespaces.contains("mount") && namespaces.contains("pid")) {
                command.add("--mount-proc"); // the domain sees only its own processes in /proc
            }
            command.addAll(List.of("--", SHELL, "-c", INNER_SHELL, "vos-domain-" + launch.name()));
        }
        command.addAll(privileges(launch));
        if (!launch.cpus().isEmpty()) {
            command.addAll(List.of("taskset", "-c",
                    launch.cpus().stream().map(String::valueOf).collect(Collectors.joining(","))));
        }
        command.add(java);
        command.addAll(JVM_FLAGS);
        command.addAll(cacheFlags);
        command.addAll(List.of("-Xmx" + launch.memoryMb() + "m", "-cp", classPath, AGENT_MAIN,
                "--name", launch.name(), "--kind", launch.kind()));
        if (standbyFd != null) {
            command.addAll(List.of("--standby-fd", Integer.toString(standbyFd), "--parked-fd",
                    Integer.toString(parkedFd)));
        } else {
            command.addAll(List.of("--generation", Long.toString(launch.generation())));
        }
        command.addAll(List.of("--socket", launch.socket().toAbsolutePath().toString(), "--exit-with-supervisor",
                "--supervisor-token-file", StateDirectory.supervisorToken(launch.workDir()).toAbsolutePath().toString(),
                "--hang-timeout-ms", Long.toString(launch.hangTimeout().toMillis()),
                "--admit-uid", Integer.toString(Linux.getuid())));
        launch.attachGroup().ifPresent(gid -> command.addAll(List.of("--admit-group", Integer.toString(gid))));
        if (testCalls) {
            command.add("--test-calls");
        }
        launch.options().forEach((key, value) -> command.addAll(List.of("--option", key + "=" + value)));
        inherited.forEach((key, fd) -> command.addAll(List.of("--option", key + "=" + fd)));
        return command;
    }

    /**
     * {@code setpriv} for the JVM: no capabilities but the launch's (as root, an empty bounding set makes the exec
     * of the JVM give it none; a control plane that is not root has none to drop), no_new_privs (no set-uid program
     * can give any back), and death with its parent. With an attach group, a root control plane makes the JVM a
     * member of that group and of no other: the agent gives its socket to the group, which the kernel allows a
     * process without CAP_CHOWN only for a group it is in. (A control plane that is not root must be a member
     * itself, as the spec says, and its domains inherit that.)
     */
    private List<String> privileges(DomainLaunch launch) {
        List<String> setpriv = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--no-new-privs",
                "--inh-caps=-all"));
        if (root) {
            setpriv.add("--bounding-set=-all" + launch.capabilities().stream().map(c -> ",+" + c)
                    .collect(Collectors.joining()));
            launch.attachGroup().ifPresent(gid -> setpriv.add("--groups=" + gid));
        }
        return setpriv;
    }

    /** The effective uid of this process: the owner of its /proc entry. */
    private static int effectiveUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** Lets the spawner thread end; the domains it started were stopped before (see {@code ControlPlane.close}). */
    @Override
    public void close() {
        spawner.shutdown();
    }

    /**
     * Where the domains of {@code launch} keep their AOT cache: {@code STATE/aot}, beside {@code STATE/domains/NAME}
     * (the control plane's own directory), or {@code aot/} in the domain's directory when it is not laid out so.
     */
    static Path aotDirectory(DomainLaunch launch) {
        Path domains = launch.workDir().toAbsolutePath().getParent();
        return domains != null && domains.getFileName() != null && domains.getFileName().toString().equals("domains")
                ? domains.resolveSibling("aot") : launch.workDir().toAbsolutePath().resolve("aot");
    }

    /**
     * The JVM flags that use the AOT cache for {@code launch} when it is ready; none otherwise, and then, if
     * {@code train}, a training run begins in the background (once per cache and backend), so that the next
     * generations start from the cache.
     */
    private List<String> cacheFlags(DomainLaunch launch, boolean train) {
        AotCache.Result result = caches.computeIfAbsent(aotDirectory(launch), dir -> {
            AotCache.Result r = AotCache.of(dir, java, JVM_FLAGS, classPath);
            if (r.cache().isEmpty()) {
                LOG.log(Level.INFO, "domain JVMs start without an AOT cache: {0}", r.whyNot());
            }
            return r;
        });
        if (result.cache().isEmpty()) {
            return List.of();
        }
        AotCache cache = result.cache().get();
        if (cache.ready()) {
            return cache.flags();
        }
        if (train && trainings.add(cache.file())) {
            Thread.ofVirtual().name("vos-aot-training").start(() -> train(launch, cache));
        }
        return List.of();
    }

    /**
     * Trains the AOT cache: starts a domain like {@code like} (same kind, options, namespaces and flags, its own
     * socket under the cache's directory) with {@code -XX:AOTCacheOutput}, serves it a supervisor's and a client's
     * session as a control plane and a client would, then ends the supervisor's session so that the agent exits;
     * the JVM writes the cache as it exits (JEP 514: one run, no separate dump step). Failures are logged once; the
     * domains then start without a cache, as before.
     */
    private void train(DomainLaunch like, AotCache cache) {
        long t0 = System.nanoTime();
        Path work = cache.file().resolveSibling("training");
        DomainLaunch launch = new DomainLaunch("aot-training", like.kind(), 1, work, work.resolve("agent.sock"),
                like.memoryMb(), like.cpus(), like.namespaces(), like.options(), like.startTimeout(),
                like.hangTimeout(), like.attachGroup(), like.capabilities(), like.descriptors());
        try {
            cache.prepareDirectory();
            Files.deleteIfExists(cache.trainingOutput());
            RunningDomain domain = start(launch, List.of("-XX:AOTCacheOutput=" + cache.trainingOutput()));
            DomainExit exit;
            try {
                exercise(launch);
                exit = domain.exit().toCompletableFuture().get(TRAINING_EXIT.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                domain.stop(Duration.ZERO); // a no-op once it exited
            }
            if (!exit.clean() || !Files.isRegularFile(cache.trainingOutput())) {
                throw new IOException("the training run " + exit.describe() + " without writing "
                        + cache.trainingOutput() + "; see " + launch.logFile());
            }
            cache.install();
            LOG.log(Level.INFO, "trained the domain JVMs'' AOT cache in {0} ms", (System.nanoTime() - t0) / 1_000_000);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "domain JVMs start without an AOT cache: training it failed: {0}", e.toString());
        }
    }

    /** What a training run serves: the calls every domain answers, through both kinds of session. */
    private static void exercise(DomainLaunch launch) throws IOException {
        SupervisorToken token = SupervisorToken.read(StateDirectory.supervisorToken(launch.workDir()));
        try (AgentSession supervisor = AgentSession.attachAsSupervisor(launch.socket(), new RingGeometry(2, 4096,
                1_000_000_000L), token, WaitStrategy.sleeping(), launch.startTimeout())) {
            try (AgentSession client = AgentSession.attach(launch.socket(), RingGeometry.DEFAULT,
                    WaitStrategy.standard(), launch.startTimeout())) {
                RingClient ring = client.ring();
                for (int i = 0; i < TRAINING_CALLS; i++) {
                    ring.call(CoreCalls.NOP);
                    ring.call(CoreCalls.GETPID);
                    try (CallSlot slot = ring.acquire()) {
                        slot.call(CoreCalls.FILL, slot.dataOffset(), 4096, i & 0xFF);
                        slot.call(CoreCalls.CHECKSUM, slot.dataOffset(), 4096, 0);
                    }
                }
            }
            for (int i = 0; i < 10; i++) {
                try (CallSlot slot = supervisor.ring().acquire()) {
                    slot.call(CoreCalls.STATS, slot.dataOffset(), slot.data().byteSize(), 0);
                }
            }
        } // the supervisor's session ends: the agent (--exit-with-supervisor) closes and the JVM exits
    }

    /** A domain generation running as a child process tree. */
    private static final class ChildDomain implements RunningDomain {
        private final long generation;
        private final Process process;
        private final boolean wrapped;
        private final CompletionStage<DomainExit> exit;
        private volatile long jvmPid = -1;
        /** Set once SIGKILL has been sent to the JVM: its end is certain from then on. */
        private volatile boolean killSent;

        ChildDomain(long generation, Process process, boolean wrapped, long jvmPid) {
            this.generation = generation;
            this.process = process;
            this.wrapped = wrapped;
            this.jvmPid = jvmPid;
            this.exit = process.onExit().thenApply(p -> new DomainExit(p.exitValue()));
        }

        /** Waits for the agent's socket, and finds the JVM's pid below unshare and sh. */
        void awaitListening(DomainLaunch launch) throws BackendException {
            long deadline = System.nanoTime() + launch.startTimeout().toNanos();
            while (!Files.exists(launch.socket()) || (wrapped && jvmPid < 0 && (jvmPid = grandchild(process)) < 0)) {
                if (!process.isAlive()) {
                    throw new BackendException("domain " + launch.name() + " generation " + launch.generation()
                            + " " + new DomainExit(process.exitValue()).describe() + " before it listened; see "
                            + launch.logFile());
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new BackendException("domain " + launch.name() + " generation " + launch.generation()
                            + " did not listen on " + launch.socket() + " within " + launch.startTimeout().toMillis()
                            + " ms; see " + launch.logFile());
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BackendException("interrupted while starting " + launch.name());
                }
            }
            if (!wrapped) {
                jvmPid = process.pid();
            }
        }

        /**
         * The JVM: the child running the agent of the only child (the namespace's shell) of unshare, or -1 while it
         * is not there yet (the shell's other child watches the lifeline).
         *
         * <p>Both children are forks of the shell, and carry its command line, which names the agent among the
         * arguments it passes on, until they exec: the JVM's child execs {@code setpriv} (then {@code java}, the same
         * pid), the watcher never does. So the JVM is the child that names the agent and is no longer the shell.
         */
        private static long grandchild(Process process) {
            long shell = onlyChild(process.pid());
            if (shell < 0) {
                return -1;
            }
            for (long child : children(shell)) {
                try {
                    String cmdline = Files.readString(Path.of("/proc", Long.toString(child), "cmdline"));
                    if (cmdline.contains(AGENT_MAIN) && !cmdline.startsWith(SHELL + "\0")) {
                        return child;
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
            return -1;
        }

        private static long onlyChild(long pid) {
            List<Long> children = children(pid);
            return children.size() == 1 ? children.getFirst() : -1;
        }

        private static List<Long> children(long pid) {
            try {
                String children = Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(pid),
                        "children")).strip();
                return children.isEmpty() ? List.of()
                        : Arrays.stream(children.split(" ")).map(Long::parseLong).toList();
            } catch (IOException | NumberFormatException e) {
                return List.of();
            }
        }

        @Override
        public long generation() {
            return generation;
        }

        @Override
        public long pid() {
            return jvmPid;
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public CompletionStage<DomainExit> exit() {
            return exit;
        }

        /** Gone, sent SIGKILL, or a zombie or dead in /proc: its exit event is on its way. */
        @Override
        public boolean exitPending() {
            if (!process.isAlive() || killSent) {
                return true;
            }
            long pid = jvmPid > 0 ? jvmPid : process.pid();
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                char state = stat.charAt(stat.lastIndexOf(')') + 2); // "pid (comm) S ...": comm may hold ')'
                return state == 'Z' || state == 'X' || state == 'x';
            } catch (IOException | IndexOutOfBoundsException e) {
                return true; // no /proc entry: already reaped
            }
        }

        @Override
        public void signal(int signal) {
            long target = jvmPid > 0 ? jvmPid : process.pid();
            int r = Linux.kill(target, signal);
            if (r < 0 && -r != Errno.ESRCH) {
                throw new IllegalStateException("kill(" + target + ", " + signal + "): " + Errno.name(-r));
            }
            if (signal == Linux.SIGKILL) {
                killSent = true;
            }
        }

        @Override
        public void stop(Duration grace) {
            if (process.isAlive() && !grace.isZero()) {
                signal(Linux.SIGTERM);
                signal(Linux.SIGCONT); // a stopped process acts on SIGTERM only once it runs again
                try {
                    if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (jvmPid > 0) {
                Linux.kill(jvmPid, Linux.SIGKILL);
                killSent = true;
            }
            process.destroyForcibly(); // unshare --kill-child takes the namespace down with it
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A standby's process tree, parked on its pipe. This control plane holds both ends of the pipe until the
     * promotion or the discard: the read end so that the guard shell, whenever it runs, can open it through
     * {@code /proc}; the write end for the one line. Closing the write end is the standby's end of file: let go.
     *
     * <p>The second pipe, on which the standby says it parked, is read by a platform thread of its own (a blocking
     * {@code read} through FFM would hold a virtual thread's carrier). Its write end is held here, for the shell to
     * open, until the line has come or the process tree has ended: then end of file ends the thread.
     */
    private static final class ChildStandby implements StandbyDomain {
        private final Process process;
        private final boolean wrapped;
        private final CompletionStage<DomainExit> exit;
        private final CompletableFuture<Void> parked = new CompletableFuture<>();
        private int readFd;
        private int writeFd;
        /** This process's copy of the write end of the second pipe; -1 once closed (by whoever gets there first). */
        private final AtomicInteger parkedWriteFd;
        private volatile long jvmPid;
        private boolean used;

        ChildStandby(Process process, boolean wrapped, int[] promote, int[] parkedPipe) {
            this.process = process;
            this.wrapped = wrapped;
            this.readFd = promote[0];
            this.writeFd = promote[1];
            this.parkedWriteFd = new AtomicInteger(parkedPipe[1]);
            this.jvmPid = wrapped ? -1 : process.pid();
            this.exit = process.onExit().thenApply(p -> new DomainExit(p.exitValue()));
            int parkedReadFd = parkedPipe[0];
            Thread.ofPlatform().daemon().name("vos-standby-parked-" + process.pid()).start(() -> {
                try {
                    if (StandbyChannel.awaitParked(parkedReadFd)) {
                        parked.complete(null);
                    }
                } finally {
                    closeParkedWriteEnd();
                    Linux.close(parkedReadFd);
                }
            });
            process.onExit().thenRun(this::closeParkedWriteEnd); // the last writer left: end of file for the thread
        }

        private void closeParkedWriteEnd() {
            int fd = parkedWriteFd.getAndSet(-1);
            if (fd >= 0) {
                Linux.close(fd);
            }
        }

        @Override
        public CompletionStage<Void> parked() {
            return parked.minimalCompletionStage();
        }

        @Override
        public long pid() {
            if (jvmPid < 0 && process.isAlive()) {
                jvmPid = ChildDomain.grandchild(process);
            }
            return jvmPid;
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public CompletionStage<DomainExit> exit() {
            return exit;
        }

        @Override
        public String describe() {
            long pid = pid();
            return pid > 0 ? "pid " + pid : "process tree pid " + process.pid();
        }

        @Override
        public synchronized RunningDomain promote(DomainLaunch launch) throws StandbyLostException, BackendException {
            if (used) {
                throw new IllegalStateException("standby " + describe() + " was promoted or discarded already");
            }
            used = true;
            if (!process.isAlive()) {
                closePipe();
                throw new StandbyLostException("the standby (" + describe() + ") of " + launch.name() + " "
                        + new DomainExit(process.exitValue()).describe() + " before it was promoted");
            }
            long pid = pid();
            try {
                prepare(launch, "generation " + launch.generation() + " of " + launch.name() + ": standby "
                        + describe() + " promoted");
            } catch (BackendException e) {
                discardNow(); // not promoted, and no longer anyone's standby: it must not stay parked
                throw e;
            }
            try {
                StandbyChannel.promote(writeFd, launch.generation());
            } catch (IOException e) {
                discardNow();
                throw new StandbyLostException(e.getMessage());
            } finally {
                closePipe(); // the line is in the pipe; end of file after it tells the standby nothing more comes
            }
            ChildDomain domain = new ChildDomain(launch.generation(), process, wrapped, pid);
            try {
                domain.awaitListening(launch);
            } catch (BackendException e) {
                boolean died = !process.isAlive();
                domain.stop(Duration.ZERO);
                if (died) { // it never served: the generation is started afresh, and fails there if it must
                    throw new StandbyLostException("the standby (" + describe() + ") of " + launch.name()
                            + " did not become generation " + launch.generation() + ": " + e.getMessage());
                }
                throw e;
            }
            return domain;
        }

        @Override
        public synchronized void discard() {
            used = true;
            discardNow();
        }

        private void discardNow() {
            closePipe();
            new ChildDomain(0, process, wrapped, jvmPid).stop(Duration.ZERO);
        }

        private void closePipe() {
            if (writeFd >= 0) {
                Linux.close(writeFd);
                writeFd = -1;
            }
            if (readFd >= 0) {
                Linux.close(readFd);
                readFd = -1;
            }
        }
    }
}
