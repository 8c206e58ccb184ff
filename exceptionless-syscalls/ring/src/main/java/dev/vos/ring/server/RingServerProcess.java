package dev.vos.ring.server;

import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link RingServerMain} running as a child process: a real JVM, started with this JVM's {@code java} and class
 * path, that serves one segment and stops if this process dies. Its standard error goes to this process's; its one
 * line of standard output says when it has attached.
 */
public final class RingServerProcess implements AutoCloseable {

    private final Process process;

    private RingServerProcess(Process process) {
        this.process = process;
    }

    /**
     * Starts a server on {@code segment} with the extra {@code serverArgs} (see {@link RingServerMain}) and waits
     * until it has attached.
     *
     * @throws IOException if it cannot start, exits, or does not attach within {@code timeout}
     */
    public static RingServerProcess start(Path segment, Duration timeout, String... serverArgs) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"),
                "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                RingServerMain.class.getName(), "--segment", segment.toString(), "--exit-with-parent", "--parent-pid",
                Long.toString(ProcessHandle.current().pid())));
        command.addAll(List.of(serverArgs));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        RingServerProcess server = new RingServerProcess(process);
        CompletableFuture<String> attached = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8));
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        }, Thread::startVirtualThread);
        try {
            String line = attached.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null || !line.startsWith("serving ")) {
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IOException("ring server on " + segment + " did not attach"
                        + (process.isAlive() ? "" : " (exit status " + process.exitValue() + ")"));
            }
            return server;
        } catch (InterruptedException | ExecutionException | TimeoutException | IOException e) {
            server.close();
            throw e instanceof IOException io ? io
                    : new IOException("ring server on " + segment + " did not attach within " + timeout, e);
        }
    }

    /** The child's pid. */
    public long pid() {
        return process.pid();
    }

    /** The child process. */
    public Process process() {
        return process;
    }

    /** Sends {@code signal} (for example {@link Linux#SIGSTOP}) to the child. */
    public void signal(int signal) {
        int r = Linux.kill(process.pid(), signal);
        if (r < 0 && -r != Errno.ESRCH) {
            throw new IllegalStateException("kill(" + process.pid() + ", " + signal + "): " + Errno.name(-r));
        }
    }

    /** Kills the child with SIGKILL (also when stopped) and waits for it to be reaped. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
