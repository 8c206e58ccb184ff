package dev.vos.controlplane.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * {@code vos_ring_call_latency_seconds}: each domain's ring latency histogram, exposed as a real Prometheus histogram
 * ({@code _bucket{le=...}} and {@code _count}) from the bucket counts the domain already keeps.
 *
 * <p>Why not a Micrometer meter: Micrometer builds histograms only from the observations it records itself, and a
 * custom Micrometer {@code Meter} is exposed as separate series with a {@code statistic} label, not as buckets. So
 * this is a collector of the Prometheus client underneath Micrometer, registered on the same {@code
 * PrometheusRegistry} that {@code PrometheusMeterRegistry.scrape()} reads; it appears in the same scrape.
 *
 * <p>No {@code _sum} is written: the domains count calls per bucket but do not add up their latencies, and a sum
 * made up from bucket bounds would be a guess presented as a measurement. {@code histogram_quantile()} needs only the
 * buckets; an average latency is not available.
 */
final class RingLatencyCollector implements Collector {

    static final String NAME = "vos_ring_call_latency_seconds";
    private static final String HELP = "Latency of calls served through the domain's ring, from the domain's own"
            + " histogram";
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
        HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder().name(NAME).help(HELP);
        byDomain.forEach((domain, figures) -> snapshot.dataPoint(HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(buckets(figures))
                .labels(Labels.of("domain", domain))
                .build()));
        return snapshot.build();
    }

    @Override
    public MetricFamilyDescriptor getMetricFamilyDescriptor() {
        return MetricFamilyDescriptor.histogram(NAME).help(HELP).labelNames("domain").build();
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
