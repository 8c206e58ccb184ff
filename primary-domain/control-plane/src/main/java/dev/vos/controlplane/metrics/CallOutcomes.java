package dev.vos.controlplane.metrics;

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
 */
public record CallOutcomes(Map<String, Long> errorsByErrno, long bytesRead, long bytesWritten, long callsDeferred,
                           long batchSubmissions) {

    /** A domain that reports none of these. */
    public static final CallOutcomes NONE = new CallOutcomes(Map.of(), 0, 0, 0, 0);

    public CallOutcomes {
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

    /** Errors answered {@code errno} (its name), 0 if none were. */
    public long errors(String errno) {
        return errorsByErrno.getOrDefault(errno, 0L);
    }
}
