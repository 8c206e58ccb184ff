package dev.vos.controlplane.supervisor;

import dev.vos.controlplane.spec.SupervisorSpec;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A domain's restart limits, as Erlang/OTP and Kubernetes state them. Intensity: if more than {@code intensity}
 * restarts would happen within the last {@code periodSeconds}, the domain is FAILED instead. Back-off: the k-th
 * consecutive restart waits {@code backoffInitialMs * 2^(k-1)}, capped at {@code backoffMaxMs}; a generation that
 * stayed up for a whole period ends the streak. Pure logic over a caller-supplied clock, so it is tested alone.
 *
 * <p>The clock is monotonic ({@link System#nanoTime()}): a wall clock that NTP or an operator steps back would keep
 * old restarts in the window (a domain FAILED for crashes of long ago), and one stepped forward would empty it.
 * Its values are compared only as differences, which stay right when {@code nanoTime} wraps around.
 */
final class RestartBudget {

    private final SupervisorSpec limits;
    private final long periodNs;
    private final Deque<Long> recentNs = new ArrayDeque<>();
    private int consecutive;

    RestartBudget(SupervisorSpec limits) {
        this.limits = limits;
        this.periodNs = TimeUnit.SECONDS.toNanos(limits.periodSeconds());
    }

    /**
     * Counts a restart at {@code nowNs} (of {@link System#nanoTime()}) if the intensity allows it.
     *
     * @return empty if the restart may happen, or the reason it may not
     */
    Optional<String> admit(long nowNs) {
        while (!recentNs.isEmpty() && nowNs - recentNs.peekFirst() >= periodNs) {
            recentNs.removeFirst();
        }
        if (recentNs.size() >= limits.intensity()) {
            return Optional.of("it needed more than " + limits.intensity() + " restarts within "
                    + limits.periodSeconds() + " s (restart intensity " + limits.intensity() + " per "
                    + limits.periodSeconds() + " s); fix the cause, then 'vos restart'");
        }
        recentNs.addLast(nowNs);
        consecutive++;
        return Optional.empty();
    }

    /** The delay before the restart just admitted. */
    long backoffMs() {
        int doublings = Math.min(consecutive - 1, 30);
        return Math.min(limits.backoffMaxMs(), limits.backoffInitialMs() << Math.max(0, doublings));
    }

    /** A generation that ran {@code ranNs}: a whole period without a crash ends the back-off streak. */
    void ran(long ranNs) {
        if (ranNs >= periodNs) {
            consecutive = 0;
        }
    }

    /** An operator acted ('vos restart'): the history is forgiven. */
    void reset() {
        recentNs.clear();
        consecutive = 0;
    }
}
