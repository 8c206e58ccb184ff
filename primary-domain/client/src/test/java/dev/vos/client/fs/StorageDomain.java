package dev.vos.client.fs;

import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
import dev.vos.ring.ProcStat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real storage domain for the provider's tests: a control plane (as `vos up` runs it) with one storage domain,
 * storage0, a child process serving {@link #exportRoot()}; beside the root, a neighbour folder that no test may
 * ever change through vos. Its file system is the one a program gets from {@code vos://storage0/}. With
 * {@link #startTwo}, the same control plane runs a second storage domain, storage1, serving a root of its own.
 */
public final class StorageDomain implements AutoCloseable {

    public static final String NAME = "storage0";
    /** The second domain of {@link #startTwo}. */
    public static final String SECOND = "storage1";

    private final Path dir;
    private final ControlPlane plane;
    private final FileSystem fs;
    /** storage1's file system, or null when only storage0 runs. */
    private final FileSystem second;

    private StorageDomain(Path dir, ControlPlane plane, FileSystem fs, FileSystem second) {
        this.dir = dir;
        this.plane = plane;
        this.fs = fs;
        this.second = second;
    }

    public static StorageDomain start(Path dir) throws Exception {
        return start(dir, Duration.ofSeconds(1));
    }

    /** storage0 and storage1 in one control plane, each serving its own export root ({@link #exportRoot(String)}). */
    public static StorageDomain startTwo(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("export-" + SECOND));
        String secondDomain = """
                  - name: %s
                    kind: storage
                    backend: process
                    resources:
                      memoryMb: 96
                    storage:
                      exportRoot: ./export-%s
                """.formatted(SECOND, SECOND);
        return start(dir, Duration.ofSeconds(1), secondDomain);
    }

    /**
     * As {@link #start(Path)}, with the supervisor's hang timeout {@code hangTimeout}: a test that stops the domain
     * for less than that sees it live on, the same generation, after SIGCONT.
     */
    public static StorageDomain start(Path dir, Duration hangTimeout) throws Exception {
        return start(dir, hangTimeout, "");
    }

    private static StorageDomain start(Path dir, Duration hangTimeout, String moreDomains) throws Exception {
        Files.createDirectories(dir.resolve("export"));
        Files.createDirectories(dir.resolve("neighbour"));
        Files.writeString(dir.resolve("neighbour/secret.txt"), "not yours\n");
        Path spec = dir.resolve("host.yaml");
        Files.writeString(spec, """
                version: 1
                controlPlane:
                  stateDir: ./state
                  metricsPort: 0
                supervisor:
                  intensity: 10
                  periodSeconds: 60
                  backoff:
                    initialMs: 20
                    maxMs: 200
                  hangTimeoutMs: %d
                domains:
                  - name: storage0
                    kind: storage
                    backend: process
                    resources:
                      memoryMb: 96
                    storage:
                      exportRoot: ./export
                """.formatted(hangTimeout.toMillis()) + moreDomains);
        ControlPlane plane = ControlPlane.start(SpecParser.parse(spec),
                new PrintStream(OutputStream.nullOutputStream()));
        FileSystem fs = FileSystems.newFileSystem(URI.create("vos://" + NAME + "/"),
                Map.of(VosFileSystemProvider.ENV_STATE_DIR, plane.stateDir()));
        FileSystem second = moreDomains.isEmpty() ? null : FileSystems.newFileSystem(
                URI.create("vos://" + SECOND + "/"), Map.of(VosFileSystemProvider.ENV_STATE_DIR, plane.stateDir()));
        return new StorageDomain(dir, plane, fs, second);
    }

    public FileSystem fs() {
        return fs;
    }

    /** The file system of storage0 or (after {@link #startTwo}) storage1. */
    public FileSystem fs(String domain) {
        FileSystem named = domain.equals(NAME) ? fs : domain.equals(SECOND) ? second : null;
        if (named == null) {
            throw new IllegalArgumentException("no domain " + domain + " here");
        }
        return named;
    }

    public Path exportRoot() {
        return dir.resolve("export");
    }

    /** The export root of storage0 or storage1, on the host's disk. */
    public Path exportRoot(String domain) {
        return domain.equals(NAME) ? exportRoot() : dir.resolve("export-" + domain);
    }

    public Path neighbour() {
        return dir.resolve("neighbour");
    }

    public ControlPlane plane() {
        return plane;
    }

    /** SIGKILLs the domain and waits until its supervisor has the next generation running. */
    public long killAndAwaitRestart() throws Exception {
        long before = status().generation();
        plane.handle(new Command.Kill(NAME, 9));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            DomainStatus s = status();
            if (s.generation() > before && s.state() == DomainState.RUNNING) {
                return s.generation();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("storage0 did not come back after SIGKILL: " + status());
    }

    /** Sends {@code signal} to the domain's process through the control plane (SIGSTOP 19, SIGCONT 18 ...). */
    public void signal(int signal) throws Exception {
        plane.handle(new Command.Kill(NAME, signal));
    }

    /**
     * Sends SIGSTOP and returns once every thread of the domain's JVM is stopped. The signal is asynchronous: a
     * worker busy-polling on the other CPU serves what it finds until the kernel's interrupt reaches it, which on a
     * virtual machine can take long enough for a call sent right after {@code kill} to be answered.
     */
    public void stopAndAwaitStopped() throws Exception {
        signal(19);
        long pid = status().pid();
        long startTicks = ProcStat.process(pid).orElseThrow().startTicks();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            ProcStat.Look look = ProcStat.look(pid, startTicks, "").orElseThrow();
            if (look.threads() > 0 && look.stopped() == look.threads()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("storage0's threads did not all stop within 10 s of SIGSTOP: " + look);
            }
            Thread.sleep(1);
        }
    }

    public DomainStatus status() {
        return plane.ps().stream().filter(s -> s.name().equals(NAME)).findFirst().orElseThrow();
    }

    @Override
    public void close() throws Exception {
        try {
            fs.close();
            if (second != null) {
                second.close();
            }
        } finally {
            plane.close();
        }
    }
}
