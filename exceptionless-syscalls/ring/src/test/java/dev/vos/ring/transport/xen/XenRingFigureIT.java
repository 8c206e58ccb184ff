package dev.vos.ring.transport.xen;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.TestSegments;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.server.RingServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The lab's figure of the Xen transport: the null call's round trip (GETPID) over the Xen transport against the
 * process transport, both in the same dom0 at the same time of the same run, client here and server in a child JVM,
 * one worker each. Two ways: hot (the client busy-polls, calls back to back, so the worker never sleeps: the ring's
 * shared memory alone) and woken (2 ms between calls, so the worker sleeps and every call rings it through the
 * doorbell: a futex wake, or an event-channel notification and a poll's return). Written to
 * {@code $VOS_XEN_LAB_OUT/ring-figures.txt} for the lab's report. A harness, not a timed test: it asserts only
 * that every call returned the server's pid.
 */
@EnabledIf("dev.vos.ring.transport.xen.XenTransportConformanceIT#xen")
@Timeout(600)
class XenRingFigureIT {

    private static final int HOT_CALLS = 2_000;
    private static final int HOT_BATCHES = 5;
    private static final int WOKEN_CALLS = 200;

    @Test
    void nullCallRoundTrip_xenAgainstProcess() throws Exception {
        double[] process;
        double[] xen;
        Path file = TestSegments.fresh("figure");
        try (RingClient client = RingClient.create(file, XenTransportConformanceIT.LAB_GEOMETRY, 1,
                WaitStrategy.busyPoll());
             RingServerProcess server = RingServerProcess.start(file, Duration.ofSeconds(120))) {
            client.awaitServer(Duration.ofSeconds(30));
            try {
                process = measure(client, server.pid());
            } catch (DomainFailedException e) {
                // Once in CI (2026-12-07) the process half failed at its first call as "the domain process died":
                // say whether it had, so that the next failure tells a dead server from a wrong verdict on a live one.
                Process p = server.process();
                throw new AssertionError(e.getMessage() + "; the server process (pid " + p.pid() + ") "
                        + (p.isAlive() ? "still runs: the verdict was wrong" : "exited with " + p.exitValue()), e);
            }
        }
        try (var pair = XenTransportConformanceIT.startXen("figure", WaitStrategy.busyPoll())) {
            xen = measure(pair.client(), pair.serverPid());
        }
        String lines = String.format(Locale.ROOT, "hot (busy-poll, back to back)\t%.1f\t%.1f\t%.2f%n"
                        + "woken (2 ms apart: the worker is rung each call)\t%.1f\t%.1f\t%.2f%n",
                process[0], xen[0], xen[0] / process[0], process[1], xen[1], xen[1] / process[1]);
        System.out.print("null-call round trip, us (process, xen, ratio):\n" + lines);
        String out = System.getenv("VOS_XEN_LAB_OUT");
        if (out != null) {
            Files.writeString(Path.of(out, "ring-figures.txt"), lines);
        }
    }

    /** {hot median of batch means, woken median}, in microseconds. */
    private static double[] measure(RingClient client, long pid) throws Exception {
        for (int i = 0; i < HOT_CALLS; i++) {
            assertEquals(pid, client.call(CoreCalls.GETPID));
        }
        double[] batches = new double[HOT_BATCHES];
        for (int b = 0; b < HOT_BATCHES; b++) {
            long start = System.nanoTime();
            for (int i = 0; i < HOT_CALLS; i++) {
                assertEquals(pid, client.call(CoreCalls.GETPID));
            }
            batches[b] = (System.nanoTime() - start) / 1e3 / HOT_CALLS;
        }
        double[] woken = new double[WOKEN_CALLS];
        for (int i = 0; i < WOKEN_CALLS; i++) {
            Thread.sleep(2);
            long start = System.nanoTime();
            assertEquals(pid, client.call(CoreCalls.GETPID));
            woken[i] = (System.nanoTime() - start) / 1e3;
        }
        return new double[]{median(batches), median(woken)};
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
