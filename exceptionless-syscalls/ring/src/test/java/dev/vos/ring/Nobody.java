package dev.vos.ring;

import dev.vos.sys.Linux;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
     * This JVM's java running {@code mainClass} as nobody, on the part of this JVM's class path nobody can read
     * (the reactor's folders; not root's local repository).
     */
    public static ProcessBuilder java(Class<?> mainClass, String... args) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classPath = String.join(File.pathSeparator, Arrays.stream(System.getProperty("java.class.path")
                .split(File.pathSeparator)).filter(e -> !e.startsWith(System.getProperty("user.home"))).toList());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx64m",
                "-XX:-UsePerfData", "-cp", classPath, mainClass.getName()));
        command.addAll(List.of(args));
        return command(command.toArray(String[]::new));
    }
}
