package dev.vos.bench.storage;

/**
 * Latencies in nanoseconds, log-linear: exact below 32 ns, then 32 buckets per power of two (about 3% wide). One
 * per thread, merged after the run; no allocation while recording.
 */
final class LatencyHistogram {

    private static final int SUB = 32;
    private static final int SUB_BITS = 5;
    private final long[] counts = new long[(64 - SUB_BITS) * SUB + SUB];
    private long total;

    void record(long ns) {
        counts[index(Math.max(ns, 0))]++;
        total++;
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
    }

    long total() {
        return total;
    }

    /** The value at quantile {@code q} (0..1): the middle of the bucket it falls in. */
    double quantile(double q) {
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= Math.max(rank, 1)) {
                return (lower(i) + lower(i + 1)) / 2.0;
            }
        }
        return lower(counts.length - 1);
    }

    private static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v);
        return (exp - SUB_BITS + 1) * SUB + (int) ((v >>> (exp - SUB_BITS)) & (SUB - 1));
    }

    private static double lower(int index) {
        if (index < SUB) {
            return index;
        }
        int exp = index / SUB + SUB_BITS - 1;
        long sub = index % SUB;
        return (double) ((1L << exp) + (sub << (exp - SUB_BITS)));
    }
}
