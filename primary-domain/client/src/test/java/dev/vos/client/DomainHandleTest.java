package dev.vos.client;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.RingFailure;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A handle is good on a slot of the session that issued it and lost on any other, before a call is made: another
 * generation (the domain restarted) or another session of the same generation (the client re-attached after its
 * ring failed). The message says which, and what to do. In-process rings stand for the sessions (the end-to-end
 * cases: a real restart in the cli module's ControlPlaneEndToEndTest, a real re-attach in StaleSessionTest).
 */
@Timeout(30)
class DomainHandleTest {

    private record Generation(RingClient client, RingServer server) implements AutoCloseable {
        private static final AtomicInteger SESSIONS = new AtomicInteger();

        static Generation start(long generation) throws Exception {
            Path file = Path.of("/dev/shm", "vos-test-" + ProcessHandle.current().pid() + "-handle-" + generation
                    + "-" + SESSIONS.incrementAndGet());
            Files.deleteIfExists(file);
            RingClient client = RingClient.create(file, RingGeometry.DEFAULT, generation, WaitStrategy.sleeping());
            RingServer server = RingServer.attach(file, CoreCallHandlers.table(), ServerOptions.DEFAULT);
            client.awaitServer(Duration.ofSeconds(5));
            return new Generation(client, server);
        }

        @Override
        public void close() throws Exception {
            client.close();
            server.awaitTermination();
        }
    }

    @Test
    void valueFor_onTheIssuingSession_isTheValue_onAnotherItIsLost_andSaysSo() throws Exception {
        try (Generation one = Generation.start(1); Generation two = Generation.start(2)) {
            DomainHandle fd;
            try (CallSlot slot = one.client().acquire()) {
                fd = DomainHandle.issuedBy(slot, DomainHandle.Kind.FILE, "storage0", 3);
                assertTrue(fd.isLiveOn(slot));
                assertEquals(3, fd.valueFor(slot));
            }
            try (CallSlot slot = two.client().acquire()) {
                assertFalse(fd.isLiveOn(slot));
                DescriptorLostException e = assertThrows(DescriptorLostException.class, () -> fd.valueFor(slot));
                assertEquals("storage domain storage0 restarted (generation 1 -> 2): this channel's descriptor ended"
                        + " with generation 1; open the file again", e.getMessage());
                assertSame(fd, e.handle());
                assertEquals(0, slot.call(CoreCalls.NOP), "the slot is still good for what is live on it");
            }
        }
    }

    @Test
    void valueFor_onAnotherSessionOfTheSameGeneration_isLost_andSaysItWasReattached() throws Exception {
        try (Generation first = Generation.start(7); Generation second = Generation.start(7)) {
            DomainHandle fd;
            try (CallSlot slot = first.client().acquire()) {
                fd = DomainHandle.issuedBy(slot, DomainHandle.Kind.FILE, "storage0", 3);
            }
            first.client().fail(new RingFailure.Hung(1_500_000_000L, 1_000_000_000L));
            try (CallSlot slot = second.client().acquire()) {
                assertFalse(fd.isLiveOn(slot), "same generation, another session");
                DescriptorLostException e = assertThrows(DescriptorLostException.class, () -> fd.valueFor(slot));
                assertEquals("storage domain storage0 was re-attached (a new session of the same generation 7, after"
                        + " the old session's ring failed: the domain is hung: no heartbeat for 1500.0 ms (liveness"
                        + " timeout 1000.0 ms); its process could not be looked at (no other evidence)): this"
                        + " channel's descriptor ended with the old session; open the file again", e.getMessage());
            }
        }
    }
}
