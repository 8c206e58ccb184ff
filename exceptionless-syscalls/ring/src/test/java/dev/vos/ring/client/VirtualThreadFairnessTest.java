package dev.vos.ring.client;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.TestSegments;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Many virtual threads waiting on one ring all get to call, on one carrier, whichever thread started them. Found in
 * the storage benchmark: 64 clients started by the main thread, one carrier, clients that wait by yielding
 * (Thread.yield); in about half the runs one client yielded back and forth on the carrier while the 63 others, never
 * mounted, sat in the scheduler's other queue for the whole run, and the benchmark measured one client. The waits
 * now park one yield in {@link WaitStrategy.VirtualYield#PARK_ONE_IN}, the monitor unparks a virtual thread only
 * once it has parked, and it drains a carrier that starves a thread it unparked (docs/ring-protocol.md, section 7).
 *
 * <p>The scenario needs a scheduler of one carrier, so it runs in a child JVM ({@link Child}): five rounds of 64
 * fresh virtual threads, each round one second, each thread counting its calls. Before the fix every one of 12 runs
 * of this test failed: in some round at least one thread made no call at all.
 */
@Timeout(120)
class VirtualThreadFairnessTest {

    static final int THREADS = 64;
    static final int ROUNDS = 5;
    static final long ROUND_MS = 1_000;
    /**
     * The least-served thread of a round makes at least 1/this of the median's calls. Measured on 2026-12-05: with a
     * park one yield in 256, the least-served thread made 1/7 to 1/2 of the median on a quiet machine, and 1/457 at
     * worst with two CPU hogs beside it; with one park per millisecond across the JVM instead (tried and dropped), a
     * thread made 1 call against a median of 23,289, let in once and then starved again. Later that day the random
     * park alone failed this in CI and in 6 runs in 20, then 7 in 12 (1/6,685 to 1/75,981); with the monitor's
     * unpark-once-parked and its drain, 18 runs in a row made 1/1 to 1/4.
     */
    static final long MIN_SHARE_OF_MEDIAN = 1_000;

    @Test
    void sixtyFourVirtualThreadsOnOneCarrier_eachCalls_inEveryRound_busyPolling() throws Exception {
        assertEveryThreadCalled("busy");
    }

    @Test
    void sixtyFourVirtualThreadsOnOneCarrier_eachCalls_inEveryRound_spinningThenParking() throws Exception {
        assertEveryThreadCalled("spin");
    }

    /**
     * A quarter of each round's threads is started 50 ms after the rest, while those call: the main thread's starts
     * then wait in its own queue while the carrier runs the yield queue of callers whose calls never outlast their
     * spin (a round trip well under a microsecond here). Before the monitor's periodic drain, on such a host, the
     * late threads made no call in most rounds (CI, 2026-12-07, once without the delay: 14 of 64).
     */
    @Test
    void virtualThreadsStartedWhileOthersCall_eachCalls_inEveryRound() throws Exception {
        assertEveryThreadCalled("spin", "late");
    }

    private static void assertEveryThreadCalled(String... childArgs) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx128m",
                "-XX:-UsePerfData", "-Djdk.virtualThreadScheduler.parallelism=1",
                "-Djdk.virtualThreadScheduler.maxPoolSize=1", "-cp", System.getProperty("java.class.path"),
                Child.class.getName()));
        command.addAll(List.of(childArgs));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(child.waitFor(90, TimeUnit.SECONDS), "the child ends");
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), out);
        List<String> rounds = out.lines().filter(l -> l.startsWith("round")).toList();
        assertEquals(ROUNDS, rounds.size(), out);
        for (String round : rounds) {
            // "round R min MIN median MED max MAX": the thread that called least made a share of the calls, not one
            // or two: a park that comes too seldom lets a thread in once and then starves it again
            String[] f = round.split(" ");
            long min = Long.parseLong(f[3]);
            long median = Long.parseLong(f[5]);
            assertTrue(min > 0 && min * MIN_SHARE_OF_MEDIAN >= median,
                    "a virtual thread called less than 1/" + MIN_SHARE_OF_MEDIAN + " of the median in " + round
                            + "\n" + out);
        }
    }

    /** The child JVM: one carrier, an in-process server, 64 virtual threads started by the main thread. */
    public static final class Child {
        private Child() {
        }

        public static void main(String[] args) throws Exception {
            WaitStrategy wait = args[0].equals("busy") ? WaitStrategy.busyPoll() : WaitStrategy.standard();
            boolean late = args.length > 1 && args[1].equals("late");
            RingGeometry geometry = new RingGeometry(THREADS * 2, 4096, 5_000_000_000L);
            try (RingClient client = RingClient.create(TestSegments.fresh("fair-vt"), geometry, 1, wait)) {
                RingServer server = RingServer.attach(client.file(), CoreCallHandlers.table(), ServerOptions.DEFAULT);
                client.awaitServer(Duration.ofSeconds(5));
                for (int r = 0; r < ROUNDS; r++) {
                    System.out.println(round(client, r, late));
                }
                System.out.println("carrier drains " + client.carrierDrains());
                client.close();
                server.awaitTermination();
            }
        }

        private static String round(RingClient client, int r, boolean late) throws InterruptedException {
            AtomicLongArray calls = new AtomicLongArray(THREADS);
            long end = System.nanoTime() + ROUND_MS * 1_000_000;
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int me = t;
                if (late && t == THREADS * 3 / 4) {
                    Thread.sleep(50); // the others are calling now
                }
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        while (System.nanoTime() < end) {
                            client.call(CoreCalls.NOP);
                            calls.incrementAndGet(me);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            long[] sorted = new long[THREADS];
            for (int t = 0; t < THREADS; t++) {
                sorted[t] = calls.get(t);
            }
            Arrays.sort(sorted);
            return "round " + r + " min " + sorted[0] + " median " + sorted[THREADS / 2] + " max "
                    + sorted[THREADS - 1] + " all " + Arrays.toString(sorted);
        }
    }
}
