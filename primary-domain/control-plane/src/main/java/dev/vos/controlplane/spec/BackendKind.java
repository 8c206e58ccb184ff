package dev.vos.controlplane.spec;

/** Where a service domain runs; spelled in lowercase in a spec ({@code backend: process}). */
public enum BackendKind {
    /** A child process of the control plane (the default backend). */
    PROCESS,
    /** A Xen guest described by a guest config file; parsed, but not yet started by the control plane. */
    XEN
}
