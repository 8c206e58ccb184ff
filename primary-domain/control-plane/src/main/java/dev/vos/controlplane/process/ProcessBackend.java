package dev.vos.controlplane.process;

import dev.vos.backend.DomainBackend;
import dev.vos.backend.DomainExit;
import dev.vos.backend.DomainLaunch;
import dev.vos.backend.RunningDomain;
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

    private final Map<String, Boolean> namespaceProbes = new ConcurrentHashMap<>();
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
        List<String> command = command(launch, namespaces);
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
        // -XX:-UsePerfData: every domain's JVM is pid 2 in its own pid namespace, and they would all fight over
        // /tmp/hsperfdata_USER/2 (it also makes the JVM start a little faster).
        command.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-Xmx" + launch.memoryMb() + "m", "-Xss512k", "-cp", classPath, AGENT_MAIN,
                "--name", launch.name(), "--kind", launch.kind(), "--generation", Long.toString(launch.generation()),
                "--socket", launch.socket().toAbsolutePath().toString(), "--exit-with-supervisor"));
        if (testCalls) {
            command.add("--test-calls");
        }
        launch.options().forEach((key, value) -> command.addAll(List.of("--option", key + "=" + value)));
        return command;
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
