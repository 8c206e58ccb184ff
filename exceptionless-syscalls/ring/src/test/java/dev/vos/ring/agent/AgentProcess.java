package dev.vos.ring.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A {@link DomainAgentMain} in a child JVM, as the control plane runs one, for tests that kill or starve it. */
final class AgentProcess implements AutoCloseable {

    private final Process process;
    private final Path socket;

    private AgentProcess(Process process, Path socket) {
        this.process = process;
        this.socket = socket;
    }

    /**
     * Starts the agent of domain "d", kind {@code kind}, generation {@code generation}, listening on {@code socket},
     * with {@code agentArgs} added; {@code launcher} goes before java (for example {@code prlimit --nofile=N:N --}).
     * Returns once it listens.
     */
    static AgentProcess start(Path socket, String kind, long generation, List<String> launcher,
                              String... agentArgs) throws IOException {
        return start(socket, kind, generation, launcher, ProcessBuilder.Redirect.INHERIT, agentArgs);
    }

    /** As above, with the agent's standard error (its log) sent to {@code log}. */
    static AgentProcess start(Path socket, String kind, long generation, List<String> launcher,
                              ProcessBuilder.Redirect log, String... agentArgs) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx128m", "-XX:-UsePerfData", "-cp",
                System.getProperty("java.class.path"), DomainAgentMain.class.getName(), "--name", "d", "--kind", kind,
                "--generation", Long.toString(generation), "--socket", socket.toString()));
        command.addAll(List.of(agentArgs));
        Process process = new ProcessBuilder(command).redirectError(log).start();
        String line = new BufferedReader(new InputStreamReader(process.getInputStream())).readLine();
        assertNotNull(line, "the agent exited before listening");
        assertTrue(line.startsWith("agent d generation " + generation + " listening on"), line);
        return new AgentProcess(process, socket);
    }

    Process process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    Path socket() {
        return socket;
    }

    /** Descriptors the agent holds now. */
    long descriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return fds.count();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }
}
