package dev.vos.ring.server;

/**
 * A server's figures at one moment, summed over its workers (read without stopping them: each figure is exact for
 * some recent instant, and they only grow). All of them come from memory only the server writes.
 *
 * @param callsServed        calls completed
 * @param protocolErrors     queue entries and slots refused as malformed
 * @param workerWakeups      worker sleeps that a futex wake ended (counted by the workers themselves: the header
 *                           counter of that name is the client's, and a client can write anything there)
 * @param clientWakeups      futex wakes workers sent to the client's sleeping monitor
 * @param inFlight           calls queued or being executed right now
 * @param callsByNumber      calls completed per call number (index = call number)
 * @param serviceTimeBuckets sampled service times per {@link ServiceTimes} bucket (not cumulative)
 * @param serviceTimeSumNs   sum of the sampled service times
 * @param errorsByErrno      calls answered {@code -errno}, per errno value (index = errno, up to 133; index 0 takes
 *                           a result in the error range beyond that)
 * @param bytesRead          the sum of the positive results of calls the table marks {@link CallTable.Transfer#READ}
 * @param bytesWritten       the same for {@link CallTable.Transfer#WRITE}
 * @param callsDeferred      calls their handlers deferred (batched, or answered later by an event)
 * @param batchSubmissions   system calls that submitted batched calls to the kernel ({@link CallBatcher#submissions})
 */
public record ServerStats(long callsServed, long protocolErrors, long workerWakeups, long clientWakeups, long inFlight,
                          long[] callsByNumber, long[] serviceTimeBuckets, long serviceTimeSumNs, long[] errorsByErrno,
                          long bytesRead, long bytesWritten, long callsDeferred, long batchSubmissions) {

    /** No calls at all, for a table of {@code size} call numbers. */
    public static ServerStats empty(int size) {
        return new ServerStats(0, 0, 0, 0, 0, new long[size], new long[ServiceTimes.BUCKETS], 0,
                new long[ResultCounter.ERRNO_SLOTS], 0, 0, 0, 0);
    }

    /** The sum of two servers' figures (an agent serves one segment per client). */
    public ServerStats plus(ServerStats o) {
        long[] buckets = new long[ServiceTimes.BUCKETS];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = serviceTimeBuckets[i] + o.serviceTimeBuckets[i];
        }
        return new ServerStats(callsServed + o.callsServed, protocolErrors + o.protocolErrors,
                workerWakeups + o.workerWakeups, clientWakeups + o.clientWakeups, inFlight + o.inFlight,
                sum(callsByNumber, o.callsByNumber), buckets, serviceTimeSumNs + o.serviceTimeSumNs,
                sum(errorsByErrno, o.errorsByErrno), bytesRead + o.bytesRead, bytesWritten + o.bytesWritten,
                callsDeferred + o.callsDeferred, batchSubmissions + o.batchSubmissions);
    }

    /** The same figures with {@code inFlight} as given (it is read from the slots, not summed from workers). */
    ServerStats withInFlight(long calls) {
        return new ServerStats(callsServed, protocolErrors, workerWakeups, clientWakeups, calls, callsByNumber,
                serviceTimeBuckets, serviceTimeSumNs, errorsByErrno, bytesRead, bytesWritten, callsDeferred,
                batchSubmissions);
    }

    private static long[] sum(long[] a, long[] b) {
        long[] out = new long[Math.max(a.length, b.length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (i < a.length ? a[i] : 0) + (i < b.length ? b[i] : 0);
        }
        return out;
    }
}
