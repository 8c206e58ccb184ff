package dev.vos.controlplane.spec;

/**
 * The Linux capabilities a spec may give a domain, which otherwise runs with none (see {@code docs/spec.md}); each
 * spelled in lowercase without {@code cap_}, as {@code capabilities(7)} names it.
 */
public enum Capability {
    /** Change the owner of files it serves ({@code chown} to another user). */
    CHOWN,
    /** Read, write and search every file it serves, whatever its mode: what root has by default. */
    DAC_OVERRIDE,
    /** Read and search every file it serves, whatever its mode. */
    DAC_READ_SEARCH,
    /** Act as the owner of every file it serves: chmod, utimes, and the sticky bit's deletion rule. */
    FOWNER,
    /** Keep set-user-id and set-group-id bits when it writes a file or changes its owner. */
    FSETID,
    /** Bind ports below 1024 (a net domain). */
    NET_BIND_SERVICE
}
