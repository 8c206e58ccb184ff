package dev.vos.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a class of this test's class path in a JVM as user {@code nobody} (uid and gid 65534, no supplementary
 * groups), through {@code setpriv}: the non-root cases of the security tests. Possible only when the tests run as
 * root; the callers skip otherwise, saying so.
 */
final class AsNobody {

    static final int UID = 65534;
    /** Why a test is skipped when this cannot run. */
    static final String SKIP_REASON = "needs root to become nobody with setpriv (the tests run unprivileged)";

    private AsNobody() {
    }

    /** The outcome of one run. */
    record Result(int status, String stdout, String stderr) {
    }

    /** Whether this JVM may become nobody: it runs as root and setpriv is there. */
    static boolean available() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0
                    && Files.isExecutable(Path.of("/usr/bin/setpriv"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * A fresh directory that nobody may enter and read (mode 0755, under /tmp, whose own folders JUnit makes 0700).
     */
    static Path openDirectory() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "vos-nobody-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    /** Removes a directory {@link #openDirectory} made, and all in it; nothing for null. */
    static void deleteDirectory(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * Runs {@code mainClass} with {@code args} as nobody, with this JVM's class path; entries nobody cannot read
     * (jars under root's 0700 home) are copied into {@code scratch} first. Waits at most 60 s.
     */
    static Result java(Path scratch, String mainClass, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + UID, "--regid=" + UID,
                "--clear-groups", ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-XX:-UsePerfData", "-cp", classPath(scratch), mainClass));
        command.addAll(List.of(args));
        Path out = scratch.resolve("stdout-" + System.nanoTime());
        Path err = scratch.resolve("stderr-" + System.nanoTime());
        Process p = new ProcessBuilder(command).directory(scratch.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the JVM as nobody did not end within 60 s: " + command);
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static String classPath(Path scratch) throws IOException {
        Path jars = scratch.resolve("jars");
        Files.createDirectories(jars);
        Files.setPosixFilePermissions(jars, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath();
            if (Files.isRegularFile(path) && !othersMayRead(path)) {
                Path copy = jars.resolve(entries.size() + "-" + path.getFileName());
                Files.copy(path, copy, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                path = copy;
            }
            entries.add(path.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Whether a user with no rights but "others" may read {@code path}: every folder above it searchable. */
    private static boolean othersMayRead(Path path) throws IOException {
        if (!Files.getPosixFilePermissions(path).contains(PosixFilePermission.OTHERS_READ)) {
            return false;
        }
        for (Path dir = path.getParent(); dir != null; dir = dir.getParent()) {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
            if (!mode.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }
}
