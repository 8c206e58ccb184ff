package dev.vos.controlplane.spec;

/**
 * When a supervisor restarts a domain that stopped, with Erlang/OTP's meanings; spelled in lowercase in a spec
 * ({@code policy: permanent}).
 */
public enum RestartPolicy {
    /** Always restarted, whether it crashed or exited normally (OTP {@code permanent}, the default). */
    PERMANENT,
    /** Restarted only if it crashed, not if it exited normally (OTP {@code transient}). */
    TRANSIENT,
    /** Never restarted (OTP {@code temporary}). */
    TEMPORARY
}
