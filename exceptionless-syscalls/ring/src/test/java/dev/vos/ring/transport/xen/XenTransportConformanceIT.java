package dev.vos.ring.transport.xen;

import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.transport.TransportConformance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link TransportConformance} over the Xen transport, in the Xen lab's dom0: this JVM is the client, granting the
 * segment's pages to domain 0 (itself) on gntalloc; a child JVM ({@link XenServerMain}) is the server, mapping them on
 * gntdev; the event channel is an interdomain channel of dom0 with itself; the rendezvous is xenstore. Closing a pair
 * also checks that the server stopped by itself once its client left. Named
 * {@code *IT}: {@code ./mvnw verify} never runs it, and it is skipped where {@code /dev/xen/gntalloc} does not exist.
 */
@EnabledIf("xen")
class XenTransportConformanceIT extends TransportConformance {

    /** dom0 grants to itself: Xen 4.17 maps a domain's own grants and binds a channel of a domain with itself. */
    static final int DOM0 = 0;
    /**
     * The server's domain is this test's own, so it runs: a stale heartbeat is a busy server (a JVM starting under
     * emulation on a loaded host) up to the cap, as the process transport's {@code /proc} look would judge it.
     */
    static final PeerDomain DOM0_RUNS = () -> PeerDomain.State.RUNNING;
    /**
     * The lab's rings: {@link TransportConformance#GEOMETRY} with a 2 s liveness timeout. Under QEMU's emulation a
     * child JVM's heartbeat thread misses 300 ms; a death is seen by the liveness byte whatever the timeout.
     */
    static final RingGeometry LAB_GEOMETRY = GEOMETRY.withLivenessTimeout(Duration.ofSeconds(2));

    static boolean xen() {
        return Files.exists(Path.of("/dev/xen/gntalloc")) && Files.exists(Path.of("/dev/xen/gntdev"))
                && Files.exists(Path.of("/dev/xen/evtchn"));
    }

    @Override
    protected RingGeometry geometry() {
        return LAB_GEOMETRY;
    }

    @Override
    protected RingPair start(String label, WaitStrategy wait) throws Exception {
        return startXen(label, wait);
    }

    static RingPair startXen(String label, WaitStrategy wait, String... serverArgs) throws Exception {
        XenStore store = XenStore.open();
        String path = XenRendezvous.path(DOM0, "lab-" + label + "-" + ProcessHandle.current().pid(), 1);
        RingClient client;
        try {
            client = RingClient.create(XenRendezvous.offer(store, path, DOM0, DOM0, DOM0_RUNS), LAB_GEOMETRY, 1,
                    wait);
        } catch (Exception e) {
            store.close();
            throw e;
        }
        XenServerProcess server;
        try {
            server = XenServerProcess.start(path, 120_000, serverArgs);
            client.awaitServer(Duration.ofSeconds(30));
            assertEquals("attached", store.read(path + "/" + XenRendezvous.STATE).orElseThrow());
        } catch (Exception e) {
            client.close();
            store.close();
            throw e;
        }
        return new RingPair() {
            @Override
            public RingClient client() {
                return client;
            }

            @Override
            public long serverPid() {
                return server.pid();
            }

            @Override
            public void killServer() {
                kill(server.pid());
            }

            /**
             * Closes the client, then checks that the server stopped by itself (it saw its client leave, or its
             * client's grant go: {@link XenServerMain}) before it is killed anyway.
             */
            @Override
            public void close() throws Exception {
                try {
                    client.close();
                    boolean stopped = server.process().waitFor(60, TimeUnit.SECONDS);
                    server.close();
                    store.rm(path);
                    assertTrue(stopped, "the server did not stop within 60 s of its client leaving");
                } finally {
                    store.close();
                }
            }
        };
    }

    /** Asking for more pages than gntalloc allows fails with one line that names the limit and the way out. */
    @Test
    void pastTheGrantLimit_oneClearLine() throws Exception {
        int limit = Integer.parseInt(GrantLimitException.currentLimit());
        long bytes = (long) (limit + 1) * GrantSegment.PAGE;
        GrantLimitException e = assertThrows(GrantLimitException.class,
                () -> GrantSegment.grant(DOM0, bytes, EventChannelDoorbell.offer(DOM0), PeerDomain.UNKNOWN));
        assertEquals(limit + 1, e.pagesAsked());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("limit is " + limit), e.getMessage());
        assertTrue(e.getMessage().contains(GrantLimitException.LIMIT_PARAMETER.toString()), e.getMessage());
    }
}
