package dev.vos.ring.transport;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingFailure;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What every transport must give the ring, run against each one: a subclass says how to start a client here and a
 * server in a child JVM over its transport ({@code ProcessTransportConformanceTest}: a sealed memfd... a segment file
 * and futex words; {@code XenTransportConformanceIT}: grants, an event channel and xenstore, in the Xen lab's dom0).
 * The ring's client and server are the same code on both: only the segment, doorbell and peer watch differ.
 */
@Timeout(300)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class TransportConformance {

    /** Liveness timeout of these rings: short, so that a death is judged within seconds. */
    public static final long LIVENESS_NS = 300_000_000L;
    /** 16 slots of 16 KiB: 65 pages, far inside gntalloc's default 1,024, the same on both transports. */
    public static final RingGeometry GEOMETRY = new RingGeometry(16, 16 << 10, LIVENESS_NS);

    /** A client in this JVM and its server in a child JVM, over one transport. */
    public interface RingPair extends AutoCloseable {
        RingClient client();

        /** The server's process (in this domain). */
        long serverPid();

        /** SIGKILL to the server's process. */
        void killServer();

        @Override
        void close() throws Exception;
    }

    /** The geometry of this transport's rings: {@link #GEOMETRY} unless the transport's test needs another. */
    protected RingGeometry geometry() {
        return GEOMETRY;
    }

    /** Starts a pair over the transport under test, the server attached and serving. */
    protected abstract RingPair start(String label, WaitStrategy wait) throws Exception;

    /**
     * The pair the tests that leave it healthy share (a child JVM takes a minute to start under the Xen lab's
     * emulation); the death test starts its own.
     */
    private RingPair shared;

    private RingPair shared() throws Exception {
        if (shared == null) {
            shared = start("shared", WaitStrategy.spinThenPark(Duration.ofNanos(20_000)));
        }
        return shared;
    }

    @AfterAll
    void closeShared() throws Exception {
        if (shared != null) {
            shared.close();
        }
    }

    @Test
    void nullCall_roundTripsThroughTheServersProcess() throws Exception {
        RingPair pair = shared();
        assertEquals(0, pair.client().call(CoreCalls.NOP));
        for (int i = 0; i < 1_000; i++) {
            assertEquals(pair.serverPid(), pair.client().call(CoreCalls.GETPID));
        }
        assertFalse(pair.client().hasFailed());
    }

    @Test
    void dataTransfer_bothWaysThroughTheSlotsPayload() throws Exception {
        try (CallSlot slot = shared().client().acquire()) {
            MemorySegment data = slot.data();
            int length = (int) Math.min(data.byteSize(), geometry().dataBytesPerSlot());
            for (int round = 0; round < 8; round++) {
                for (int b = 0; b < length; b++) {
                    data.set(ValueLayout.JAVA_BYTE, b, (byte) (b * 31 + round));
                }
                CRC32C crc = new CRC32C();
                crc.update(data.asSlice(0, length).asByteBuffer());
                assertEquals(crc.getValue(), slot.call(CoreCalls.CHECKSUM, slot.dataOffset(), length, 0),
                        "the server read what this side wrote");
                assertEquals(length, slot.call(CoreCalls.FILL, slot.dataOffset(), length, 0x40 + round));
                for (int b = 0; b < length; b += 997) {
                    assertEquals((byte) (0x40 + round), data.get(ValueLayout.JAVA_BYTE, b), "byte " + b);
                }
            }
        }
    }

    /**
     * Both sides asleep (the server's worker after its idle spin, the client's monitor with nothing to watch): a
     * call must wake the worker through the doorbell (the client counts its rings) and its completion must wake
     * the client.
     */
    @Test
    void wakeUp_afterBothSidesSlept() throws Exception {
        RingPair pair = shared();
        RingClient client = pair.client();
        assertEquals(pair.serverPid(), client.call(CoreCalls.GETPID));
        int rang = 0;
        for (int round = 0; round < 5; round++) {
            long rings = client.workerWakeups();
            Thread.sleep(300); // the worker sleeps after 200 us of empty polls; the monitor parks with nothing to watch
            assertEquals(pair.serverPid(), client.call(CoreCalls.GETPID));
            rang += client.workerWakeups() > rings ? 1 : 0;
        }
        // A sleeping worker wakes every 100 ms to see whether its server still runs and spins its idle 200 us
        // again: a call can find it awake and need no ring (under the lab's emulation, in one round of five). Every
        // call completed; at least one must have been a sleeping worker rung through the doorbell.
        assertTrue(rang >= 1, "no call of 5 rang a sleeping worker");
    }

    /** SIGKILL to the server: the client sees a death (not a hang), and every later call fails with it. */
    @Test
    void peerDeath_isSeenByTheClientAsADeath() throws Exception {
        try (RingPair pair = start("death", WaitStrategy.spinThenPark(Duration.ofNanos(20_000)))) {
            RingClient client = pair.client();
            assertEquals(pair.serverPid(), client.call(CoreCalls.GETPID));
            pair.killServer();
            RingFailure failure = client.whenFailed().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertInstanceOf(RingFailure.Died.class, failure, failure.describe());
            DomainFailedException e = assertThrows(DomainFailedException.class, () -> client.call(CoreCalls.NOP));
            assertEquals(failure, e.failure().orElseThrow());
        }
    }

    /** Sends SIGKILL to {@code pid}. */
    protected static void kill(long pid) {
        Linux.kill(pid, Linux.SIGKILL);
    }
}
