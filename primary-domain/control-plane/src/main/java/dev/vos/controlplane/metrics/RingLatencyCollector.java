package dev.vos.controlplane.metrics;

import dev.vos.ring.server.ServiceTimes;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * {@code vos_ring_call_service_seconds}: each domain's histogram of service times (from a worker taking a call off
 * the ring to its completing it), exposed as a real Prometheus histogram ({@code _bucket{le=...}}, {@code _count},
 * {@code _sum}) from the bucket counts the domain already keeps. It is sampled: a worker times one call in
 * {@link ServiceTimes#SAMPLE_EVERY} (two clock reads on every call would cost the hot path), so {@code _count} is
 * about {@code vos_ring_calls_total} divided by that; the HELP text says so, and quantiles are unaffected.
 *
 * <p>Why not a Micrometer meter: Micrometer builds histograms only from the observations it records itself, and a
 * custom Micrometer {@code Meter} is exposed as separate series with a {@code statistic} label, not as buckets. So
 * this is a collector of the Prometheus client underneath Micrometer, registered on the same {@code
 * PrometheusRegistry} that {@code PrometheusMeterRegistry.scrape()} reads; it appears in the same scrape.
 *
 * <p>{@code _sum} is the domain's own sum of the sampled service times; figures without one
 * ({@link RingFigures#NO_SUM}) get no {@code _sum} rather than one made up from bucket bounds.
 */
final class RingLatencyCollector implements Collector {

    static final String NAME = "vos_ring_call_service_seconds";
    private static final String HELP = "Service time of calls in the domain (a worker taking a call off the ring to"
            + " completing it), from the domain's own histogram. Sampled: one call in " + ServiceTimes.SAMPLE_EVERY
            + " is timed, so _count is about vos_ring_calls_total / " + ServiceTimes.SAMPLE_EVERY;
    private static final double NANOS_PER_SECOND = 1e9;

    /** Sorted, so that the scrape lists domains in a stable order. */
    private final Map<String, RingFigures> byDomain = new ConcurrentSkipListMap<>();

    void update(String domain, RingFigures figures) {
        if (figures.hasLatency()) {
            byDomain.put(domain, figures);
        } else {
            byDomain.remove(domain);
        }
    }

    void remove(String domain) {
        byDomain.remove(domain);
    }

    @Override
    public MetricSnapshot collect() {
        HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder().name(NAME).help(HELP).unit(Unit.SECONDS);
        byDomain.forEach((domain, figures) -> {
            HistogramDataPointSnapshot.Builder point = HistogramDataPointSnapshot.builder()
                    .classicHistogramBuckets(buckets(figures))
                    .labels(Labels.of("domain", domain));
            if (figures.latencySumNs() != RingFigures.NO_SUM) {
                point.sum(figures.latencySumNs() / NANOS_PER_SECOND);
            }
            snapshot.dataPoint(point.build());
        });
        return snapshot.build();
    }

    @Override
    public MetricFamilyDescriptor getMetricFamilyDescriptor() {
        return MetricFamilyDescriptor.histogram(NAME).help(HELP).unit(Unit.SECONDS).labelNames("domain").build();
    }

    /** Cumulative counts per bound in ns to the per-bucket counts in seconds that the Prometheus model takes. */
    static ClassicHistogramBuckets buckets(RingFigures figures) {
        long[] upperNs = figures.latencyBucketUpperNs();
        long[] cumulative = figures.latencyBucketCounts();
        double[] upperSeconds = new double[upperNs.length];
        long[] counts = new long[upperNs.length];
        for (int i = 0; i < upperNs.length; i++) {
            upperSeconds[i] = upperNs[i] == RingFigures.INF_NS ? Double.POSITIVE_INFINITY
                    : upperNs[i] / NANOS_PER_SECOND;
            counts[i] = cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
        }
        return ClassicHistogramBuckets.of(upperSeconds, counts);
    }
}
