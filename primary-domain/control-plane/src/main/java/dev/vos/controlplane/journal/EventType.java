package dev.vos.controlplane.journal;

/**
 * What happened. The names are written to the journal verbatim, so renaming a constant makes older journals
 * unreadable for that event: add new constants, never rename or remove one.
 */
public enum EventType {
    /** The control plane started and opened its journal. */
    CONTROL_PLANE_STARTED,
    /** The control plane shut down in an orderly way; its absence before the next start means it crashed. */
    CONTROL_PLANE_STOPPED,
    /** A new generation of a domain is being launched by its backend; detail names the backend. */
    DOMAIN_STARTING,
    /** A domain's generation listens and serves the supervisor's health ring; detail: pid and start time. */
    DOMAIN_RUNNING,
    /** A domain's process exited or was killed; detail names the exit status or signal. */
    DOMAIN_EXITED,
    /** A domain stopped answering (liveness timeout) while its process still existed. */
    DOMAIN_HUNG,
    /** The supervisor will start the next generation after a back-off; detail names the delay and the count. */
    DOMAIN_RESTART_SCHEDULED,
    /** The supervisor gave up on a domain (restart intensity exceeded); it stays down until an operator acts. */
    DOMAIN_FAILED,
    /** A domain was stopped on purpose and will not be restarted. */
    DOMAIN_STOPPED,
    /** An operator asked for a domain to be restarted. */
    OPERATOR_RESTART,
    /** An operator asked for a domain to be stopped. */
    OPERATOR_STOP,
    /** An operator sent a signal to a domain's process (fault injection); detail names the signal and pid. */
    OPERATOR_KILL,
    /** A warm standby of the domain's next generation was started (spec {@code standby: true}); detail: its pid. */
    STANDBY_STARTED,
    /** A parked standby ended before it was promoted, or could not be started; detail: how, and its replacement. */
    STANDBY_LOST,
    /** A standby has parked: promoting it now costs no JVM start; detail: its pid, and how long it took. */
    STANDBY_PARKED
}
