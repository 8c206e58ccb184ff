package dev.vos.controlplane.control;

/** Every way a control request can fail; the code travels on the wire, the message says what to do. */
public enum ControlError {
    /** The request line is malformed: unknown command, wrong arguments, unknown signal. */
    BAD_REQUEST,
    /** No domain has that name in the running spec. */
    UNKNOWN_DOMAIN,
    /** The command needs a running process and the domain has none (it is FAILED, STOPPED or RESTARTING). */
    NOT_RUNNING,
    /** The control plane failed to carry the command out (an I/O error, a timeout). */
    INTERNAL,
    /** The control plane holds as many control connections as it takes ({@code ControlSocket.MAX_CONNECTIONS}). */
    BUSY
}
