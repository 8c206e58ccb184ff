package dev.vos.controlplane.supervisor;

/** Where a domain is in its lifecycle (see docs/domain-lifecycle.md for the diagram). */
public enum DomainState {
    /** A generation is being started: the backend launches it and the supervisor attaches its health ring. */
    STARTING,
    /** A generation is serving; the supervisor watches its process and its ring heartbeat. */
    RUNNING,
    /** The last generation ended; the next one starts after the back-off delay. */
    RESTARTING,
    /** Restarted more often than its intensity allows within its period; stays so until an operator acts. */
    FAILED,
    /** Stopped by an operator, by its restart policy (temporary, or transient after a clean exit), or at shutdown. */
    STOPPED
}
