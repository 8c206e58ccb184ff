package dev.vos.backend;

/**
 * A backend cannot run domains on this host (for Xen: no libxenlight, or not a Xen dom0). The message is one line
 * that says what is missing and what to do; the control plane refuses the spec with it before starting anything.
 */
public final class BackendUnavailableException extends Exception {

    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
