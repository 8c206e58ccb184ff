package dev.vos.controlplane.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What an export root may not be. A storage domain serves everything beneath its export root to every client,
 * with the rights of the domain's process, so the root decides what a client can reach: never the host's system
 * directories, never a path a symbolic link could point elsewhere later, never the control plane's own state.
 */
public final class ExportRoots {

    /**
     * The directories an export root may be neither equal to nor an ancestor of: the host's programs, libraries,
     * configuration, kernel interfaces, users' homes, and the directories where processes keep their state.
     */
    public static final List<Path> SYSTEM_DIRECTORIES = Stream.of("/", "/bin", "/boot", "/dev", "/etc", "/home",
            "/lib", "/lib32", "/lib64", "/opt", "/proc", "/root", "/run", "/sbin", "/sys", "/tmp", "/usr", "/var")
            .map(Path::of).toList();

    /**
     * The trees an export root may not be inside at all: the kernel's pseudo file systems ({@code /proc},
     * {@code /sys}, and {@code /dev}, whose {@code /dev/shm} holds the ring segments of every client), the host's
     * configuration and its boot files.
     */
    public static final List<Path> SYSTEM_TREES = Stream.of("/proc", "/sys", "/dev", "/etc", "/boot")
            .map(Path::of).toList();

    private ExportRoots() {
    }

    /**
     * Why {@code exportRoot} must not be exported, or null when it may be.
     *
     * @param exportRoot an absolute, normalised path of an existing directory
     * @param stateDir   the control plane's state directory, absolute; it need not exist yet
     */
    public static String unsafe(Path exportRoot, Path stateDir) {
        String link = symlinkIn(exportRoot);
        if (link != null) {
            return link;
        }
        for (Path system : SYSTEM_DIRECTORIES) {
            if (system.startsWith(exportRoot)) {
                return exportRoot + (system.equals(exportRoot) ? " is a system directory" : " holds the system"
                        + " directory " + system) + ": every client of the domain would reach it; export a"
                        + " directory of its own, such as /srv/vos/NAME";
            }
        }
        for (Path tree : SYSTEM_TREES) {
            if (exportRoot.startsWith(tree)) {
                return exportRoot + " is inside " + tree + ", which belongs to the kernel or to the host's"
                        + " configuration; export a directory of its own, such as /srv/vos/NAME";
            }
        }
        return overlap(exportRoot, stateDir);
    }

    /**
     * Why {@code exportRoot} and the control plane's state directory overlap, or null when they do not. A client
     * of a domain that exported the state directory could delete the control socket, read the journal, or replace
     * a domain's agent socket.
     *
     * @param exportRoot an absolute path without symbolic links
     * @param stateDir   as the spec or {@code --state-dir} names it; compared by its real path where it exists
     */
    public static String overlap(Path exportRoot, Path stateDir) {
        Path state = realAsFarAsItExists(stateDir.toAbsolutePath().normalize());
        String named = " the control plane's state directory " + stateDir;
        if (state.equals(exportRoot)) {
            return exportRoot + " is" + named + "; export a directory of its own";
        }
        if (state.startsWith(exportRoot)) {
            return exportRoot + " contains" + named + ": its clients could delete the control socket or read the"
                    + " journal; move one of them";
        }
        if (exportRoot.startsWith(state)) {
            return exportRoot + " is inside" + named + "; move it out";
        }
        return null;
    }

    /** The first component of {@code path} that is a symbolic link, said as a problem, or null if none is. */
    private static String symlinkIn(Path path) {
        Path prefix = path.getRoot();
        for (Path name : path) {
            prefix = prefix.resolve(name);
            if (Files.isSymbolicLink(prefix)) {
                String target;
                try {
                    target = Files.readSymbolicLink(prefix).toString();
                } catch (IOException e) {
                    target = "unreadable: " + e.getMessage();
                }
                return prefix + " is a symbolic link (to " + target + "); name the real directory: a link can be"
                        + " pointed elsewhere while vos runs";
            }
        }
        return null;
    }

    /** {@code path} with its longest existing prefix replaced by that prefix's real path. */
    private static Path realAsFarAsItExists(Path path) {
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return path;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(path));
        } catch (IOException e) {
            return path;
        }
    }
}
