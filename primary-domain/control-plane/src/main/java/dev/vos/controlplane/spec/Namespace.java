package dev.vos.controlplane.spec;

/** A Linux namespace a process-backed domain gets of its own; spelled in lowercase in a spec. */
public enum Namespace {
    /** Its own mount table. */
    MOUNT,
    /** Its own process ids; the domain's agent is pid 1 there. */
    PID,
    /** Its own network stack; allowed only for {@link DomainKind#NET} domains. */
    NET,
    /** Its own user and group ids. */
    USER
}
