package dev.vos.controlplane.process;

import dev.vos.backend.DomainBackend;
import dev.vos.backend.DomainExit;
import dev.vos.backend.DomainLaunch;
import dev.vos.backend.RunningDomain;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.agent.AgentSession;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The embedded default backend: each domain generation is a child process, a JVM running the domain agent
 * ({@code dev.vos.ring.agent.DomainAgentMain}), in its own Linux namespaces where the kernel allows it, with its own
 * working directory and log.
 *
 * <p>With namespaces, the process tree is {@code unshare} (our child) → {@code sh} (pid 1 of the new pid namespace)
 * → the JVM. The shell is there because {@code unshare} loses a child's death by signal (util-linux 2.38 exits 1
 * after "sigprocmask unblock failed"); the shell hands on {@code 128 + signal} as its own status, so the supervisor
 * can say "killed by SIGKILL". Signals for fault injection go to the JVM itself.
 */
public final class ProcessBackend implements DomainBackend {

    private static final System.Logger LOG = System.getLogger(ProcessBackend.class.getName());
    private static final String AGENT_MAIN = "dev.vos.ring.agent.DomainAgentMain";
    private static final Map<String, List<String>> UNSHARE_FLAGS = Map.of(
            "mount", List.of("--mount"), "pid", List.of("--pid", "--fork"), "net", List.of("--net"),
            "user", List.of("--user", "--map-root-user"));

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
        try {
            Files.createDirectories(launch.workDir());
            Files.deleteIfExists(launch.socket()); // a stale socket of a dead generation must not look ready
            Files.writeString(launch.logFile(), "=== " + Instant.now() + " generation " + launch.generation()
                    + " of " + launch.name() + " starting ===\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new BackendException("cannot prepare " + launch.workDir() + " for domain " + launch.name() + ": "
                    + e.getMessage() + " (check the state directory's permissions)", e);
        }
        Set<String> namespaces = availableNamespaces(launch.namespaces());
        List<String> command = command(launch, namespaces, cacheFlags);
        Process process;
        try {
            process = new ProcessBuilder(command).directory(launch.workDir().toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(launch.logFile().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new BackendException("cannot start domain " + launch.name() + " (" + String.join(" ", command)
                    + "): " + e.getMessage(), e);
        }
        ChildDomain domain = new ChildDomain(launch.generation(), process, !namespaces.isEmpty());
        try {
            domain.awaitListening(launch);
        } catch (BackendException e) {
            domain.stop(Duration.ZERO);
            throw e;
        }
        return domain;
    }

    /** The command line of one generation; see the class comment for the shape of the process tree. */
    List<String> command(DomainLaunch launch, Set<String> namespaces) {
        return command(launch, namespaces, cacheFlags(launch, false));
    }

    /** The command line of one generation, with {@code cacheFlags} (the AOT cache's) after {@code java}. */
    List<String> command(DomainLaunch launch, Set<String> namespaces, List<String> cacheFlags) {
        List<String> command = new ArrayList<>();
        if (!namespaces.isEmpty()) {
            command.addAll(List.of("unshare", "--kill-child"));
            for (String ns : namespaces) {
                command.addAll(UNSHARE_FLAGS.get(ns));
            }
            if (namespaces.contains("mount") && namespaces.contains("pid")) {
                command.add("--mount-proc"); // the domain sees only its own processes in /proc
            }
            command.addAll(List.of("--", "/bin/sh", "-c", "\"$@\"; exit $?", "vos-domain-" + launch.name()));
        }
        if (!launch.cpus().isEmpty()) {
            command.addAll(List.of("taskset", "-c",
                    launch.cpus().stream().map(String::valueOf).collect(Collectors.joining(","))));
        }
        command.add(java);
        command.addAll(JVM_FLAGS);
        command.addAll(cacheFlags);
        command.addAll(List.of("-Xmx" + launch.memoryMb() + "m", "-cp", classPath, AGENT_MAIN,
                "--name", launch.name(), "--kind", launch.kind(), "--generation", Long.toString(launch.generation()),
                "--socket", launch.socket().toAbsolutePath().toString(), "--exit-with-supervisor"));
        if (testCalls) {
            command.add("--test-calls");
        }
        launch.options().forEach((key, value) -> command.addAll(List.of("--option", key + "=" + value)));
        return command;
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
                like.memoryMb(), like.cpus(), like.namespaces(), like.options(), like.startTimeout());
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
        try (AgentSession supervisor = AgentSession.attach(launch.socket(), new RingGeometry(2, 4096,
                1_000_000_000L), WaitStrategy.sleeping(), true, launch.startTimeout())) {
            try (AgentSession client = AgentSession.attach(launch.socket(), RingGeometry.DEFAULT,
                    WaitStrategy.spinThenPark(Duration.ofNanos(20_000)), false, launch.startTimeout())) {
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

        ChildDomain(long generation, Process process, boolean wrapped) {
            this.generation = generation;
            this.process = process;
            this.wrapped = wrapped;
            this.exit = process.onExit().thenApply(p -> new DomainExit(p.exitValue()));
        }

        /** Waits for the agent's socket, and finds the JVM's pid below unshare and sh. */
        void awaitListening(DomainLaunch launch) throws BackendException {
            long deadline = System.nanoTime() + launch.startTimeout().toNanos();
            while (!Files.exists(launch.socket()) || (wrapped && jvmPid < 0 && (jvmPid = grandchild()) < 0)) {
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

        /** The JVM: the only child of the only child (sh) of unshare, or -1 while it is not there yet. */
        private long grandchild() {
            long shell = onlyChild(process.pid());
            return shell < 0 ? -1 : onlyChild(shell);
        }

        private static long onlyChild(long pid) {
            try {
                String children = Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(pid),
                        "children")).strip();
                return children.isEmpty() || children.contains(" ") ? -1 : Long.parseLong(children);
            } catch (IOException | NumberFormatException e) {
                return -1;
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

        @Override
        public void signal(int signal) {
            long target = jvmPid > 0 ? jvmPid : process.pid();
            int r = Linux.kill(target, signal);
            if (r < 0 && -r != Errno.ESRCH) {
                throw new IllegalStateException("kill(" + target + ", " + signal + "): " + Errno.name(-r));
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
            }
            process.destroyForcibly(); // unshare --kill-child takes the namespace down with it
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
