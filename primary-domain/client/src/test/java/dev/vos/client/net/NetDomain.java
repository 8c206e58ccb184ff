package dev.vos.client.net;

import dev.vos.client.DomainClient;
import dev.vos.ring.agent.DomainAgentMain;
import dev.vos.ring.agent.StateDirectory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real net domain for the provider's tests: net0, a {@link DomainAgentMain} child of kind net allowed to bind
 * 127.0.0.1 only, and Unix domain sockets in {@link #unixDir()}, listening where a control plane with state directory
 * {@link #stateDir()} would put it, so that a program finds it as it finds any domain ({@code vos.stateDir} or
 * {@code VOS_STATE_DIR}). Killed on close.
 */
final class NetDomain implements AutoCloseable {

    static final String NAME = "net0";

    private final Path stateDir;
    private Process process;
    private long generation;

    private NetDomain(final Path stateDir) {
        this.stateDir = stateDir;
    }

    static NetDomain start(final Path stateDir) throws IOException {
        final NetDomain domain = new NetDomain(stateDir);
        domain.startGeneration();
        return domain;
    }

    /** Starts the next generation on the same socket (after {@link #kill()}): what a supervisor would do. */
    void startGeneration() throws IOException {
        generation++;
        final Path socket = StateDirectory.agentSocket(stateDir, NAME);
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        final String java = ProcessHandle.current().info().command().orElseThrow();
        process = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx128m",
                "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), DomainAgentMain.class.getName(),
                "--name", NAME, "--kind", "net", "--generation", Long.toString(generation),
                "--socket", socket.toString(), "--hang-timeout-ms", "10000", "--option", "bind=127.0.0.1",
                "--option", "unix=" + unixDir()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final String line = new BufferedReader(new InputStreamReader(process.getInputStream())).readLine();
        if (line == null || !line.startsWith("agent " + NAME + " generation " + generation + " listening on")) {
            process.destroyForcibly();
            throw new IOException("the net agent did not start: " + line);
        }
    }

    Path stateDir() {
        return stateDir;
    }

    /** The directory of the domain's Unix domain sockets (its spec's {@code net.unix}), which the domain makes. */
    Path unixDir() {
        return stateDir.resolve("unix");
    }

    /** A client of this domain, found through the state directory as the provider finds it. */
    DomainClient client() {
        return DomainClient.forDomain(stateDir, NAME, DomainClient.Options.DEFAULT);
    }

    Process process() {
        return process;
    }

    /** SIGKILLs the domain and waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
