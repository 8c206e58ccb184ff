package dev.vos.primary.journal;

/**
 * What happened. The names are written to the journal verbatim, so renaming a constant makes older journals
 * unreadable for that event: add new constants, never rename or remove one.
 */
public enum EventType {
    /** The control plane started and opened its journal. */
    CONTROL_PLANE_STARTED,
    /** The control plane shut down in an orderly way; its absence before the next start means it crashed. */
    CONTROL_PLANE_STOPPED,
    /** A new generation of a domain is being launched (process spawned, ring segment created). */
    DOMAIN_STARTING,
    /** A domain's generation answered its first health check and serves calls. */
    DOMAIN_RUNNING,
    /** A domain's process exited or was killed; detail names the exit status or signal. */
    DOMAIN_EXITED,
    /** A domain stopped answering (liveness timeout) while its process still existed. */
    DOMAIN_HUNG,
    /** The supervisor will start the next generation after a backoff; detail names the delay and the reason. */
    DOMAIN_RESTART_SCHEDULED,
    /** The supervisor gave up on a domain (restart intensity exceeded); it stays down until an operator acts. */
    DOMAIN_FAILED,
    /** A domain was stopped on purpose and will not be restarted. */
    DOMAIN_STOPPED,
    /** An operator asked for a domain to be restarted. */
    OPERATOR_RESTART,
    /** An operator asked for a domain to be stopped. */
    OPERATOR_STOP,
    /** An operator asked for a domain to be killed at once (SIGKILL). */
    OPERATOR_KILL,
    /** A domain spec was refused (invalid or inconsistent); detail says why. */
    SPEC_REJECTED
}
