package dev.vos.controlplane.metrics;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The figures the control plane reads from one domain's ring, as of one moment. Counts are cumulative since the
 * domain's current generation created its ring, so they drop to zero on a restart; Prometheus treats that drop as a
 * counter reset, which is what it is.
 *
 * @param callsServed          calls answered
 * @param protocolErrors       malformed requests refused
 * @param workerWakeups        times a client woke a sleeping server worker
 * @param clientWakeups        times a server worker woke a sleeping client
 * @param inFlight             calls submitted and not yet answered, right now
 * @param callsByKind          calls answered, per call kind (e.g. {@code "read"}); may cover only part of
 *                             {@code callsServed}: the rest is reported under kind {@value #OTHER_KIND}
 * @param latencyBucketCounts  call latency histogram, cumulative: {@code [i]} = calls that took at most
 *                             {@code latencyBucketUpperNs[i]}; non-decreasing
 * @param latencyBucketUpperNs bucket upper bounds in nanoseconds, strictly increasing, the last one {@link #INF_NS}
 *                             (so the last count is every call measured); both arrays empty if the domain measures no
 *                             latency
 * @param latencySumNs         the sum of the measured calls' latencies in ns, or {@link #NO_SUM} when the domain
 *                             does not add them up
 * @param outcomes             errors by errno, bytes read and written, batching ({@link CallOutcomes#NONE} if the
 *                             domain reports none)
 */
public record RingFigures(long callsServed, long protocolErrors, long workerWakeups, long clientWakeups, int inFlight,
                          Map<String, Long> callsByKind, long[] latencyBucketCounts, long[] latencyBucketUpperNs,
                          long latencySumNs, CallOutcomes outcomes) {

    /** {@link #latencySumNs()} of a domain that does not add up its latencies. */
    public static final long NO_SUM = -1;

    /** The upper bound that stands for +Inf: the last bucket, which holds every call measured. */
    public static final long INF_NS = Long.MAX_VALUE;

    /** The kind under which calls not broken out in {@link #callsByKind()} are counted. */
    public static final String OTHER_KIND = "other";

    public RingFigures {
        requireNonNegative("callsServed", callsServed);
        requireNonNegative("protocolErrors", protocolErrors);
        requireNonNegative("workerWakeups", workerWakeups);
        requireNonNegative("clientWakeups", clientWakeups);
        requireNonNegative("inFlight", inFlight);
        callsByKind = Map.copyOf(callsByKind);
        callsByKind.forEach((kind, calls) -> {
            if (kind.isEmpty()) {
                throw new IllegalArgumentException("callsByKind has an empty kind");
            }
            requireNonNegative("callsByKind[" + kind + "]", calls);
        });
        latencyBucketCounts = latencyBucketCounts.clone();
        latencyBucketUpperNs = latencyBucketUpperNs.clone();
        checkHistogram(latencyBucketCounts, latencyBucketUpperNs);
        if (latencySumNs < NO_SUM) {
            throw new IllegalArgumentException("latencySumNs must be >= 0 (or NO_SUM), got " + latencySumNs);
        }
        Objects.requireNonNull(outcomes, "outcomes");
    }

    /** Figures without call outcomes. */
    public RingFigures(long callsServed, long protocolErrors, long workerWakeups, long clientWakeups, int inFlight,
                       Map<String, Long> callsByKind, long[] latencyBucketCounts, long[] latencyBucketUpperNs,
                       long latencySumNs) {
        this(callsServed, protocolErrors, workerWakeups, clientWakeups, inFlight, callsByKind, latencyBucketCounts,
                latencyBucketUpperNs, latencySumNs, CallOutcomes.NONE);
    }

    /** Figures without a latency sum. */
    public RingFigures(long callsServed, long protocolErrors, long workerWakeups, long clientWakeups, int inFlight,
                       Map<String, Long> callsByKind, long[] latencyBucketCounts, long[] latencyBucketUpperNs) {
        this(callsServed, protocolErrors, workerWakeups, clientWakeups, inFlight, callsByKind, latencyBucketCounts,
                latencyBucketUpperNs, NO_SUM);
    }

    /** Figures with no latency histogram and no calls broken out by kind. */
    public static RingFigures withoutLatency(long callsServed, long protocolErrors, long workerWakeups,
                                             long clientWakeups, int inFlight) {
        return new RingFigures(callsServed, protocolErrors, workerWakeups, clientWakeups, inFlight, Map.of(),
                new long[0], new long[0]);
    }

    /** Whether there is a latency histogram to publish. */
    public boolean hasLatency() {
        return latencyBucketUpperNs.length > 0;
    }

    /**
     * The value of {@code vos_ring_calls_total} for {@code kind}. The kind {@value #OTHER_KIND} also takes every call
     * not broken out, so that the sum over kinds is {@code callsServed} (unless the figures themselves disagree,
     * which racy reads of live counters can cause; the remainder is then 0, never negative).
     */
    public long calls(String kind) {
        long calls = callsByKind.getOrDefault(kind, 0L);
        if (kind.equals(OTHER_KIND)) {
            long brokenOut = callsByKind.values().stream().mapToLong(Long::longValue).sum();
            calls += Math.max(0, callsServed - brokenOut);
        }
        return calls;
    }

    /** A copy: the record's own array never leaves it. */
    @Override
    public long[] latencyBucketCounts() {
        return latencyBucketCounts.clone();
    }

    /** A copy: the record's own array never leaves it. */
    @Override
    public long[] latencyBucketUpperNs() {
        return latencyBucketUpperNs.clone();
    }

    // Records compare arrays by identity; these figures are values, so compare contents.
    @Override
    public boolean equals(Object o) {
        return o instanceof RingFigures f
                && callsServed == f.callsServed && protocolErrors == f.protocolErrors
                && workerWakeups == f.workerWakeups && clientWakeups == f.clientWakeups && inFlight == f.inFlight
                && callsByKind.equals(f.callsByKind)
                && Arrays.equals(latencyBucketCounts, f.latencyBucketCounts)
                && Arrays.equals(latencyBucketUpperNs, f.latencyBucketUpperNs) && latencySumNs == f.latencySumNs
                && outcomes.equals(f.outcomes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(callsServed, protocolErrors, workerWakeups, clientWakeups, inFlight, callsByKind,
                Arrays.hashCode(latencyBucketCounts), Arrays.hashCode(latencyBucketUpperNs), latencySumNs, outcomes);
    }

    @Override
    public String toString() {
        return "RingFigures[callsServed=" + callsServed + ", protocolErrors=" + protocolErrors + ", workerWakeups="
                + workerWakeups + ", clientWakeups=" + clientWakeups + ", inFlight=" + inFlight + ", callsByKind="
                + callsByKind + ", latencyBucketCounts=" + Arrays.toString(latencyBucketCounts)
                + ", latencyBucketUpperNs=" + Arrays.toString(latencyBucketUpperNs) + ", latencySumNs=" + latencySumNs
                + ", outcomes=" + outcomes + "]";
    }

    private static void checkHistogram(long[] counts, long[] upperNs) {
        if (counts.length != upperNs.length) {
            throw new IllegalArgumentException("latency histogram has " + counts.length + " counts for "
                    + upperNs.length + " buckets");
        }
        if (upperNs.length == 0) {
            return;
        }
        if (upperNs[upperNs.length - 1] != INF_NS) {
            throw new IllegalArgumentException("the last latency bucket must be INF_NS (+Inf), got "
                    + upperNs[upperNs.length - 1] + " ns: without it calls above the last bound would be lost");
        }
        for (int i = 0; i < upperNs.length; i++) {
            if (upperNs[i] <= (i == 0 ? 0 : upperNs[i - 1])) {
                throw new IllegalArgumentException("latency bucket bounds must be positive and strictly increasing: "
                        + Arrays.toString(upperNs));
            }
            if (counts[i] < (i == 0 ? 0 : counts[i - 1])) {
                throw new IllegalArgumentException("latency bucket counts must be cumulative (non-negative and"
                        + " non-decreasing): " + Arrays.toString(counts));
            }
        }
    }

    private static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }
}
