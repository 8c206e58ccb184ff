package dev.vos.ring.agent;

import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.ServerStats;
import dev.vos.ring.server.ServiceTimes;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A domain agent's figures, all sessions together, as the {@code STATS} core call carries them through the
 * payload area: a flat run of little-endian longs (names as length-prefixed UTF-8, padded to 8 bytes).
 * <pre>
 *   FORMAT, sessions, callsServed, protocolErrors, workerWakeups, clientWakeups, inFlight, serviceTimeSumNs,
 *   BUCKETS, bucket[0..BUCKETS),  kinds, { callNumber, count, nameBytes, name... } x kinds
 * </pre>
 *
 * @param serviceTimeBuckets sampled service times per {@link ServiceTimes} bucket, not cumulative
 * @param callsByKind        calls completed per call name, only names with calls
 */
public record DomainStats(long sessions, long callsServed, long protocolErrors, long workerWakeups,
                          long clientWakeups, long inFlight, long serviceTimeSumNs, long[] serviceTimeBuckets,
                          Map<String, Long> callsByKind) {

    /** Version of the encoding. */
    public static final long FORMAT = 1;

    /**
     * Encodes {@code stats} of {@code sessions} sessions into {@code out}; returns the bytes written, or -1 if they
     * do not fit.
     */
    static long encode(long sessions, ServerStats stats, CallTable table, MemorySegment out) {
        long[] head = {FORMAT, sessions, stats.callsServed(), stats.protocolErrors(), stats.workerWakeups(),
                stats.clientWakeups(), stats.inFlight(), stats.serviceTimeSumNs(), ServiceTimes.BUCKETS};
        long size = 8L * (head.length + ServiceTimes.BUCKETS + 1);
        int kinds = 0;
        for (int n = 0; n < stats.callsByNumber().length; n++) {
            if (stats.callsByNumber()[n] > 0) {
                kinds++;
                size += 24 + pad(table.name(n).getBytes(StandardCharsets.UTF_8).length);
            }
        }
        if (size > out.byteSize()) {
            return -1;
        }
        long at = 0;
        for (long v : head) {
            out.set(JAVA_LONG_UNALIGNED, at, v);
            at += 8;
        }
        for (long v : stats.serviceTimeBuckets()) {
            out.set(JAVA_LONG_UNALIGNED, at, v);
            at += 8;
        }
        out.set(JAVA_LONG_UNALIGNED, at, kinds);
        at += 8;
        for (int n = 0; n < stats.callsByNumber().length; n++) {
            if (stats.callsByNumber()[n] > 0) {
                byte[] name = table.name(n).getBytes(StandardCharsets.UTF_8);
                out.set(JAVA_LONG_UNALIGNED, at, n);
                out.set(JAVA_LONG_UNALIGNED, at + 8, stats.callsByNumber()[n]);
                out.set(JAVA_LONG_UNALIGNED, at + 16, name.length);
                MemorySegment.copy(MemorySegment.ofArray(name), 0, out, at + 24, name.length);
                at += 24 + pad(name.length);
            }
        }
        return at;
    }

    /**
     * Decodes what {@link #encode} wrote. Checks every length against {@code in}, so a confused or hostile peer
     * gets an {@link IllegalArgumentException}, never an out-of-bounds read.
     */
    public static DomainStats decode(MemorySegment in) {
        long[] head = new long[9];
        long at = 0;
        for (int i = 0; i < head.length; i++) {
            head[i] = read(in, at);
            at += 8;
        }
        if (head[0] != FORMAT || head[8] != ServiceTimes.BUCKETS) {
            throw new IllegalArgumentException("stats format " + head[0] + " with " + head[8] + " buckets; this"
                    + " build reads format " + FORMAT + " with " + ServiceTimes.BUCKETS);
        }
        long[] buckets = new long[ServiceTimes.BUCKETS];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = read(in, at);
            at += 8;
        }
        long kinds = read(in, at);
        at += 8;
        Map<String, Long> byKind = new LinkedHashMap<>();
        for (long k = 0; k < kinds; k++) {
            long count = read(in, at + 8);
            long length = read(in, at + 16);
            if (length < 0 || length > 256 || at + 24 + length > in.byteSize()) {
                throw new IllegalArgumentException("stats: a call name of " + length + " bytes at " + at);
            }
            byte[] name = in.asSlice(at + 24, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            byKind.put(new String(name, StandardCharsets.UTF_8), count);
            at += 24 + pad(length);
        }
        return new DomainStats(head[1], head[2], head[3], head[4], head[5], head[6], head[7], buckets, byKind);
    }

    private static long read(MemorySegment in, long at) {
        if (at + 8 > in.byteSize()) {
            throw new IllegalArgumentException("stats: truncated at byte " + at);
        }
        return in.get(JAVA_LONG_UNALIGNED, at);
    }

    private static long pad(long n) {
        return (n + 7) & -8L;
    }
}
