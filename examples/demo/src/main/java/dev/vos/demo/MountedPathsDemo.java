package dev.vos.demo;

import dev.vos.client.fs.VosFileSystemProvider;
import dev.vos.client.fs.mount.MountedFileSystemProvider;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The mount-table step of {@code vos demo}: a JVM started with vos as its default file system provider and the
 * mount {@code /srv/data -> storage0:/} runs {@link PlainProgram}, whose plain
 * {@code Files.writeString(Path.of("/srv/data/hello.txt"), ...)} lands in storage0's export root. The prefix is
 * only a name the JVM routes by: nothing is created or written beneath {@code /srv} on this host (no root needed);
 * the file is written by the domain, in its export root.
 */
final class MountedPathsDemo {

    static final String PREFIX = "/srv/data";

    private final Path stateDir;
    private final String domain;
    private final PrintStream out;

    MountedPathsDemo(Path stateDir, String domain, PrintStream out) {
        this.stateDir = stateDir;
        this.domain = domain;
        this.out = out;
    }

    /** Runs the plain program and checks, through vos://, that the domain has its file. */
    boolean run(int step) throws IOException, InterruptedException {
        String mounts = PREFIX + " " + domain + ":/ stateDir=" + stateDir;
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                "-Djava.nio.file.spi.DefaultFileSystemProvider=" + MountedFileSystemProvider.class.getName(),
                "-D" + MountedFileSystemProvider.INLINE_PROPERTY + "=" + mounts,
                PlainProgram.class.getName(), PREFIX + "/hello.txt"));
        out.printf("[%d] plain paths through a mount table: a JVM started with%n", step);
        out.printf("      -Djava.nio.file.spi.DefaultFileSystemProvider=%s%n",
                MountedFileSystemProvider.class.getName());
        out.printf("      -D%s=\"%s\"%n", MountedFileSystemProvider.INLINE_PROPERTY, mounts);
        out.printf("    runs %s, which knows nothing of vos (nothing is written beneath %s on this host):%n",
                PlainProgram.class.getSimpleName(), PREFIX);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            out.println("    the program did not end within 60 s");
            return false;
        }
        output.lines().forEach(l -> out.println("      " + l));
        if (p.exitValue() != 0) {
            out.println("    the program failed (exit " + p.exitValue() + ")");
            return false;
        }
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("vos://" + domain + "/"),
                Map.of(VosFileSystemProvider.ENV_STATE_DIR, stateDir))) {
            Path served = fs.getPath("/hello.txt");
            String text = Files.readString(served);
            out.printf("    %s holds it, as vos://%s%s: %s%n", domain, domain, served, text.strip());
            Files.delete(served);
            return text.equals("hello from a plain Path.of\n");
        }
    }
}
