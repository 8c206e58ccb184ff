package dev.vos.primary;

import dev.vos.primary.metrics.ControlPlaneMetrics;
import dev.vos.primary.supervisor.DomainState;
import dev.vos.primary.supervisor.DomainStatus;
import dev.vos.primary.supervisor.SupervisorListener;

import java.time.Duration;

/** Turns what the supervisors decide into the control plane's meters. */
final class MetricsListener implements SupervisorListener {

    private final ControlPlaneMetrics metrics;

    MetricsListener(ControlPlaneMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void stateChanged(DomainStatus status) {
        metrics.domainState(status.name(), status.state().name(), status.generation(),
                status.state() == DomainState.RUNNING, status.since());
    }

    @Override
    public void restarted(String domain, String reason) {
        metrics.restart(domain, reason);
    }

    @Override
    public void recovered(String domain, Duration timeToRecover) {
        metrics.recovered(domain, timeToRecover);
    }
}
