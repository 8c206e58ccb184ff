package dev.vos.controlplane.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The control plane's metrics, in one {@link PrometheusMeterRegistry} for {@link MetricsServer} to serve. Names are
 * in Micrometer's dotted style; Prometheus sees them with underscores and its suffixes:
 *
 * <pre>
 * vos_domain_up{domain}                          gauge     1 while the current generation is up
 * vos_domain_state{domain,state}                 gauge     1 for the current state, 0 for the other four
 * vos_domain_standby{domain,state}               gauge     1 for the standby's state (NONE, STARTING, PARKED)
 * vos_domain_generation{domain}                  gauge
 * vos_domain_uptime_seconds{domain}              gauge     0 while not up
 * vos_domain_restarts_total{domain,reason}       counter   reason: exit | hang | operator
 * vos_domain_recovery_seconds{domain}            histogram death detected -> next generation running;
 *                                                          also _max (Micrometer's decaying maximum)
 * vos_ring_calls_total{domain,kind}              counter   kind "other" takes calls not broken out
 * vos_ring_protocol_errors_total{domain}         counter
 * vos_ring_wakeups_total{domain,side}            counter   side: worker | client
 * vos_ring_calls_in_flight{domain}               gauge
 * vos_ring_call_service_seconds{domain}          histogram sampled, 1 call in 16 (see RingLatencyCollector)
 * vos_ring_call_errors_total{domain,errno}       counter   errno: a name vos knows, or "other"
 * vos_ring_read_bytes_total{domain}              counter   bytes the domain's calls read for clients
 * vos_ring_written_bytes_total{domain}           counter   bytes they wrote
 * vos_ring_calls_deferred_total{domain}          counter   answered later: batched or event-driven
 * vos_ring_batch_submissions_total{domain}       counter   io_uring_enter calls of the batches
 * vos_domain_kind{domain,kind}                   gauge     always 1: the domain's kind
 * vos_net_sockets_open{domain}                   gauge     net domains: sockets held for clients now
 * vos_net_connections_accepted_total{domain}     counter   net domains: accepts that handed over a socket
 * vos_net_connections_refused_total{domain}      counter   net domains: connects answered ECONNREFUSED
 * vos_storage_forces_total{domain}               counter   storage domains: fsync/fdatasync calls answered
 * vos_storage_syncs_issued_total{domain}         counter   storage domains: fsyncs issued for them (group commit)
 * vos_storage_reads_mapped_total{domain}         counter   storage domains: preads copied from a file mapping
 * vos_storage_reads_trapped_total{domain}        counter   storage domains: preads answered through the kernel
 * vos_storage_calls_beside_sync_total{domain}    counter   storage domains: reads/writes answered beside an fsync
 * </pre>
 *
 * The {@code vos_net_*} and {@code vos_storage_*} series are a domain kind's own figures ({@code KindFigure}, a
 * closed list in the ring), made only for a domain that reports them.
 *
 * The ring counters are the domain's own and start again from 0 with each generation (a counter reset, which
 * {@code rate()} handles); the figures are read from the domain every second. The perf series
 * ({@code vos_perf_*}) are {@link DomainPerfMeters}'. Units are in the names and, in an OpenMetrics scrape, in the
 * metadata ({@link OpenMetricsUnits}). Renames: docs/operations.md, "Changelog".
 *
 * <p>The domain series appear on a domain's first mention, the ring series on its first {@link #update}. Labels are
 * only the domain, a fixed state or reason or side, and the call kinds the control plane names; never a generation
 * or a pid, so the number of series stays bounded by domains times kinds across any number of restarts.
 *
 * <p>Thread-safe: updates are serialised on this object (they are rare: lifecycle events and a periodic read of the
 * rings); scrapes read without blocking them.
 */
public final class ControlPlaneMetrics {

    /** The supervision states, each a value of the {@code state} label. */
    public static final List<String> STATES = List.of("STARTING", "RUNNING", "RESTARTING", "FAILED", "STOPPED");
    /** A domain's warm standby's states, each a value of the {@code state} label of {@code vos_domain_standby}. */
    public static final List<String> STANDBY_STATES = List.of("NONE", "STARTING", "PARKED");
    /** What can cause a restart, each a value of the {@code reason} label. */
    public static final List<String> RESTART_REASONS = List.of("exit", "hang", "operator");
    /** The recovery histogram's buckets: fine below a second, where a healthy restart should land. */
    static final Duration[] RECOVERY_BUCKETS = {
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RingLatencyCollector ringLatency = new RingLatencyCollector();
    private final InstantSource clock;
    private final Map<String, DomainMeters> domains = new HashMap<>();

    public ControlPlaneMetrics() {
        this(InstantSource.system());
    }

    /** @param clock the source of "now" for uptime (a fixed or stepped clock in tests) */
    public ControlPlaneMetrics(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        registry.getPrometheusRegistry().register(ringLatency);
    }

    /** The registry to serve (see {@link MetricsServer#start}) or to add further meters to. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Records a domain's supervision state.
     *
     * @param state      one of {@link #STATES}
     * @param generation the current generation, >= 0
     * @param up         whether the current generation is up (its process alive and serving)
     * @param since      when the domain entered this state; uptime counts from it while {@code up}
     */
    public synchronized void domainState(String domain, String state, long generation, boolean up, Instant since) {
        if (!STATES.contains(state)) {
            throw new IllegalArgumentException("state '" + state + "' is not one of " + STATES);
        }
        if (generation < 0) {
            throw new IllegalArgumentException("generation must be >= 0, got " + generation);
        }
        Objects.requireNonNull(since, "since");
        meters(domain).state(state, generation, up, since);
    }

    /** Records {@code domain}'s kind ("storage", "net"): its {@code vos_domain_kind} series, once. */
    public synchronized void domainKind(String domain, String kind) {
        meters(domain).kind(kind);
    }

    /** Records the state of {@code domain}'s warm standby, one of {@link #STANDBY_STATES}. */
    public synchronized void standby(String domain, String state) {
        if (!STANDBY_STATES.contains(state)) {
            throw new IllegalArgumentException("standby state '" + state + "' is not one of " + STANDBY_STATES);
        }
        meters(domain).standby(state);
    }

    /** Counts one restart of {@code domain}; {@code reason} is one of {@link #RESTART_REASONS}. */
    public synchronized void restart(String domain, String reason) {
        if (!RESTART_REASONS.contains(reason)) {
            throw new IllegalArgumentException("restart reason '" + reason + "' is not one of " + RESTART_REASONS);
        }
        meters(domain).restart(reason);
    }

    /** Records how long {@code domain} took from its death being detected to its next generation running. */
    public synchronized void recovered(String domain, Duration timeToRecover) {
        if (timeToRecover.isNegative()) {
            throw new IllegalArgumentException("time to recover must be >= 0, got " + timeToRecover);
        }
        meters(domain).recovered(timeToRecover);
    }

    /** Publishes the latest figures read from {@code domain}'s ring, replacing the previous ones. */
    public synchronized void update(String domain, RingFigures figures) {
        Objects.requireNonNull(figures, "figures");
        meters(domain).ring(figures);
        ringLatency.update(domain, figures);
    }

    /** The latest figures read from {@code domain}'s ring, or null before the first (for the status page). */
    public synchronized RingFigures ringFigures(String domain) {
        DomainMeters meters = domains.get(domain);
        return meters == null ? null : meters.ringFigures();
    }

    /** Removes every series of {@code domain}, for a domain taken out of the configuration. */
    public synchronized void remove(String domain) {
        DomainMeters meters = domains.remove(domain);
        if (meters != null) {
            meters.remove();
        }
        ringLatency.remove(domain);
    }

    private DomainMeters meters(String domain) {
        if (domain == null || domain.isBlank()) {
            throw new IllegalArgumentException("domain must be a non-blank name, got '" + domain + "'");
        }
        return domains.computeIfAbsent(domain, d -> new DomainMeters(d, registry, clock));
    }
}
