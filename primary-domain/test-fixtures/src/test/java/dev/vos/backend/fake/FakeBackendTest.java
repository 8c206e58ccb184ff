package dev.vos.backend.fake;

import dev.vos.backend.AgentRoute;
import dev.vos.backend.DomainBackend.BackendException;
import dev.vos.backend.DomainExit;
import dev.vos.backend.DomainLaunch;
import dev.vos.backend.RunningDomain;
import dev.vos.backend.Signals;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The fake does what its Javadoc says: a fixture that lied would make every test built on it lie. */
class FakeBackendTest {

    private static DomainLaunch launch(long generation, Duration startTimeout) {
        return new DomainLaunch("fake0", "storage", generation, Path.of("/nonexistent/fake0"),
                Path.of("/nonexistent/fake0/agent.sock"), 128, List.of(), Set.of(), Map.of(), startTimeout,
                Duration.ofMillis(500), OptionalInt.empty(), List.of(), Map.of());
    }

    @Test
    void start_succeedsUnlessScripted_andEveryLaunchIsRecorded() throws Exception {
        FakeBackend backend = new FakeBackend().script(new FakeBackend.Fail("no agent binary"));

        BackendException e = assertThrows(BackendException.class,
                () -> backend.start(launch(1, Duration.ofSeconds(1))));
        assertEquals("no agent binary", e.getMessage());
        RunningDomain g2 = backend.start(launch(2, Duration.ofSeconds(1)));

        assertSame(g2, backend.awaitGeneration(2, Duration.ofSeconds(1)));
        assertFalse(backend.hasStarted(1));
        assertEquals(List.of(1L, 2L), backend.launches().stream().map(DomainLaunch::generation).toList());
        assertTrue(g2.isAlive());
        assertInstanceOf(AgentRoute.None.class, g2.agent(), "the supervisor must rely on its exits");
        assertEquals(-1, g2.pid());
        assertEquals("fake g2", g2.describe());
    }

    @Test
    void hang_blocksForTheLaunchsStartTimeout_thenFails() {
        FakeBackend backend = new FakeBackend().script(new FakeBackend.Hang());
        long t0 = System.nanoTime();
        BackendException e = assertThrows(BackendException.class,
                () -> backend.start(launch(1, Duration.ofMillis(150))));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("domain fake0 did not start within 150 ms", e.getMessage());
        assertTrue(ms >= 150, "gave up after " + ms + " ms");
    }

    @Test
    void domain_endsAsTheTestSays_once() throws Exception {
        FakeDomain d = (FakeDomain) new FakeBackend().start(launch(1, Duration.ofSeconds(1)));
        d.killBy(Signals.SIGSEGV);
        assertEquals(new DomainExit(128 + Signals.SIGSEGV), d.exit().toCompletableFuture().getNow(null));
        assertEquals("killed by SIGSEGV", d.exit().toCompletableFuture().join().describe());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.exit(0));
        assertEquals("fake g1 has already ended: killed by SIGSEGV", e.getMessage());
    }

    @Test
    void signals_areRecorded_andOnlyKillEndsIt() throws Exception {
        FakeDomain d = (FakeDomain) new FakeBackend().start(launch(1, Duration.ofSeconds(1)));
        d.signal(Signals.SIGSTOP);
        assertTrue(d.isAlive());
        d.signal(Signals.SIGKILL);
        assertFalse(d.isAlive());
        assertEquals(List.of(Signals.SIGSTOP, Signals.SIGKILL), d.signals());
        assertEquals(128 + Signals.SIGKILL, d.exit().toCompletableFuture().join().status());
    }

    @Test
    void stop_withAGrace_endsCleanly_withNone_kills_andIgnoredIsKilledAfterTheGrace() throws Exception {
        FakeBackend backend = new FakeBackend();
        FakeDomain polite = (FakeDomain) backend.start(launch(1, Duration.ofSeconds(1)));
        polite.stop(Duration.ofSeconds(5));
        assertEquals(0, polite.exit().toCompletableFuture().join().status());

        FakeDomain brutal = (FakeDomain) backend.start(launch(2, Duration.ofSeconds(1)));
        brutal.stop(Duration.ZERO);
        assertEquals(128 + Signals.SIGKILL, brutal.exit().toCompletableFuture().join().status());

        FakeDomain stubborn = ((FakeDomain) backend.start(launch(3, Duration.ofSeconds(1)))).ignoreStop();
        long t0 = System.nanoTime();
        stubborn.stop(Duration.ofMillis(100));
        assertTrue((System.nanoTime() - t0) / 1_000_000 >= 100, "killed before the grace was over");
        assertEquals(128 + Signals.SIGKILL, stubborn.exit().toCompletableFuture().join().status());
        assertEquals(List.of(Duration.ofMillis(100)), stubborn.stops());
    }

    @Test
    void failStop_throws_andLeavesItRunning() throws Exception {
        FakeDomain d = ((FakeDomain) new FakeBackend().start(launch(1, Duration.ofSeconds(1)))).failStop("EPERM");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.stop(Duration.ofSeconds(1)));
        assertEquals("EPERM", e.getMessage());
        assertTrue(d.isAlive());
    }
}
