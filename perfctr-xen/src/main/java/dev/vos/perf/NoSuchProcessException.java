package dev.vos.perf;

/** The target pid does not exist (or has already exited). */
public final class NoSuchProcessException extends PerfException {

    public NoSuchProcessException(int pid) {
        super("no such process: pid " + pid + " (not in /proc; it may have exited)");
    }
}
