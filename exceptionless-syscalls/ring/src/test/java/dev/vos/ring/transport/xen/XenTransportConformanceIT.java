package dev.vos.ring.transport.xen;

import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
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
 * gntdev; the event channel is an interdomain channel of dom0 with itself; the rendezvous is xenstore. Named
 * {@code *IT}: {@code ./mvnw verify} never runs it, and it is skipped where {@code /dev/xen/gntalloc} does not exist.
 */
@EnabledIf("xen")
class XenTransportConformanceIT extends TransportConformance {

    /** dom0 grants to itself: Xen maps a domain's own grants (a loopback, as libxenvchan's tests use). */
    static final int DOM0 = 0;

    static boolean xen() {
        return Files.exists(Path.of("/dev/xen/gntalloc")) && Files.exists(Path.of("/dev/xen/gntdev"))
                && Files.exists(Path.of("/dev/xen/evtchn"));
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
            client = RingClient.create(XenRendezvous.offer(store, path, DOM0, DOM0, PeerDomain.UNKNOWN), GEOMETRY, 1,
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

            @Override
            public void close() throws Exception {
                try {
                    client.close();
                    server.close();
                    store.rm(path);
                } finally {
                    store.close();
                }
            }
        };
    }

    /** The client closes its ring: the server stops and its process exits (it serves nobody). */
    @Test
    void clientCloses_theServerStopsAndExits() throws Exception {
        try (RingPair pair = startXen("leave", WaitStrategy.spinThenPark(Duration.ofNanos(20_000)))) {
            ProcessHandle server = ProcessHandle.of(pair.serverPid()).orElseThrow();
            pair.client().close();
            server.onExit().get(60, TimeUnit.SECONDS);
            assertFalse(server.isAlive());
        }
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
