package dev.vos.perf;

/** The target pid (or thread) does not exist (or has already exited). */
public final class NoSuchProcessException extends PerfException {

    public NoSuchProcessException(int pid) {
        super("no such process: pid " + pid + " (not in /proc; it may have exited)");
    }

    private NoSuchProcessException(String message) {
        super(message);
    }

    /** No thread {@code tid}. */
    public static NoSuchProcessException thread(int tid) {
        return new NoSuchProcessException("no such thread: tid " + tid + " (not in /proc; it may have exited)");
    }
}
