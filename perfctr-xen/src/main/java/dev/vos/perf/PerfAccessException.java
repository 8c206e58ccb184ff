package dev.vos.perf;

import dev.vos.sys.Errno;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel refused to let this process watch the target (EACCES or EPERM from perf_event_open). The message is
 * one line that says why and how to fix it, so a CLI can print it as is.
 */
public final class PerfAccessException extends PerfException {

    private final int errno;

    public PerfAccessException(int errno, int pid) {
        super(explain(errno, pid));
        this.errno = errno;
    }

    /** EACCES or EPERM. */
    public int errno() {
        return errno;
    }

    /**
     * The one-line explanation, with the current {@code perf_event_paranoid} level in it; {@code pid} below 0 for
     * counting whole CPUs.
     */
    static String explain(int errno, int pid) {
        if (pid < 0) {
            return "permission denied (" + Errno.name(errno) + ") counting whole CPUs (-a/-C) with"
                    + " kernel.perf_event_paranoid=" + paranoid() + ": that needs CAP_PERFMON (or root), or the level"
                    + " at 0 or below: sysctl -w kernel.perf_event_paranoid=0";
        }
        // perf_event_open on another task needs ptrace access to it (same user) or CAP_PERFMON; the paranoid level
        // then decides what an unprivileged watcher may see (2: user space only; 3, Debian: nothing at all).
        return "permission denied (" + Errno.name(errno) + ") watching pid " + pid + " with kernel.perf_event_paranoid="
                + paranoid() + ": watch only your own processes (or be root), or grant CAP_PERFMON"
                + " (setcap cap_perfmon+ep $JAVA_HOME/bin/java), or lower the level:"
                + " sysctl -w kernel.perf_event_paranoid=1";
    }

    /** {@code /proc/sys/kernel/perf_event_paranoid}, or "?" where it cannot be read. */
    public static String paranoid() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/perf_event_paranoid")).strip();
        } catch (Exception e) {
            return "?";
        }
    }
}
