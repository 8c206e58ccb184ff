package dev.vos.controlplane.metrics;

import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
import dev.vos.perf.PerfEvent;
import dev.vos.perf.PerfException;
import dev.vos.perf.counting.CounterCollector;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.counting.ThreadNamer;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Per-thread counters of every running service domain, served with the control plane's other metrics
 * ({@code vos_perf_*}, see {@link DomainPerfMeters}). One daemon thread polls every domain each interval: it attaches
 * a collector to a domain's JVM when the domain is RUNNING, re-attaches when a new generation runs under a new pid,
 * and detaches when the domain stops. A domain's counters are kept across its generations (they only grow), so its
 * series stay the same set through restarts. A domain the kernel will not let it watch is reported once in the log
 * and skipped until its pid changes.
 *
 * <p>Settings (system properties, so the spec format stays as it is): {@code vos.perf.enabled} (default true),
 * {@code vos.perf.intervalMs} (1000), {@code vos.perf.topThreads} (10: threads with a CPU series of their own per
 * domain, chosen with hysteresis, the rest summed into "other"; 0 for none).
 */
public final class DomainPerf implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DomainPerf.class.getName());

    /** The events counted: the software ones (a PMU's events would be refused here, and cost more). */
    static final List<PerfEvent> EVENTS = List.of(PerfEvent.TASK_CLOCK, PerfEvent.CONTEXT_SWITCHES,
            PerfEvent.CPU_MIGRATIONS, PerfEvent.PAGE_FAULTS, PerfEvent.MAJOR_FAULTS);

    /** One attached domain. */
    private record Attached(long pid, CounterCollector collector) {
    }

    private final MeterRegistry registry;
    private final Supplier<List<DomainStatus>> domains;
    private final Duration interval;
    private final int topThreads;
    private final Map<String, Attached> attached = new HashMap<>();
    /** Every domain ever attached, kept until close: its counters carry on across generations. */
    private final Map<String, DomainPerfMeters> meters = new HashMap<>();
    private final Map<String, Long> refused = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    private DomainPerf(MeterRegistry registry, Supplier<List<DomainStatus>> domains, Duration interval,
                       int topThreads) {
        this.registry = registry;
        this.domains = domains;
        this.interval = interval;
        this.topThreads = topThreads;
        this.thread = Thread.ofPlatform().name("vos-perf-collector").daemon().unstarted(this::loop);
    }

    /** Starts per the system properties; null when {@code vos.perf.enabled=false}. */
    public static DomainPerf startFromProperties(MeterRegistry registry, Supplier<List<DomainStatus>> domains) {
        if (!Boolean.parseBoolean(System.getProperty("vos.perf.enabled", "true"))) {
            return null;
        }
        return start(registry, domains, Duration.ofMillis(Long.getLong("vos.perf.intervalMs", 1000)),
                Integer.getInteger("vos.perf.topThreads", 10));
    }

    /** Starts polling {@code domains} every {@code interval}. */
    public static DomainPerf start(MeterRegistry registry, Supplier<List<DomainStatus>> domains, Duration interval,
                                   int topThreads) {
        if (topThreads < 0) {
            throw new IllegalArgumentException("topThreads must be >= 0, got " + topThreads);
        }
        if (interval.toMillis() < 10) {
            throw new IllegalArgumentException("interval must be at least 10 ms, got " + interval);
        }
        DomainPerf p = new DomainPerf(registry, domains, interval, topThreads);
        p.thread.start();
        return p;
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                break;
            }
            try {
                pollOnce();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "vos perf: poll failed: " + e);
            }
        }
        synchronized (this) {
            attached.forEach(this::detach);
            attached.clear();
            meters.values().forEach(DomainPerfMeters::close);
            meters.clear();
        }
    }

    /** Attaches, polls and detaches as the domains' states say. */
    synchronized void pollOnce() {
        Set<String> live = new HashSet<>();
        for (DomainStatus s : domains.get()) {
            if (s.state() != DomainState.RUNNING || s.pid() <= 0) {
                continue;
            }
            live.add(s.name());
            Attached a = attached.get(s.name());
            if (a != null && a.pid != s.pid()) {
                detach(s.name(), a);
                attached.remove(s.name());
                a = null;
            }
            if (a == null) {
                a = attach(s);
                if (a == null) {
                    continue;
                }
                attached.put(s.name(), a);
            }
            Interval iv = a.collector.poll();
            meters.get(s.name()).record(iv);
            if (iv.targetExited()) {
                detach(s.name(), a);
                attached.remove(s.name());
            }
        }
        attached.entrySet().removeIf(e -> {
            if (live.contains(e.getKey())) {
                return false;
            }
            detach(e.getKey(), e.getValue());
            return true;
        });
    }

    private Attached attach(DomainStatus s) {
        if (refused.getOrDefault(s.name(), -1L) == s.pid()) {
            return null;
        }
        try {
            CounterCollector c = CounterCollector.attach((int) s.pid(), EVENTS, ThreadNamer.COMM);
            meters.computeIfAbsent(s.name(), d -> new DomainPerfMeters(registry, d, topThreads))
                    .attached(c.availability());
            return new Attached(s.pid(), c);
        } catch (PerfException | RuntimeException e) {
            refused.put(s.name(), s.pid());
            LOG.log(System.Logger.Level.WARNING, "vos perf: not watching domain " + s.name() + " (pid " + s.pid()
                    + "): " + e.getMessage());
            return null;
        }
    }

    private void detach(String domain, Attached a) {
        a.collector.close();
        meters.get(domain).detached();
    }

    /** Domains watched now (for tests). */
    synchronized Set<String> watched() {
        return Set.copyOf(attached.keySet());
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
