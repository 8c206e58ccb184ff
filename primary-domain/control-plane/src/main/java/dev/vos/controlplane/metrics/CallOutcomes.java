package dev.vos.controlplane.metrics;

import dev.vos.ring.server.KindFigure;

import java.util.Map;

/**
 * What a domain's calls answered, as of one moment, cumulative since its current generation started (so they drop
 * to zero on a restart, as the other ring figures do): the domain's own counts, from memory only its server writes.
 *
 * @param errorsByErrno    calls answered with an error, by errno name ({@code "ENOENT"}); a bounded set of names
 *                         (those vos names, and {@code "other"}), only those with calls
 * @param bytesRead        bytes the domain's calls read for its clients (a storage domain's preads)
 * @param bytesWritten     bytes they wrote (pwrites and appends)
 * @param callsDeferred    calls answered after their handler returned: batched through io_uring, or event-driven
 * @param batchSubmissions system calls that handed batched calls to the kernel ({@code io_uring_enter})
 * @param kindFigures      the domain kind's own figures (a net domain's open sockets, accepted and refused
 *                         connections): a closed list of names, so a domain cannot add series of its choosing
 */
public record CallOutcomes(Map<String, Long> errorsByErrno, long bytesRead, long bytesWritten, long callsDeferred,
                           long batchSubmissions, Map<KindFigure, Long> kindFigures) {

    /** A domain that reports none of these. */
    public static final CallOutcomes NONE = new CallOutcomes(Map.of(), 0, 0, 0, 0);

    /** Outcomes of a domain kind that keeps no figures of its own. */
    public CallOutcomes(Map<String, Long> errorsByErrno, long bytesRead, long bytesWritten, long callsDeferred,
                        long batchSubmissions) {
        this(errorsByErrno, bytesRead, bytesWritten, callsDeferred, batchSubmissions, Map.of());
    }

    public CallOutcomes {
        kindFigures = Map.copyOf(kindFigures);
        kindFigures.forEach((figure, value) -> {
            if (figure.type() == KindFigure.Type.COUNTER && value < 0) {
                throw new IllegalArgumentException("kind figure " + figure + " is a counter, got " + value);
            }
        });
        errorsByErrno = Map.copyOf(errorsByErrno);
        errorsByErrno.forEach((errno, calls) -> {
            if (errno.isEmpty() || calls < 0) {
                throw new IllegalArgumentException("errorsByErrno has " + errno + "=" + calls);
            }
        });
        for (long v : new long[] {bytesRead, bytesWritten, callsDeferred, batchSubmissions}) {
            if (v < 0) {
                throw new IllegalArgumentException("call outcomes must be >= 0: " + bytesRead + ", " + bytesWritten
                        + ", " + callsDeferred + ", " + batchSubmissions);
            }
        }
    }

    /** The kind's {@code figure} now, 0 if the domain does not report it (any more). */
    public long figure(KindFigure figure) {
        return kindFigures.getOrDefault(figure, 0L);
    }

    /** Errors answered {@code errno} (its name), 0 if none were. */
    public long errors(String errno) {
        return errorsByErrno.getOrDefault(errno, 0L);
    }
}
