package dev.vos.cli;

/**
 * The seam for domains whose threads are not on this host: a Xen guest's JVM runs in the guest's kernel, so no
 * perf_event_open here can count it. The collector must run where the threads are: inside the guest, the domain's
 * agent runs a {@code CounterCollector} on its own JVM and publishes an interval stream
 * ({@code dev.vos.perf.remote.IntervalPublisher}; on the command line {@code vos perf stat -p PID --stream -})
 * over its channel to the control plane; {@code vos perf stat --domain NAME} then reads it as a
 * {@code StreamIntervalSource} and prints it exactly as a local collector's intervals, and the control plane serves
 * it as it serves the host's domains. What is missing is the agent inside the guest (its own issue): until it lands,
 * a Xen domain is refused with this explanation, and a recorded stream can be printed with
 * {@code vos perf stat --input FILE}.
 */
final class GuestCollector {

    private GuestCollector() {
    }

    /** Why {@code --domain NAME} cannot count a Xen guest's threads yet, in one line. */
    static String unavailable(String domain) {
        return "domain " + domain + " runs in a Xen guest (no host process): its threads can only be counted by a"
                + " collector inside the guest, publishing through the domain's agent (vos perf stat -p PID --stream -"
                + " in the guest), which is not there yet; see docs/perfctr.md, Inside a Xen guest";
    }
}
