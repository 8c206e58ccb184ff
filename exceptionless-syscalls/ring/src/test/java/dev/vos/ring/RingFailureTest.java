package dev.vos.ring;

import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The failure a ring reports is typed, with the text people read kept as it was. */
class RingFailureTest {

    @Test
    void describe_saysWhatHappened_inTheWordsTheMessagesAlwaysUsed() {
        assertEquals("the domain process exited with status 137", RingFailure.Died.exited(137).describe());
        assertEquals("the domain process was killed by signal 9", RingFailure.Died.killedBy(9).describe());
        assertEquals("the domain process died", RingFailure.Died.unknown().describe());
        assertEquals("the domain is hung: no heartbeat for 512.3 ms (liveness timeout 500.0 ms); its process could not"
                + " be looked at (no other evidence)", new RingFailure.Hung(512_345_678L, 500_000_000L).describe());
        assertEquals("the domain is hung: no heartbeat for 612.0 ms (liveness timeout 500.0 ms); its process is"
                + " stopped (state T)", new RingFailure.Hung(612_000_000L, 500_000_000L,
                new HangEvidence.ProcessStopped('T')).describe());
        assertEquals("the domain is hung: no heartbeat for 650.0 ms (liveness timeout 500.0 ms); none of its 23"
                + " threads is runnable (1 in I/O wait) and its heartbeat thread neither ran nor waited for a CPU for"
                + " 100.0 ms", new RingFailure.Hung(650_000_000L, 500_000_000L,
                new HangEvidence.NoProgress(23, 1, 100_000_000L, true)).describe());
        assertEquals("the domain is hung: no heartbeat for 650.0 ms (liveness timeout 500.0 ms); none of its 23"
                + " threads is runnable (0 in I/O wait) and it used no CPU for 100.0 ms", new RingFailure.Hung(
                650_000_000L, 500_000_000L, new HangEvidence.NoProgress(23, 0, 100_000_000L, false)).describe());
        assertEquals("the domain is hung: no heartbeat for 5012.0 ms (liveness timeout 500.0 ms); its process is busy"
                + " (2 threads runnable) but its heartbeat is older than the cap of 5000.0 ms", new RingFailure.Hung(
                5_012_000_000L, 500_000_000L, new HangEvidence.BusyPastCap(2, 5_000_000_000L)).describe());
        assertEquals("the domain is hung: worker 0 has been inside call 63 for 612.0 ms without progress (liveness"
                + " timeout 500.0 ms)", new RingFailure.Hung(20_000_000L, 500_000_000L,
                new HangEvidence.WorkerStuck(0, 63, 612_000_000L)).describe());
        assertEquals("the domain stopped serving the ring", new RingFailure.Stopped().describe());
        assertEquals("the domain's agent closed the session (its process exited or stopped serving)",
                new RingFailure.LifelineClosed().describe());
        assertEquals("the session with the domain's agent broke: Connection reset",
                new RingFailure.LifelineBroken("Connection reset").describe());
        assertEquals("the client closed the ring", new RingFailure.ClientClosed().describe());
    }

    @Test
    void died_isEitherAnExitOrASignal_neverBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RingFailure.Died(OptionalInt.of(1), OptionalInt.of(9)));
        assertTrue(e.getMessage().contains("not both"), e.getMessage());
    }

    @Test
    void fail_firstFailureWins_andEveryCallAndEveryOwnerSeesTheSameTypedFailure() throws Exception {
        try (RingClient client = RingClient.create(TestSegments.fresh("typed"), RingGeometry.DEFAULT, 4,
                WaitStrategy.busyPoll());
             RingServer server = RingServer.attach(client.file(), CoreCallHandlers.table(), ServerOptions.DEFAULT)) {
            client.awaitServer(Duration.ofSeconds(5));
            assertNull(client.failureReason());
            RingFailure died = RingFailure.Died.killedBy(9);
            client.fail(died);
            client.fail(new RingFailure.Hung(1, 1)); // too late: the first reason stays
            assertEquals(died, client.failureReason());
            assertEquals(died, client.whenFailed().toCompletableFuture().get(1, TimeUnit.SECONDS));
            DomainFailedException e = assertThrows(DomainFailedException.class, () -> client.call(CoreCalls.NOP));
            assertEquals(died, e.failure().orElseThrow());
            assertEquals(4, e.generation());
            assertTrue(e.getMessage().endsWith("failed: the domain process was killed by signal 9"), e.getMessage());
        }
    }

    @Test
    void close_failsTheRingAsClosedByTheClient() throws Exception {
        RingClient client = RingClient.create(TestSegments.fresh("closed"), RingGeometry.DEFAULT, 1,
                WaitStrategy.busyPoll());
        client.close();
        assertEquals(new RingFailure.ClientClosed(), client.whenFailed().toCompletableFuture().get(1,
                TimeUnit.SECONDS));
    }
}
