package dev.vos.controlplane.supervisor;

import dev.vos.controlplane.spec.SupervisorSpec;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * A domain's restart limits, as Erlang/OTP and Kubernetes state them. Intensity: if more than {@code intensity}
 * restarts would happen within the last {@code periodSeconds}, the domain is FAILED instead. Back-off: the k-th
 * consecutive restart waits {@code backoffInitialMs * 2^(k-1)}, capped at {@code backoffMaxMs}; a generation that
 * stayed up for a whole period ends the streak. Pure logic over a caller-supplied clock, so it is tested alone.
 */
final class RestartBudget {

    private final SupervisorSpec limits;
    private final Deque<Long> recentMs = new ArrayDeque<>();
    private int consecutive;

    RestartBudget(SupervisorSpec limits) {
        this.limits = limits;
    }

    /**
     * Counts a restart at {@code nowMs} if the intensity allows it.
     *
     * @return empty if the restart may happen, or the reason it may not
     */
    Optional<String> admit(long nowMs) {
        long windowStart = nowMs - limits.periodSeconds() * 1000L;
        while (!recentMs.isEmpty() && recentMs.peekFirst() <= windowStart) {
            recentMs.removeFirst();
        }
        if (recentMs.size() >= limits.intensity()) {
            return Optional.of("it needed more than " + limits.intensity() + " restarts within "
                    + limits.periodSeconds() + " s (restart intensity " + limits.intensity() + " per "
                    + limits.periodSeconds() + " s); fix the cause, then 'vos restart'");
        }
        recentMs.addLast(nowMs);
        consecutive++;
        return Optional.empty();
    }

    /** The delay before the restart just admitted. */
    long backoffMs() {
        int doublings = Math.min(consecutive - 1, 30);
        return Math.min(limits.backoffMaxMs(), limits.backoffInitialMs() << Math.max(0, doublings));
    }

    /** A generation that ran {@code ranMs}: a whole period without a crash ends the back-off streak. */
    void ran(long ranMs) {
        if (ranMs >= limits.periodSeconds() * 1000L) {
            consecutive = 0;
        }
    }

    /** An operator acted ('vos restart'): the history is forgiven. */
    void reset() {
        recentMs.clear();
        consecutive = 0;
    }
}
