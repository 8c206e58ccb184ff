package dev.vos.ring;

import dev.vos.sys.Linux;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs a command as user {@code nobody} (uid and gid 65534, no other groups) through {@code setpriv}, for the tests
 * of what an unprivileged local user can do. Only root can switch users: elsewhere those tests are skipped, saying
 * why.
 */
public final class Nobody {

    /** nobody's uid, and nogroup's gid. */
    public static final int UID = 65534;
    /** {@link #readableClassPath()}'s answer, made once. Guarded by the class. */
    private static List<String> readableClassPath;

    private Nobody() {
    }

    /** Skips the calling test unless this process can run commands as nobody. */
    public static void assumeAvailable() {
        assumeTrue(Linux.geteuid() == 0, "these cases run a command as user nobody, which needs root (uid "
                + Linux.geteuid() + " here)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "these cases need /usr/bin/setpriv (util-linux)");
    }

    /** {@code command} as nobody: {@code setpriv --reuid=65534 --regid=65534 --clear-groups COMMAND...}. */
    public static ProcessBuilder command(String... command) {
        List<String> all = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=" + UID, "--regid=" + UID,
                "--clear-groups"));
        all.addAll(List.of(command));
        return new ProcessBuilder(all).redirectErrorStream(true);
    }

    /**
     * This JVM's java running {@code mainClass} as nobody, on this JVM's class path made readable to nobody: the
     * reactor's folders as they are, and the jars under root's home (the local repository, which nobody cannot
     * enter; a module built alone with {@code -pl} finds its siblings there) copied to a directory nobody can read.
     */
    public static ProcessBuilder java(Class<?> mainClass, String... args) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classPath = String.join(File.pathSeparator, readableClassPath());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx64m",
                "-XX:-UsePerfData", "-cp", classPath, mainClass.getName()));
        command.addAll(List.of(args));
        return command(command.toArray(String[]::new));
    }

    /** Jars under root's home, copied once per JVM to a directory of mode 0755 (their contents are public). */
    private static List<String> readableClassPath() {
        synchronized (Nobody.class) {
            if (readableClassPath == null) {
                String home = System.getProperty("user.home");
                List<String> entries = new ArrayList<>();
                try {
                    Path copies = null;
                    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                        if (!entry.startsWith(home)) {
                            entries.add(entry);
                            continue;
                        }
                        if (copies == null) {
                            copies = Files.createTempDirectory("vos-nobody-classpath-");
                            Files.setPosixFilePermissions(copies, PosixFilePermissions.fromString("rwxr-xr-x"));
                            copies.toFile().deleteOnExit();
                        }
                        Path copy = copies.resolve(entries.size() + "-" + Path.of(entry).getFileName());
                        Files.copy(Path.of(entry), copy);
                        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                        copy.toFile().deleteOnExit();
                        entries.add(copy.toString());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("copying the class path for nobody", e);
                }
                readableClassPath = List.copyOf(entries);
            }
            return readableClassPath;
        }
    }
}
