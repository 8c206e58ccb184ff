package dev.vos.controlplane.control;

/** A control request that failed, with its {@link ControlError} code. */
public final class ControlException extends Exception {

    private final ControlError error;

    public ControlException(ControlError error, String message) {
        super(message);
        this.error = error;
    }

    public ControlError error() {
        return error;
    }
}
