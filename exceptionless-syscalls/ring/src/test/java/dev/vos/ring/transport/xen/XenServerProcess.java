package dev.vos.ring.transport.xen;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link XenServerMain} as a child JVM. Its class path is {@code vos.test.classpath} when set (the lab's JUnit
 * console launcher runs from a jar, so {@code java.class.path} names only the launcher), else this JVM's.
 */
final class XenServerProcess implements AutoCloseable {

    private final Process process;

    private XenServerProcess(Process process) {
        this.process = process;
    }

    static XenServerProcess start(String path, long timeoutMs, String... serverArgs) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"),
                "bin", "java").toString());
        String classPath = System.getProperty("vos.test.classpath", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xmx64m", "-cp", classPath,
                XenServerMain.class.getName(), "--path", path));
        command.addAll(List.of(serverArgs));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        XenServerProcess server = new XenServerProcess(process);
        try {
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return new BufferedReader(new InputStreamReader(process.getInputStream(),
                            StandardCharsets.UTF_8)).readLine();
                } catch (IOException e) {
                    return null;
                }
            }, Thread::startVirtualThread).get(timeoutMs, TimeUnit.MILLISECONDS);
            if (line == null || !line.startsWith("serving ")) {
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IOException("xen ring server on " + path + " did not attach"
                        + (process.isAlive() ? "" : " (exit status " + process.exitValue() + ")"));
            }
            return server;
        } catch (Exception e) {
            server.close();
            throw e instanceof IOException io ? io : new IOException("xen ring server on " + path
                    + " did not attach within " + timeoutMs + " ms", e);
        }
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

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
