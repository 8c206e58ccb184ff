package dev.vos.demo;

import dev.vos.cli.ClientLoop;
import dev.vos.cli.PsTable;
import dev.vos.client.DomainClient;
import dev.vos.client.fs.VosFileSystemProvider;
import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.control.ControlException;
import dev.vos.controlplane.spec.BackendKind;
import dev.vos.controlplane.spec.ControlPlaneSpec;
import dev.vos.controlplane.spec.DomainKind;
import dev.vos.controlplane.spec.DomainSpec;
import dev.vos.controlplane.spec.HostSpec;
import dev.vos.controlplane.spec.SpecException;
import dev.vos.controlplane.spec.SpecParser;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The control-plane half of {@code vos demo}: bring up a host spec on the process backend, serve files and an
 * {@code HttpServer} through its domains (killing {@code net0} under the server's load), keep a client working while
 * {@code storage0} is killed with SIGKILL and {@code net0} is stopped with SIGSTOP, and show each come back.
 */
public final class ControlPlaneDemo {

    private final Path specFile;
    private final PrintStream out;

    public ControlPlaneDemo(Path specFile, PrintStream out) {
        this.specFile = specFile;
        this.out = out;
    }

    /** Runs it; true if every domain came back and the clients followed. */
    public boolean run() throws IOException, InterruptedException {
        HostSpec host;
        try {
            host = SpecParser.parse(specFile);
        } catch (SpecException e) {
            out.println("vos demo: " + e.getMessage());
            return false;
        }
        Path state = Files.createTempDirectory("vos-demo-state-");
        host = host.withControlPlane(new ControlPlaneSpec(state, 0)); // a private state dir, any free port
        out.printf("[8] control plane: bringing up %s on the process backend (state in %s)%n", specFile, state);
        boolean ok = true;
        try (ControlPlane plane = ControlPlane.start(host, new PrintStream(new Indent(out, "    journal: "), true,
                StandardCharsets.UTF_8))) {
            out.printf("    metrics: http://127.0.0.1:%d/metrics%n", plane.metricsPort());
            ps(plane);
            ok &= files(plane, host, 9);
            ok &= mounted(plane, host, 10);
            ok &= network(plane, host, 11);
            ok &= fault(plane, 12, "storage0", 9, "SIGKILL: the domain dies; its process exit is seen at once");
            ok &= fault(plane, 13, "net0", 19, "SIGSTOP: the domain hangs; its ring heartbeat goes stale");
            out.println("[14] vos ps");
            ps(plane);
            out.println("[15] vos events -n 8 (the journal; it survives restarts of the control plane)");
            for (String line : plane.handle(new Command.Events(8))) {
                out.println("    " + line);
            }
            out.println("[16] shutting the control plane down: domains stop in reverse order");
        } catch (ControlException e) {
            out.println("vos demo: " + e.getMessage());
            ok = false;
        } finally {
            deleteTree(state);
        }
        return ok;
    }

    /** Plain java.nio.file code on a vos:// path: the storage domain does the file system calls. */
    private boolean files(ControlPlane plane, HostSpec host, int step) throws IOException {
        DomainSpec storage = host.domains().stream().filter(d -> d.storage() != null).findFirst().orElse(null);
        if (storage == null) {
            out.println("    (the spec has no storage domain; the file system step is skipped)");
            return true;
        }
        URI root = URI.create("vos://" + storage.name() + "/");
        out.printf("[%d] unmodified java.nio.file code on %s (served by %s, export root %s)%n", step, root,
                storage.name(), storage.storage().exportRoot());
        try (FileSystem fs = FileSystems.newFileSystem(root, Map.of(VosFileSystemProvider.ENV_STATE_DIR,
                plane.stateDir()))) {
            Path dir = fs.getPath("/vos-demo");
            Files.createDirectories(dir);
            Path file = Files.writeString(dir.resolve("hello.txt"), "written through the storage domain\n");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.APPEND)) {
                ch.write(ByteBuffer.wrap("and forced to disk\n".getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            out.printf("    Files.writeString + FileChannel.force: %s, %d bytes; on the disk: %s%n", file.toUri(),
                    Files.size(file), storage.storage().exportRoot().resolve("vos-demo/hello.txt"));
            try (Stream<Path> walk = Files.walk(dir)) {
                out.println("    Files.walk: " + walk.map(Path::toString).toList());
            }
            Path escape = fs.getPath("/../../../etc/passwd");
            try {
                Files.readString(escape);
                out.println("    reading " + escape + " was NOT refused");
                return false;
            } catch (IOException e) {
                out.println("    Files.readString(" + escape + "): " + e.getClass().getSimpleName() + ": "
                        + e.getMessage());
            }
            deleteTree(dir);
            return true;
        }
    }

    /** A program with plain paths, vos its default provider by JVM flags ({@link MountedPathsDemo}). */
    private boolean mounted(ControlPlane plane, HostSpec host, int step) throws IOException, InterruptedException {
        DomainSpec storage = host.domains().stream().filter(d -> d.storage() != null).findFirst().orElse(null);
        if (storage == null) {
            return true;
        }
        return new MountedPathsDemo(plane.stateDir(), storage.name(), out).run(step);
    }

    /** The JDK's HttpServer through the net domain, fetched from outside, and the domain killed under load. */
    private boolean network(ControlPlane plane, HostSpec host, int step)
            throws IOException, InterruptedException, ControlException {
        DomainSpec net = host.domains().stream()
                .filter(d -> d.kind() == DomainKind.NET && d.backend() == BackendKind.PROCESS)
                .findFirst().orElse(null);
        if (net == null) {
            out.println("    (the spec has no net domain; the network step is skipped)");
            return true;
        }
        return new NetworkDemo(plane.stateDir(), net.name(), net.standby(), out).run(plane, step);
    }

    private boolean fault(ControlPlane plane, int step, String domain, int signal, String what)
            throws ControlException, InterruptedException {
        if (plane.ps().stream().noneMatch(s -> s.name().equals(domain))) {
            out.printf("    (the spec has no domain %s; skipped)%n", domain);
            return true;
        }
        try (DomainClient client = DomainClient.forDomain(plane.stateDir(), domain, DomainClient.Options.DEFAULT);
             ClientLoop loop = new ClientLoop(client, 8, out)) {
            out.printf("[%d] a client of %s calls getpid on 8 virtual threads%n", step, domain);
            if (!loop.awaitGeneration(1, Duration.ofSeconds(10))) {
                out.println("    the client could not reach " + domain);
                return false;
            }
            Thread.sleep(1_200);
            long generation = loop.servingGeneration();
            out.printf("    vos kill %s --signal %s   (%s)%n", domain, signal == 9 ? "KILL" : "STOP", what);
            Instant t0 = Instant.now();
            plane.handle(new Command.Kill(domain, signal));
            boolean back = loop.awaitGeneration(generation + 1, Duration.ofSeconds(30));
            out.printf(back ? "    %s is back as generation %d, %d ms after the signal%n"
                    : "    %s did not come back within 30 s%n", domain, generation + 1,
                    Duration.between(t0, Instant.now()).toMillis());
            Thread.sleep(1_100);
            return back;
        }
    }

    private void ps(ControlPlane plane) throws ControlException {
        List<String> rows = plane.handle(new Command.Ps());
        PsTable.render(rows, Instant.now()).lines().forEach(l -> out.println("    " + l));
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Prefixes every line written through it. */
    private static final class Indent extends OutputStream {
        private final PrintStream target;
        private final byte[] prefix;
        private boolean lineStart = true;

        Indent(PrintStream target, String prefix) {
            this.target = target;
            this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public synchronized void write(int b) {
            if (lineStart) {
                target.write(prefix, 0, prefix.length);
            }
            target.write(b);
            lineStart = b == '\n';
        }

        @Override
        public void flush() {
            target.flush();
        }
    }
}
