package dev.vos.primary.backend;

/**
 * How a domain's process ended.
 *
 * @param status the exit status, or 128 + the signal number when a signal killed it (the shell's convention)
 */
public record DomainExit(int status) {

    /** Whether the process ended normally with status 0. */
    public boolean clean() {
        return status == 0;
    }

    /** The signal that killed it, or 0. */
    public int signal() {
        return status > 128 && status < 128 + 65 ? status - 128 : 0;
    }

    /** "exited with status 3", "killed by SIGKILL". */
    public String describe() {
        int signal = signal();
        return signal == 0 ? "exited with status " + status : "killed by " + Signals.name(signal);
    }
}
