package dev.vos.ring.agent;

import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.KindFigure;
import dev.vos.ring.server.ServerStats;
import dev.vos.ring.server.ServiceTimes;
import dev.vos.sys.Errno;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A domain agent's figures, all sessions together, as the {@code STATS} core call carries them through the
 * payload area: a flat run of little-endian longs (names as length-prefixed UTF-8, padded to 8 bytes).
 * <pre>
 *   FORMAT, sessions, callsServed, protocolErrors, workerWakeups, clientWakeups, inFlight, serviceTimeSumNs,
 *   bytesRead, bytesWritten, callsDeferred, batchSubmissions,
 *   BUCKETS, bucket[0..BUCKETS),  kinds, { callNumber, count, nameBytes, name... } x kinds,
 *   errnos, { errno, count } x errnos,  figures, { code, value } x figures
 * </pre>
 * Every figure comes from memory only the domain's server writes ({@link ServerStats}); none from the ring's
 * shared header, which a client can write anything into.
 *
 * @param serviceTimeBuckets sampled service times per {@link ServiceTimes} bucket, not cumulative
 * @param callsByKind        calls completed per call name, only names with calls
 * @param errorsByErrno      calls answered {@code -errno}, by the errno's name; only errnos with calls. The names are
 *                           a bounded set: those {@link Errno#name} knows, and {@value #OTHER_ERRNO} for the rest
 * @param bytesRead          bytes the domain's calls read for clients (the results of calls its table marks READ)
 * @param bytesWritten       bytes they wrote for clients
 * @param callsDeferred      calls answered later than their handler returned: batched (io_uring), or event-driven
 * @param batchSubmissions   system calls that handed batched calls to the kernel (io_uring_enter)
 * @param kindFigures        the domain kind's own figures ({@link KindFigure}: a net domain's sockets and
 *                           connections), domain-wide; empty for a client's session and for a kind that keeps none
 */
public record DomainStats(long sessions, long callsServed, long protocolErrors, long workerWakeups,
                          long clientWakeups, long inFlight, long serviceTimeSumNs, long[] serviceTimeBuckets,
                          Map<String, Long> callsByKind, Map<String, Long> errorsByErrno, long bytesRead,
                          long bytesWritten, long callsDeferred, long batchSubmissions,
                          Map<KindFigure, Long> kindFigures) {

    /** Version of the encoding: 3 added the kind's figures. */
    public static final long FORMAT = 3;
    /** The errno name under which errors of errno values {@link Errno#name} does not know are counted. */
    public static final String OTHER_ERRNO = "other";
    /** Longs before the buckets: FORMAT through BUCKETS. */
    private static final int HEAD = 13;
    /** The largest errno the encoding carries (Linux's error range). */
    private static final long MAX_ERRNO = 4095;

    public DomainStats {
        kindFigures = Map.copyOf(kindFigures);
    }

    /**
     * Encodes {@code stats} of {@code sessions} sessions, and {@code figures} of the kind, into {@code out}; returns
     * the bytes written, or -1 if they do not fit.
     */
    static long encode(long sessions, ServerStats stats, Map<KindFigure, Long> figures, CallTable table,
                       MemorySegment out) {
        long[] head = {FORMAT, sessions, stats.callsServed(), stats.protocolErrors(), stats.workerWakeups(),
                stats.clientWakeups(), stats.inFlight(), stats.serviceTimeSumNs(), stats.bytesRead(),
                stats.bytesWritten(), stats.callsDeferred(), stats.batchSubmissions(), ServiceTimes.BUCKETS};
        long size = 8L * (head.length + ServiceTimes.BUCKETS + 2);
        for (int n = 0; n < stats.callsByNumber().length; n++) {
            if (stats.callsByNumber()[n] > 0) {
                size += 24 + pad(table.name(n).getBytes(StandardCharsets.UTF_8).length);
            }
        }
        int errnos = 0;
        for (long count : stats.errorsByErrno()) {
            if (count > 0) {
                errnos++;
            }
        }
        size += 16L * errnos + 8 + 16L * figures.size();
        if (size > out.byteSize()) {
            return -1;
        }
        long at = 0;
        for (long v : head) {
            at = put(out, at, v);
        }
        for (long v : stats.serviceTimeBuckets()) {
            at = put(out, at, v);
        }
        long kindsAt = at;
        at += 8;
        int kinds = 0;
        for (int n = 0; n < stats.callsByNumber().length; n++) {
            if (stats.callsByNumber()[n] > 0) {
                byte[] name = table.name(n).getBytes(StandardCharsets.UTF_8);
                out.set(JAVA_LONG_UNALIGNED, at, n);
                out.set(JAVA_LONG_UNALIGNED, at + 8, stats.callsByNumber()[n]);
                out.set(JAVA_LONG_UNALIGNED, at + 16, name.length);
                MemorySegment.copy(MemorySegment.ofArray(name), 0, out, at + 24, name.length);
                at += 24 + pad(name.length);
                kinds++;
            }
        }
        out.set(JAVA_LONG_UNALIGNED, kindsAt, kinds);
        at = put(out, at, errnos);
        for (int errno = 0; errno < stats.errorsByErrno().length; errno++) {
            if (stats.errorsByErrno()[errno] > 0) {
                at = put(out, at, errno);
                at = put(out, at, stats.errorsByErrno()[errno]);
            }
        }
        at = put(out, at, figures.size());
        for (Map.Entry<KindFigure, Long> f : figures.entrySet()) {
            at = put(out, at, f.getKey().code());
            at = put(out, at, f.getValue());
        }
        return at;
    }

    private static long put(MemorySegment out, long at, long value) {
        out.set(JAVA_LONG_UNALIGNED, at, value);
        return at + 8;
    }

    /**
     * Decodes what {@link #encode} wrote. Checks every length against {@code in}, so a confused or hostile peer
     * gets an {@link IllegalArgumentException}, never an out-of-bounds read; errno values outside Linux's error
     * range are refused, and those {@link Errno#name} does not know are counted as {@value #OTHER_ERRNO}.
     */
    public static DomainStats decode(MemorySegment in) {
        long[] head = new long[HEAD];
        long at = 0;
        for (int i = 0; i < head.length; i++) {
            head[i] = read(in, at);
            at += 8;
        }
        if (head[0] != FORMAT || head[HEAD - 1] != ServiceTimes.BUCKETS) {
            throw new IllegalArgumentException("stats format " + head[0] + " with " + head[HEAD - 1] + " buckets;"
                    + " this build reads format " + FORMAT + " with " + ServiceTimes.BUCKETS);
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
        long errnos = read(in, at);
        at += 8;
        Map<String, Long> byErrno = new LinkedHashMap<>();
        for (long e = 0; e < errnos; e++) {
            long errno = read(in, at);
            long count = read(in, at + 8);
            if (errno < 0 || errno > MAX_ERRNO || count < 0) {
                throw new IllegalArgumentException("stats: errno " + errno + " counted " + count + " at " + at);
            }
            byErrno.merge(errnoName((int) errno), count, Long::sum);
            at += 16;
        }
        long count = read(in, at);
        at += 8;
        if (count < 0 || count > KindFigure.values().length) {
            throw new IllegalArgumentException("stats: " + count + " kind figures at " + at);
        }
        Map<KindFigure, Long> figures = new EnumMap<>(KindFigure.class);
        for (long i = 0; i < count; i++) {
            long code = read(in, at);
            long value = read(in, at + 8);
            KindFigure figure = KindFigure.ofCode(code);
            // Unknown codes are refused rather than skipped: the control plane and its domains come from one build.
            if (figure == null || value < 0 || figures.put(figure, value) != null) {
                throw new IllegalArgumentException("stats: kind figure " + code + " = " + value + " at " + at);
            }
            at += 16;
        }
        return new DomainStats(head[1], head[2], head[3], head[4], head[5], head[6], head[7], buckets, byKind,
                byErrno, head[8], head[9], head[10], head[11], figures);
    }

    /** The label an errno is counted under: its name, or {@value #OTHER_ERRNO} (a bounded set of names). */
    static String errnoName(int errno) {
        String name = Errno.name(errno);
        return name.startsWith("E") ? name : OTHER_ERRNO;
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
