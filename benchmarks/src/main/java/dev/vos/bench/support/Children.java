package dev.vos.bench.support;

import dev.vos.ring.SegmentFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child JVMs and scratch files a benchmark fork owns. A benchmark stops its children and deletes its files in
 * {@code @TearDown}; a shutdown hook does the same for whatever is left when the fork exits without tearing down
 * (an exception in setup, Ctrl-C). A fork that dies without running hooks (SIGKILL, a VM crash) is covered on the
 * child's side: every child exits once this JVM is gone (RingServerMain with --exit-with-parent, the echo server
 * with {@link ParentWatch}).
 */
public final class Children {

    private static final Set<Process> PROCESSES = ConcurrentHashMap.newKeySet();
    private static final Set<Path> FILES = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Children::cleanUp, "vos-bench-children-cleanup"));
    }

    private Children() {
    }

    /** A fresh path {@code /dev/shm/vos-bench-<pid>-<n><suffix>}, deleted at exit if still there. */
    public static Path scratchFile(String suffix) {
        Path file = SegmentFiles.path("bench", SEQUENCE.incrementAndGet() + suffix);
        FILES.add(file);
        return file;
    }

    /** Deletes a scratch file (if it exists) and forgets it. */
    public static void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
        FILES.remove(file);
    }

    /**
     * Starts {@code main} in a child JVM (this JVM's {@code java} and class path, serial GC, 64 MiB heap, native
     * access enabled) and waits until the first line of its standard output starts with {@code readyPrefix}.
     * Its standard error goes to this JVM's.
     */
    public static Process startJvm(Class<?> main, String readyPrefix, Duration timeout, String... args)
            throws IOException {
        return startJvm(List.of(), main, readyPrefix, timeout, args);
    }

    /** {@link #startJvm(Class, String, Duration, String...)}, with {@code prefix} (say, {@code setsid}) before java. */
    public static Process startJvm(List<String> prefix, Class<?> main, String readyPrefix, Duration timeout,
                                   String... args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        PROCESSES.add(process);
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
            } catch (IOException e) {
                return null;
            }
        }, Thread::startVirtualThread);
        String line;
        try {
            line = firstLine.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            line = null;
        }
        if (line == null || !line.startsWith(readyPrefix)) {
            stop(process);
            throw new IOException(main.getSimpleName() + " " + String.join(" ", args) + " did not get ready within "
                    + timeout + (line == null ? "" : ": it said '" + line + "'")
                    + (process.isAlive() ? "" : " (exit status " + process.exitValue() + ")"));
        }
        return process;
    }

    /** Kills a child with SIGKILL and waits (up to 10 s) until it is reaped. Null-safe, idempotent. */
    public static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        PROCESSES.remove(process);
    }

    private static void cleanUp() {
        for (Process process : List.copyOf(PROCESSES)) {
            System.err.println("vos-bench: killing leftover child " + process.pid());
            stop(process);
        }
        for (Path file : List.copyOf(FILES)) {
            try {
                delete(file);
            } catch (IOException e) {
                System.err.println("vos-bench: cannot delete " + file + ": " + e.getMessage());
            }
        }
    }
}
