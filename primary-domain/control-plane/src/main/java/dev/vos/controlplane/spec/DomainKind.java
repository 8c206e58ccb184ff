package dev.vos.controlplane.spec;

/** What a service domain does; spelled in lowercase in a spec ({@code kind: storage}). */
public enum DomainKind {
    /** Executes file system calls against the domain's export root. */
    STORAGE,
    /** Executes socket calls, binding only the addresses its spec lists. */
    NET
}
