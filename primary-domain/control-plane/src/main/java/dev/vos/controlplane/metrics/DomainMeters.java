package dev.vos.controlplane.metrics;

import dev.vos.ring.server.KindFigure;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One domain's meters and the values its gauges read. Created on the domain's first mention and registered at once,
 * so that every series of a domain exists (at 0) before its first event: a restart counter that appears only on the
 * first restart would make that restart invisible to {@code rate()}.
 *
 * <p>Mutated only under the {@link ControlPlaneMetrics} lock; the fields that gauges read are volatile because a
 * scrape reads them on a server thread without that lock.
 */
final class DomainMeters {

    private final String domain;
    private final MeterRegistry registry;
    private final InstantSource clock;
    /** Everything registered for this domain, to remove it all when the domain goes. */
    private final List<Meter> meters = new ArrayList<>();
    private final Map<String, Counter> restarts = new HashMap<>();
    private final Timer recovery;

    private volatile String state = "";
    private volatile long generation;
    private volatile boolean up;
    private volatile Instant since = Instant.EPOCH;
    private volatile String standby = "NONE";

    /** Null until the first ring figures arrive; ring meters are registered then. */
    private volatile RingFigures ring;
    private final Set<String> callKinds = new HashSet<>();
    private final Set<String> errnos = new HashSet<>();
    private final Set<KindFigure> kindFigures = EnumSet.noneOf(KindFigure.class);
    /** The domain's kind once known; its kind series is registered then. */
    private String kind;

    DomainMeters(String domain, MeterRegistry registry, InstantSource clock) {
        this.domain = domain;
        this.registry = registry;
        this.clock = clock;

        // Micrometer holds a gauge's object weakly unless told otherwise. Strong references here make the
        // registered gauges keep this object alive, so no gauge (and no function counter, which Micrometer always
        // holds weakly) can read NaN after a collection, whatever holds on to DomainMeters elsewhere.
        add(Gauge.builder("vos.domain.up", this, m -> m.up ? 1 : 0)
                .description("1 if the domain's current generation is up, else 0")
                .tag("domain", domain).strongReference(true).register(registry));
        for (String s : ControlPlaneMetrics.STATES) {
            add(Gauge.builder("vos.domain.state", this, m -> m.state.equals(s) ? 1 : 0)
                    .description("1 for the domain's current supervision state, 0 for the others")
                    .tag("domain", domain).tag("state", s).strongReference(true).register(registry));
        }
        for (String s : ControlPlaneMetrics.STANDBY_STATES) {
            add(Gauge.builder("vos.domain.standby", this, m -> m.standby.equals(s) ? 1 : 0)
                    .description("1 for the state of the domain's warm standby (NONE, STARTING, PARKED), 0 for the"
                            + " others")
                    .tag("domain", domain).tag("state", s).strongReference(true).register(registry));
        }
        add(Gauge.builder("vos.domain.generation", this, m -> m.generation)
                .description("The domain's current generation; it grows by one per restart")
                .tag("domain", domain).strongReference(true).register(registry));
        add(Gauge.builder("vos.domain.uptime", this, DomainMeters::uptimeSeconds)
                .description("Seconds since the domain came up, 0 while it is not up")
                .baseUnit("seconds")
                .tag("domain", domain).strongReference(true).register(registry));
        for (String reason : ControlPlaneMetrics.RESTART_REASONS) {
            Counter counter = Counter.builder("vos.domain.restarts")
                    .description("Restarts of the domain, by what caused them")
                    .tag("domain", domain).tag("reason", reason).register(registry);
            restarts.put(reason, counter);
            add(counter);
        }
        recovery = Timer.builder("vos.domain.recovery")
                .description("Time from a domain's death being detected to its next generation running; every"
                        + " recovery is recorded, _max is Micrometer's maximum over a decaying window")
                .serviceLevelObjectives(ControlPlaneMetrics.RECOVERY_BUCKETS)
                .tag("domain", domain).register(registry);
        add(recovery);
    }

    void state(String state, long generation, boolean up, Instant since) {
        this.state = state;
        this.generation = generation;
        this.since = since;
        this.up = up;
    }

    void standby(String state) {
        this.standby = state;
    }

    void restart(String reason) {
        restarts.get(reason).increment();
    }

    void recovered(Duration timeToRecover) {
        recovery.record(timeToRecover);
    }

    void ring(RingFigures figures) {
        boolean first = ring == null;
        ring = figures;
        if (first) {
            add(FunctionCounter.builder("vos.ring.protocol.errors", this, m -> m.ring.protocolErrors())
                    .description("Malformed requests the domain refused on its ring; resets when a new generation"
                            + " starts")
                    .tag("domain", domain).register(registry));
            add(FunctionCounter.builder("vos.ring.wakeups", this, m -> m.ring.workerWakeups())
                    .description("Wakeups across the ring: a client waking a server worker, or the reverse")
                    .tag("domain", domain).tag("side", "worker").register(registry));
            add(FunctionCounter.builder("vos.ring.wakeups", this, m -> m.ring.clientWakeups())
                    .description("Wakeups across the ring: a client waking a server worker, or the reverse")
                    .tag("domain", domain).tag("side", "client").register(registry));
            add(Gauge.builder("vos.ring.calls.in.flight", this, m -> m.ring.inFlight())
                    .description("Calls submitted to the domain's ring and not yet answered, as of the control"
                            + " plane's last read of the domain's figures")
                    .tag("domain", domain).strongReference(true).register(registry));
            addCallKind(RingFigures.OTHER_KIND);
            addOutcomes();
        }
        // A kind seen once keeps its series (at 0 if a later generation does not report it), so the set of series
        // is bounded by the kinds the control plane names, and a series never vanishes mid-incident.
        for (String kind : figures.callsByKind().keySet()) {
            addCallKind(kind);
        }
        // Errnos likewise; their names are a bounded set (DomainStats names those vos knows, "other" the rest).
        for (String errno : figures.outcomes().errorsByErrno().keySet()) {
            addErrno(errno);
        }
        // The kind's figures likewise: a closed list (KindFigure), each registered the first time the domain
        // reports it, and kept (a counter at 0, a gauge at 0) if a later generation does not.
        for (KindFigure figure : figures.outcomes().kindFigures().keySet()) {
            addKindFigure(figure);
        }
    }

    private void addKindFigure(KindFigure figure) {
        if (!kindFigures.add(figure)) {
            return;
        }
        switch (figure.type()) {
            case GAUGE -> add(Gauge.builder(figure.meterName(), this, m -> m.ring.outcomes().figure(figure))
                    .description(figure.description())
                    .tag("domain", domain).strongReference(true).register(registry));
            case COUNTER -> add(FunctionCounter.builder(figure.meterName(), this,
                            m -> m.ring.outcomes().figure(figure))
                    .description(figure.description())
                    .tag("domain", domain).register(registry));
        }
    }

    /**
     * Registers {@code vos_domain_kind{kind}} (always 1) the first time the kind is known: what lets a dashboard of
     * one kind (storage) list only those domains. A kind does not change while the control plane runs.
     */
    void kind(String domainKind) {
        if (kind != null || domainKind == null || domainKind.isEmpty()) {
            return;
        }
        kind = domainKind;
        add(Gauge.builder("vos.domain.kind", () -> 1)
                .description("Always 1; its kind label says what the domain serves (storage, net)")
                .tag("domain", domain).tag("kind", domainKind).strongReference(true).register(registry));
    }

    private void addOutcomes() {
        add(FunctionCounter.builder("vos.ring.read", this, m -> m.ring.outcomes().bytesRead())
                .description("Bytes the domain's calls read for clients (a storage domain's preads); resets when a"
                        + " new generation starts")
                .baseUnit("bytes").tag("domain", domain).register(registry));
        add(FunctionCounter.builder("vos.ring.written", this, m -> m.ring.outcomes().bytesWritten())
                .description("Bytes the domain's calls wrote for clients (a storage domain's pwrites and appends);"
                        + " resets when a new generation starts")
                .baseUnit("bytes").tag("domain", domain).register(registry));
        add(FunctionCounter.builder("vos.ring.calls.deferred", this, m -> m.ring.outcomes().callsDeferred())
                .description("Calls the domain answered after their handler returned: batched (io_uring) or"
                        + " event-driven; resets when a new generation starts")
                .tag("domain", domain).register(registry));
        add(FunctionCounter.builder("vos.ring.batch.submissions", this, m -> m.ring.outcomes().batchSubmissions())
                .description("System calls that handed batched calls to the kernel (io_uring_enter);"
                        + " vos_ring_calls_deferred_total over this is the mean batch; resets when a new generation"
                        + " starts")
                .tag("domain", domain).register(registry));
    }

    private void addErrno(String errno) {
        if (errnos.add(errno)) {
            add(FunctionCounter.builder("vos.ring.call.errors", this, m -> m.ring.outcomes().errors(errno))
                    .description("Calls the domain answered with an error, by errno (the names vos knows; \"other\""
                            + " takes the rest); resets when a new generation starts")
                    .tag("domain", domain).tag("errno", errno).register(registry));
        }
    }

    private void addCallKind(String kind) {
        if (callKinds.add(kind)) {
            add(FunctionCounter.builder("vos.ring.calls", this, m -> m.ring.calls(kind))
                    .description("Calls served through the domain's ring, by kind (call name; \"other\" takes the"
                            + " rest); resets when a new generation starts")
                    .tag("domain", domain).tag("kind", kind).register(registry));
        }
    }

    /** The latest ring figures, or null before the first. */
    RingFigures ringFigures() {
        return ring;
    }

    /** Removes every meter of this domain from the registry. */
    void remove() {
        meters.forEach(registry::remove);
        meters.clear();
    }

    private double uptimeSeconds() {
        if (!up) {
            return 0;
        }
        Duration d = Duration.between(since, clock.instant());
        return d.isNegative() ? 0 : d.toNanos() / 1e9;
    }

    private void add(Meter meter) {
        meters.add(meter);
    }
}
