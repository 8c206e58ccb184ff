package dev.vos.controlplane.supervisor;

/** A domain's warm standby, as an operator needs to know it: is there one, and would promoting it be fast. */
public enum StandbyState {
    /** No standby: none asked for (spec), the backend keeps none, the domain is not RUNNING, or it was lost. */
    NONE,
    /** Started, not parked yet: its JVM is starting or warming up. A fault now promotes it all the same. */
    STARTING,
    /** Parked: a promotion costs the socket's bind, not a JVM start. */
    PARKED
}
