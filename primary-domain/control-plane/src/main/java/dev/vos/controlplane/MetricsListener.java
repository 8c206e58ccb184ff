package dev.vos.controlplane;

import dev.vos.controlplane.metrics.CallOutcomes;
import dev.vos.controlplane.metrics.ControlPlaneMetrics;
import dev.vos.controlplane.metrics.RingFigures;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
import dev.vos.controlplane.supervisor.StandbyState;
import dev.vos.controlplane.supervisor.SupervisorListener;
import dev.vos.ring.agent.DomainStats;
import dev.vos.ring.server.ServiceTimes;

import java.time.Duration;

/** Turns what the supervisors decide into the control plane's meters. */
final class MetricsListener implements SupervisorListener {

    private final ControlPlaneMetrics metrics;

    MetricsListener(ControlPlaneMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void stateChanged(DomainStatus status) {
        metrics.domainKind(status.name(), status.kind());
        metrics.domainState(status.name(), status.state().name(), status.generation(),
                status.state() == DomainState.RUNNING, status.since());
    }

    @Override
    public void standbyChanged(String domain, StandbyState state) {
        metrics.standby(domain, state.name());
    }

    @Override
    public void restarted(String domain, String reason) {
        metrics.restart(domain, reason);
    }

    @Override
    public void recovered(String domain, Duration timeToRecover) {
        metrics.recovered(domain, timeToRecover);
    }

    /**
     * The agent's service-time buckets become a cumulative Prometheus histogram; the last bound is +Inf. The sum is
     * of the same sampled calls as the buckets, so sum / count is their mean.
     */
    @Override
    public void figures(String domain, DomainStats stats) {
        long[] counts = new long[ServiceTimes.BUCKETS];
        long[] uppers = new long[ServiceTimes.BUCKETS];
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++) {
            cumulative += stats.serviceTimeBuckets()[i];
            counts[i] = cumulative;
            uppers[i] = i == counts.length - 1 ? RingFigures.INF_NS : ServiceTimes.upperNs(i);
        }
        metrics.update(domain, new RingFigures(stats.callsServed(), stats.protocolErrors(), stats.workerWakeups(),
                stats.clientWakeups(), (int) Math.min(Integer.MAX_VALUE, stats.inFlight()), stats.callsByKind(), counts,
                uppers, stats.serviceTimeSumNs(), new CallOutcomes(stats.errorsByErrno(), stats.bytesRead(),
                stats.bytesWritten(), stats.callsDeferred(), stats.batchSubmissions(), stats.kindFigures())));
    }
}
