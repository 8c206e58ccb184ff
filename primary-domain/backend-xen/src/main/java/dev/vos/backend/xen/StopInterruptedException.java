package dev.vos.backend.xen;

/**
 * A stop of a Xen guest ({@code RunningDomain.stop}) was interrupted before the guest was known to be gone. Its
 * destroy has been issued, and libxl carries it out on its own thread, but the caller that asked to wait for the end
 * did not see it: this says so instead of returning as if the guest were gone. The thread's interrupt status is set
 * again; the cause is the {@link InterruptedException}.
 */
public final class StopInterruptedException extends RuntimeException {

    public StopInterruptedException(String message, InterruptedException cause) {
        super(message, cause);
    }
}
