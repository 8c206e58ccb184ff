package dev.vos.ring.server;

/**
 * The histogram of service times (from a worker taking a call to completing it) that a worker keeps: a sample
 * every {@link #SAMPLE_EVERY} calls, so that two clock reads are not paid on every call of the hot path. Buckets
 * are powers of two from 256 ns up to about 1 s, then +Inf.
 */
public final class ServiceTimes {

    /** One call in this many is timed. */
    public static final int SAMPLE_EVERY = 16;
    /** Number of buckets, the last one unbounded. */
    public static final int BUCKETS = 24;

    private ServiceTimes() {
    }

    /** The upper bound (inclusive) of bucket {@code index} in ns; {@link Long#MAX_VALUE} for the last. */
    public static long upperNs(int index) {
        return index == BUCKETS - 1 ? Long.MAX_VALUE : 256L << index;
    }

    /** The bucket a service time of {@code ns} falls in. */
    public static int bucket(long ns) {
        if (ns <= 256) {
            return 0;
        }
        int b = 64 - Long.numberOfLeadingZeros((ns - 1) >> 8);
        return Math.min(b, BUCKETS - 1);
    }
}
