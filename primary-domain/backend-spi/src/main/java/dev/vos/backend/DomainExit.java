package dev.vos.backend;

/**
 * How a domain generation ended.
 *
 * @param status the exit status, or 128 + the signal number when a signal killed it (the shell's convention); for a
 *               backend without processes (Xen), 0 for an orderly end (the guest powered off) and 1 for any other
 * @param how    what happened in the backend's words ("crashed (Xen shutdown reason crash)"), or null to describe
 *               the status as a process's
 */
public record DomainExit(int status, String how) {

    /** The exit of a process. */
    public DomainExit(int status) {
        this(status, null);
    }

    /** Whether the domain ended normally (status 0). */
    public boolean clean() {
        return status == 0;
    }

    /** The signal that killed it, or 0. */
    public int signal() {
        return how == null && status > 128 && status < 128 + 65 ? status - 128 : 0;
    }

    /** "exited with status 3", "killed by SIGKILL", or the backend's own words. */
    public String describe() {
        if (how != null) {
            return how;
        }
        int signal = signal();
        return signal == 0 ? "exited with status " + status : "killed by " + Signals.name(signal);
    }
}
