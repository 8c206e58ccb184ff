package dev.vos.controlplane.spec;

import dev.vos.ring.layout.RingGeometry;

/**
 * Restart limits: how often a domain may be restarted before it is given up on, how long to wait between restarts,
 * and when a silent domain counts as hung. The spec's {@code supervisor:} section gives the defaults for every
 * domain; a domain's {@code restart:} section overrides any of them, and {@link DomainSpec#limits()} holds the
 * result.
 *
 * @param intensity        more than this many restarts within {@code periodSeconds} and the domain is FAILED, not
 *                         restarted again (OTP's restart intensity); default {@value #DEFAULT_INTENSITY}, at least 0
 * @param periodSeconds    the sliding window of {@code intensity}, in seconds; default
 *                         {@value #DEFAULT_PERIOD_SECONDS}, at least 1
 * @param backoffInitialMs delay before the first restart after a crash, doubled for each consecutive crash; default
 *                         {@value #DEFAULT_BACKOFF_INITIAL_MS}, 0 (restart at once, every time) to 2^31-1
 * @param backoffMaxMs     cap of the doubling delay; default {@value #DEFAULT_BACKOFF_MAX_MS}, from
 *                         {@code backoffInitialMs} to 2^31-1
 * @param hangTimeoutMs    a domain whose ring heartbeat is older than this is hung: killed and restarted; default
 *                         {@value #DEFAULT_HANG_TIMEOUT_MS}, from {@value #MIN_HANG_TIMEOUT_MS} to
 *                         {@value #MAX_HANG_TIMEOUT_MS} (the ring's bounds of its liveness timeout)
 */
public record SupervisorSpec(int intensity, int periodSeconds, long backoffInitialMs, long backoffMaxMs,
                             long hangTimeoutMs) {

    public static final int DEFAULT_INTENSITY = 5;
    public static final int DEFAULT_PERIOD_SECONDS = 60;
    public static final long DEFAULT_BACKOFF_INITIAL_MS = 100;
    public static final long DEFAULT_BACKOFF_MAX_MS = 10_000;
    public static final long DEFAULT_HANG_TIMEOUT_MS = 500;
    // The hang timeout becomes the ring's liveness timeout (RingGeometry), so it shares its bounds.
    public static final long MIN_HANG_TIMEOUT_MS = RingGeometry.MIN_LIVENESS_TIMEOUT_NS / 1_000_000;
    public static final long MAX_HANG_TIMEOUT_MS = RingGeometry.MAX_LIVENESS_TIMEOUT_NS / 1_000_000;

    /** The limits of a spec without a {@code supervisor:} section. */
    public static final SupervisorSpec DEFAULTS = new SupervisorSpec(DEFAULT_INTENSITY, DEFAULT_PERIOD_SECONDS,
            DEFAULT_BACKOFF_INITIAL_MS, DEFAULT_BACKOFF_MAX_MS, DEFAULT_HANG_TIMEOUT_MS);
}
