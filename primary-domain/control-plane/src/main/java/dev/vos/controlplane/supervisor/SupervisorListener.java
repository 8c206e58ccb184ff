package dev.vos.controlplane.supervisor;

import dev.vos.ring.agent.DomainStats;

import java.time.Duration;

/**
 * What a supervisor tells the rest of the control plane as it goes (metrics listen here). Every method does nothing
 * unless overridden, so that a listener says only what it listens for.
 */
public interface SupervisorListener {

    /** A domain entered a state. */
    default void stateChanged(DomainStatus status) {
    }

    /** A domain is being restarted; {@code reason} is "exit", "hang" or "operator". */
    default void restarted(String domain, String reason) {
    }

    /** A domain is serving again, {@code timeToRecover} after its last generation was found dead or hung. */
    default void recovered(String domain, Duration timeToRecover) {
    }

    /** A domain's standby was started, has parked, or is gone (promoted, discarded or lost). */
    default void standbyChanged(String domain, StandbyState state) {
    }

    /** A domain's ring figures, read through the supervisor's health ring about once a second while it runs. */
    default void figures(String domain, DomainStats stats) {
    }

    /** A listener that ignores everything. */
    SupervisorListener NONE = new SupervisorListener() {
    };
}
