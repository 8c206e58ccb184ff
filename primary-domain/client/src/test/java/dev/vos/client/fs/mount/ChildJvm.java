package dev.vos.client.fs.mount;

import dev.vos.client.DomainClient;
import dev.vos.ring.client.RingClient;
import dev.vos.storage.protocol.StorageCalls;
import dev.vos.sys.Linux;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A plain JVM, as a user starts one: the client's four parts and what the program itself needs on its class path,
 * vos as its default file system provider only by JVM flags.
 */
final class ChildJvm {

    /** What a run printed and how it ended. */
    record Run(int exit, List<String> out, String err) {
    }

    private ChildJvm() {
    }

    /** The class path: vos's client, ring, protocol and sys, and the folders or jars of {@code more}. */
    static String classPath(Class<?>... more) {
        return Stream.concat(Stream.of(DomainClient.class, RingClient.class, StorageCalls.class, Linux.class),
                Stream.of(more)).map(ChildJvm::locationOf).distinct().collect(Collectors.joining(File.pathSeparator));
    }

    private static String locationOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The flags that make vos the default provider with the mounts {@code table} (inline), or none for null. */
    static List<String> vosFlags(String table) {
        if (table == null) {
            return List.of();
        }
        return List.of("-Djava.nio.file.spi.DefaultFileSystemProvider=" + MountedFileSystemProvider.class.getName(),
                "-D" + MountedFileSystemProvider.INLINE_PROPERTY + "=" + table);
    }

    static Run run(String classPath, List<String> flags, String mainClass, String... args) throws Exception {
        // C1 only: these JVMs live seconds, and the machine is shared.
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", classPath));
        command.addAll(flags);
        command.add(mainClass);
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        var err = new StringBuilder();
        Thread drain = Thread.ofVirtual().start(() -> {
            try {
                err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                err.append(e);
            }
        });
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not end: " + command);
        }
        drain.join();
        return new Run(p.exitValue(), out, err.toString());
    }
}
