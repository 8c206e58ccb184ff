package dev.vos.dashboards;

import dev.vos.dashboards.AlertRule.Severity;
import dev.vos.dashboards.Panel.Target;
import dev.vos.dashboards.Panel.Type;

import java.time.Duration;
import java.util.List;

/**
 * Every dashboard panel and every rule vos ships, in one place: the files under {@code dashboards/} are generated
 * from here ({@link Generate}), and the live check evaluates exactly these queries against a Prometheus scraping
 * live control planes, so a renamed metric fails the build instead of leaving an empty panel.
 *
 * <p>Every query selects by {@code instance} and {@code domain} through the dashboard's variables and aggregates
 * {@code by (instance, domain)}: one dashboard serves any number of hosts, each control plane being one Prometheus
 * target. Rates use {@code $__rate_interval}, which Grafana keeps at least four scrape intervals wide.
 */
public final class Catalog {

    /** The job name the shipped Prometheus configuration gives the control planes. */
    public static final String JOB = "vos";
    /** How long a domain may take from its death to its next generation running before that is an alert. */
    public static final Duration RECOVERY_GOAL = Duration.ofSeconds(1);
    /** The {@code le} bound of the recovery histogram that equals {@link #RECOVERY_GOAL}, as Micrometer writes it. */
    static final String RECOVERY_GOAL_LE = "1.0";
    /** The legend of a series by host and domain. */
    private static final String BY = "{{instance}} {{domain}}";

    private Catalog() {
    }

    /** {@code metric{instance=~"$instance",domain=~"$domain"<,extra>}}. */
    static String sel(String metric, String... extra) {
        StringBuilder s = new StringBuilder(metric).append("{instance=~\"$instance\",domain=~\"$domain\"");
        for (String e : extra) {
            s.append(',').append(e);
        }
        return s.append('}').toString();
    }

    private static String rate(String metric, String... extra) {
        return "rate(" + sel(metric, extra) + "[$__rate_interval])";
    }

    private static String increase(String metric, String... extra) {
        return "increase(" + sel(metric, extra) + "[$__rate_interval])";
    }

    private static Target t(String expr, String legend) {
        return new Target(expr, legend);
    }

    /** The dashboards, in the order a reader meets them. */
    public static List<Dashboard> dashboards() {
        return List.of(host(), ring(), storage(), net(), perf());
    }

    static Dashboard host() {
        return new Dashboard("vos-host", "vos-host.json", "vos / host",
                "Service domains of each host: up or not, state, generation, restarts and why, time to recover.",
                List.of(
                        new Panel("Domains up", "1 while the domain's current generation is up.", Type.STAT, "short",
                                List.of(t("max by (instance, domain) (" + sel("vos_domain_up") + ")", BY))),
                        new Panel("Generation", "Grows by one with every restart.", Type.STAT, "short",
                                List.of(t("max by (instance, domain) (" + sel("vos_domain_generation") + ")", BY))),
                        new Panel("State", "The domain's supervision state (STARTING, RUNNING, RESTARTING, FAILED,"
                                + " STOPPED). FAILED needs an operator: vos restart DOMAIN.", Type.TIMESERIES, "short",
                                List.of(t("max by (instance, domain, state) (" + sel("vos_domain_state") + ") == 1",
                                        BY + " {{state}}"))),
                        new Panel("Standby", "The warm standby of each domain with standby: true: STARTING"
                                + " (its JVM starting), PARKED (a crash costs no JVM start), NONE (none asked for, or"
                                + " none now).", Type.TIMESERIES, "short",
                                List.of(t("max by (instance, domain, state) (" + sel("vos_domain_standby") + ") == 1",
                                        BY + " {{state}}"))),
                        new Panel("Restarts", "Restarts by cause: exit (the domain died), hang (its heartbeat"
                                + " stopped), operator (vos restart).", Type.BARS, "short",
                                List.of(t("sum by (instance, domain, reason) (" + increase("vos_domain_restarts_total")
                                        + ")", BY + " {{reason}}"))),
                        new Panel("Hang detections", "Restarts because the domain's ring heartbeat stopped.",
                                Type.BARS, "short",
                                List.of(t("sum by (instance, domain) (" + increase("vos_domain_restarts_total",
                                        "reason=\"hang\"") + ")", BY))),
                        new Panel("Time to recover", "From a death being detected to the next generation running."
                                + " Goal: " + RECOVERY_GOAL.toMillis() + " ms.", Type.TIMESERIES, "s",
                                List.of(t("histogram_quantile(0.99, sum by (instance, domain, le) ("
                                                + rate("vos_domain_recovery_seconds_bucket") + "))", BY + " p99"),
                                        t("max by (instance, domain) (" + sel("vos_domain_recovery_seconds_max")
                                                + ")", BY + " max"))),
                        new Panel("Uptime", "Since the current generation came up.", Type.TIMESERIES, "s",
                                List.of(t("max by (instance, domain) (" + sel("vos_domain_uptime_seconds") + ")",
                                        BY)))));
    }

    static Dashboard ring() {
        String service = "vos_ring_call_service_seconds";
        return new Dashboard("vos-ring", "vos-ring.json", "vos / rings",
                "The exceptionless-call rings of each domain: calls by kind, service time, wake-ups, errors.",
                List.of(
                        new Panel("Calls by kind", "Calls served per second, by call (the domain's call names).",
                                Type.TIMESERIES, "ops",
                                List.of(t("sum by (instance, domain, kind) (" + rate("vos_ring_calls_total") + ")",
                                        BY + " {{kind}}"))),
                        new Panel("Service time", "From a worker taking a call to completing it, in the domain."
                                + " Sampled: one call in 16 is timed.", Type.TIMESERIES, "s",
                                List.of(t("histogram_quantile(0.5, sum by (instance, domain, le) ("
                                                + rate(service + "_bucket") + "))", BY + " p50"),
                                        t("histogram_quantile(0.99, sum by (instance, domain, le) ("
                                                + rate(service + "_bucket") + "))", BY + " p99"),
                                        t("sum by (instance, domain) (" + rate(service + "_sum") + ") / sum by"
                                                + " (instance, domain) (" + rate(service + "_count") + ")",
                                                BY + " mean"))),
                        new Panel("Wake-ups", "Futex wake-ups across the ring per second: worker (a client woke a"
                                + " sleeping worker) and client (the reverse). Few is good: nobody had to sleep.",
                                Type.TIMESERIES, "ops",
                                List.of(t("sum by (instance, domain, side) (" + rate("vos_ring_wakeups_total") + ")",
                                        BY + " {{side}}"))),
                        new Panel("Protocol errors", "Malformed requests the domain refused. Any is a bug or a"
                                + " hostile client.", Type.BARS, "short",
                                List.of(t("sum by (instance, domain) (" + increase("vos_ring_protocol_errors_total")
                                        + ")", BY))),
                        new Panel("Calls in flight", "Submitted and not yet answered, at the last read.",
                                Type.TIMESERIES, "short",
                                List.of(t("max by (instance, domain) (" + sel("vos_ring_calls_in_flight") + ")",
                                        BY)))));
    }

    /**
     * Storage domains only (by {@code vos_domain_kind}): its {@code domain} variable lists them, so no panel shows a
     * domain of another kind.
     */
    static Dashboard storage() {
        return new Dashboard("vos-storage", "vos-storage.json", "vos / storage",
                "Storage domains: file calls by kind, errors by errno, bytes read and written, batching, group"
                        + " commit, reads copied or trapped.",
                List.of(
                        new Panel("Calls by kind", "File calls served per second, by call (open, pread, pwrite,"
                                + " fsync, stat ...).", Type.TIMESERIES, "ops",
                                List.of(t("sum by (instance, domain, kind) (" + rate("vos_ring_calls_total") + ")",
                                        BY + " {{kind}}"))),
                        new Panel("Errors by errno", "Calls answered with an error, per second, by errno. ENOENT"
                                + " and EEXIST are often a program's normal probing; ENOSPC, EIO, EMFILE or EACCES"
                                + " want a look (the export root's disk, its permissions, the domain's descriptor"
                                + " limit).", Type.TIMESERIES, "ops",
                                List.of(t("sum by (instance, domain, errno) (" + rate("vos_ring_call_errors_total")
                                        + ")", BY + " {{errno}}"))),
                        new Panel("Bytes read and written", "Bytes per second the domain's calls read (preads) and"
                                + " wrote (pwrites, appends) for clients.", Type.TIMESERIES, "Bps",
                                List.of(t("sum by (instance, domain) (" + rate("vos_ring_read_bytes_total") + ")",
                                                BY + " read"),
                                        t("sum by (instance, domain) (" + rate("vos_ring_written_bytes_total") + ")",
                                                BY + " written"))),
                        new Panel("Batching", "Calls executed in batches (io_uring) per second, and the"
                                + " io_uring_enter calls that submitted them: their ratio is the mean batch, the calls"
                                + " one trap carried.", Type.TIMESERIES, "ops",
                                List.of(t("sum by (instance, domain) (" + rate("vos_ring_calls_deferred_total") + ")",
                                                BY + " batched calls"),
                                        t("sum by (instance, domain) (" + rate("vos_ring_batch_submissions_total")
                                                + ")", BY + " submissions"))),
                        new Panel("Group commit", "Forces (a client's force: fsync or fdatasync) the domain"
                                + " answered per second, and the fsyncs it issued to the kernel for them: forces of"
                                + " one descriptor queued together share one fsync, so their ratio is the forces one"
                                + " fsync answered.", Type.TIMESERIES, "ops",
                                List.of(t("sum by (instance, domain) (" + rate("vos_storage_forces_total") + ")",
                                                BY + " forces"),
                                        t("sum by (instance, domain) (" + rate("vos_storage_syncs_issued_total")
                                                + ")", BY + " fsyncs issued"))),
                        new Panel("Reads: copied or trapped", "Reads per second the domain answered by a copy from"
                                + " its mapping of the file (no system call), and those it answered through the"
                                + " kernel (pread, io_uring, preadv: batched reads, reads near the end of a file, the"
                                + " 1-in-256 size checks).", Type.TIMESERIES, "ops",
                                List.of(t("sum by (instance, domain) (" + rate("vos_storage_reads_mapped_total")
                                                + ")", BY + " copied"),
                                        t("sum by (instance, domain) (" + rate("vos_storage_reads_trapped_total")
                                                + ")", BY + " trapped")))),
                "storage");
    }

    /**
     * Net domains only (by {@code vos_domain_kind}), as {@link #storage()}: socket calls, errors, bytes received and
     * sent, and the net domain's own figures (open sockets, accepted and refused connections).
     */
    static Dashboard net() {
        return new Dashboard("vos-net", "vos-net.json", "vos / net",
                "Net domains: socket calls by kind, errors by errno, bytes received and sent, open sockets, accepted"
                        + " and refused connections.",
                List.of(
                        new Panel("Calls by kind", "Socket calls served per second, by call (socket, connect, accept,"
                                + " sendto, recvfrom, poll ...).", Type.TIMESERIES, "ops",
                                List.of(t("sum by (instance, domain, kind) (" + rate("vos_ring_calls_total") + ")",
                                        BY + " {{kind}}"))),
                        new Panel("Errors by errno", "Calls answered with an error, per second, by errno. EAGAIN is"
                                + " a non-blocking call that found nothing to do; ECONNREFUSED, ECONNRESET and EPIPE"
                                + " are peers going away; EMFILE is a session at its cap of sockets; EADDRNOTAVAIL a"
                                + " bind the spec's net.bind does not allow.", Type.TIMESERIES, "ops",
                                List.of(t("sum by (instance, domain, errno) (" + rate("vos_ring_call_errors_total")
                                        + ")", BY + " {{errno}}"))),
                        new Panel("Bytes received and sent", "Bytes per second the domain's calls received"
                                + " (recvfrom) and sent (sendto) for clients.", Type.TIMESERIES, "Bps",
                                List.of(t("sum by (instance, domain) (" + rate("vos_ring_read_bytes_total") + ")",
                                                BY + " received"),
                                        t("sum by (instance, domain) (" + rate("vos_ring_written_bytes_total") + ")",
                                                BY + " sent"))),
                        new Panel("Open sockets", "Sockets the domain holds for its clients, listening and"
                                + " connected, every session. A climb that never comes down is a client leaking"
                                + " sockets.", Type.TIMESERIES, "short",
                                List.of(t("max by (instance, domain) (" + sel("vos_net_sockets_open") + ")", BY))),
                        new Panel("Connections", "Per second: connections accepted on clients' listening sockets,"
                                + " and connects the peer refused (nothing listening there).", Type.TIMESERIES, "ops",
                                List.of(t("sum by (instance, domain) ("
                                                + rate("vos_net_connections_accepted_total") + ")", BY + " accepted"),
                                        t("sum by (instance, domain) ("
                                                + rate("vos_net_connections_refused_total") + ")", BY + " refused")))),
                "net");
    }

    static Dashboard perf() {
        return new Dashboard("vos-perf", "vos-perf.json", "vos / perf",
                "CPU of each domain's JVM and of its busiest threads, from the control plane's perf counters.",
                List.of(
                        new Panel("CPU per domain", "CPU seconds per second: 1 is one whole core.", Type.TIMESERIES,
                                "short",
                                List.of(t("sum by (instance, domain) (" + rate("vos_perf_cpu_seconds_total") + ")",
                                        BY))),
                        new Panel("CPU per thread", "The busiest threads of each domain by name (chosen with"
                                + " hysteresis); other sums the rest.", Type.TIMESERIES, "short",
                                List.of(t("sum by (instance, domain, thread) ("
                                        + rate("vos_perf_thread_cpu_seconds_total") + ")", BY + " {{thread}}"))),
                        new Panel("Events", "Context switches, CPU migrations and page faults per second.",
                                Type.TIMESERIES, "ops",
                                List.of(t("sum by (instance, domain, event) (" + rate("vos_perf_events_total") + ")",
                                        BY + " {{event}}"))),
                        new Panel("Threads", "Threads of the domain's JVM.", Type.TIMESERIES, "short",
                                List.of(t("max by (instance, domain) (" + sel("vos_perf_threads") + ")", BY))),
                        new Panel("Collector cost", "CPU the control plane spends reading the counters, per"
                                + " domain.", Type.TIMESERIES, "short",
                                List.of(t("sum by (instance, domain) ("
                                        + rate("vos_perf_collector_cpu_seconds_total") + ")", BY)))));
    }

    /** The recording rules: what the alerts and a fleet view read often, computed once. */
    public static List<RecordingRule> recordingRules() {
        return List.of(
                new RecordingRule("instance_domain:vos_ring_calls:rate1m",
                        "sum by (instance, domain) (rate(vos_ring_calls_total[1m]))"),
                new RecordingRule("instance_domain:vos_ring_call_service_seconds:p99_5m",
                        "histogram_quantile(0.99, sum by (instance, domain, le)"
                                + " (rate(vos_ring_call_service_seconds_bucket[5m])))"),
                new RecordingRule("instance_domain:vos_domain_restarts:increase1h",
                        "sum by (instance, domain, reason) (increase(vos_domain_restarts_total[1h]))"));
    }

    /** The alerts. */
    public static List<AlertRule> alerts() {
        return List.of(
                new AlertRule("VosDomainFailed", "max by (instance, domain) (vos_domain_state{state=\"FAILED\"})",
                        "== 1", Duration.ZERO, Severity.CRITICAL,
                        "vos domain {{ $labels.domain }} on {{ $labels.instance }} is FAILED",
                        "It restarted more often than its restart intensity allows and vos gave up on it. Read"
                                + " 'vos events' and 'vos logs DOMAIN', then 'vos restart DOMAIN'."),
                new AlertRule("VosDomainDown", "min by (instance, domain) (vos_domain_up)", "== 0",
                        Duration.ofMinutes(1), Severity.WARNING,
                        "vos domain {{ $labels.domain }} on {{ $labels.instance }} has been down for a minute",
                        "A restart takes well under a second; a domain down this long is starting slowly,"
                                + " backing off, or stopped. See 'vos ps'."),
                new AlertRule("VosDomainRestarted",
                        "sum by (instance, domain, reason) (increase(vos_domain_restarts_total{reason=~\"exit|hang\"}"
                                + "[10m]))", "> 0", Duration.ZERO, Severity.INFO,
                        "vos domain {{ $labels.domain }} on {{ $labels.instance }} was restarted ({{ $labels.reason"
                                + " }})",
                        "The domain died or hung and vos restarted it; its clients followed. 'vos logs DOMAIN' has"
                                + " the last generation's output."),
                new AlertRule("VosDomainRestartingOften",
                        "sum by (instance, domain) (increase(vos_domain_restarts_total[15m]))", "> 3",
                        Duration.ZERO, Severity.WARNING,
                        "vos domain {{ $labels.domain }} on {{ $labels.instance }} restarted"
                                + " {{ $value | printf \"%.0f\" }} times in 15 minutes",
                        "More than 3 restarts in 15 minutes: something keeps killing it. It will be FAILED once its"
                                + " restart intensity is spent."),
                new AlertRule("VosDomainHung",
                        "sum by (instance, domain) (increase(vos_domain_restarts_total{reason=\"hang\"}[10m]))",
                        "> 0", Duration.ZERO, Severity.WARNING,
                        "vos domain {{ $labels.domain }} on {{ $labels.instance }} hung and was restarted",
                        "Its ring heartbeat stopped for longer than its hang timeout (stopped, or a worker stuck in"
                                + " a call)."),
                new AlertRule("VosRecoverySlow",
                        "sum by (instance, domain) (increase(vos_domain_recovery_seconds_count[15m])) - sum by"
                                + " (instance, domain) (increase(vos_domain_recovery_seconds_bucket{le=\""
                                + RECOVERY_GOAL_LE + "\"}[15m]))", "> 0", Duration.ZERO, Severity.WARNING,
                        "vos domain {{ $labels.domain }} on {{ $labels.instance }} took over "
                                + RECOVERY_GOAL.toMillis() + " ms to recover",
                        "A restart took longer than the goal from death to the next generation running: a slow"
                                + " start (a loaded host, a cold JVM) or a long back-off."),
                new AlertRule("VosStandbyNotParked",
                        "max by (instance, domain) (max_over_time(vos_domain_standby{state=\"STARTING\"}[5m]))"
                                + " - max by (instance, domain) (max_over_time(vos_domain_standby{state=\"PARKED\"}"
                                + "[5m]))", "> 0", Duration.ofMinutes(2), Severity.WARNING,
                        "vos domain {{ $labels.domain }} on {{ $labels.instance }} has a standby that does not park",
                        "Its warm standby was started but has not parked for minutes: it cannot finish starting, or"
                                + " it keeps dying and being replaced. A crash now costs a JVM start. 'vos ps' shows"
                                + " STANDBY, 'vos events' STANDBY_LOST, 'vos logs DOMAIN' the standby's output."),
                new AlertRule("VosRingProtocolErrors",
                        "sum by (instance, domain) (increase(vos_ring_protocol_errors_total[5m]))", "> 0",
                        Duration.ZERO, Severity.WARNING,
                        "vos domain {{ $labels.domain }} on {{ $labels.instance }} refused malformed ring requests",
                        "A client wrote calls the domain could not accept: a client bug or a hostile client."),
                new AlertRule("VosControlPlaneDown", "up{job=\"" + JOB + "\"}", "== 0", Duration.ofMinutes(1),
                        Severity.CRITICAL, "vos control plane {{ $labels.instance }} is not answering scrapes",
                        "Prometheus cannot scrape it: vos up is not running there, or its metrics port changed."));
    }
}
