package dev.vos.ring.server;

/**
 * A server's figures at one moment, summed over its workers (read without stopping them: each figure is exact for
 * some recent instant, and they only grow).
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
 */
public record ServerStats(long callsServed, long protocolErrors, long workerWakeups, long clientWakeups, long inFlight,
                          long[] callsByNumber, long[] serviceTimeBuckets, long serviceTimeSumNs) {

    /** No calls at all, for a table of {@code size} call numbers. */
    public static ServerStats empty(int size) {
        return new ServerStats(0, 0, 0, 0, 0, new long[size], new long[ServiceTimes.BUCKETS], 0);
    }

    /** The sum of two servers' figures (an agent serves one segment per client). */
    public ServerStats plus(ServerStats o) {
        long[] calls = new long[Math.max(callsByNumber.length, o.callsByNumber.length)];
        for (int i = 0; i < calls.length; i++) {
            calls[i] = (i < callsByNumber.length ? callsByNumber[i] : 0)
                    + (i < o.callsByNumber.length ? o.callsByNumber[i] : 0);
        }
        long[] buckets = new long[ServiceTimes.BUCKETS];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = serviceTimeBuckets[i] + o.serviceTimeBuckets[i];
        }
        return new ServerStats(callsServed + o.callsServed, protocolErrors + o.protocolErrors,
                workerWakeups + o.workerWakeups, clientWakeups + o.clientWakeups, inFlight + o.inFlight, calls, buckets,
                serviceTimeSumNs + o.serviceTimeSumNs);
    }
}
