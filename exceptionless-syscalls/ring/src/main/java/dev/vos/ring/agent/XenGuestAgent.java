package dev.vos.ring.agent;

import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerOptions;
import dev.vos.ring.transport.xen.GrantSegment;
import dev.vos.ring.transport.xen.PeerDomain;
import dev.vos.ring.transport.xen.XenLiveness;
import dev.vos.ring.transport.xen.XenRendezvous;
import dev.vos.ring.transport.xen.XenStore;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A domain agent inside a Xen guest: it serves the rings another domain offers it through xenstore, one
 * {@link RingServer} with the kind's call table per offer, as the process agent serves one per session. Offers are
 * found by polling this domain's own offer area, {@code /local/domain/<own domid>/data/vos/<ring>/<generation>}
 * ({@link XenRendezvous}); each offer is read once, when its {@code state} says {@code offered} (the offering side
 * writes it last), and then never again, whatever came of it. A refused offer (malformed, out of bounds, from
 * another domain than {@link Config#offeringDomid}, or whose references or port Xen refuses) gets one log line and
 * changes nothing: no server, no mapping, no channel stays behind. A server stops when its client's liveness byte
 * clears (the client's grant went: it closed, or its process died).
 * <p>
 * The agent announces itself under {@code /local/domain/<own domid>/data/vos-agent}: {@code kind}, {@code pid} (the
 * agent's pid in the guest), {@code started-ms} (its JVM's start to here, in milliseconds of the guest's clock) and
 * last {@code state = serving}, so that the offering domain knows when to offer.
 */
public final class XenGuestAgent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(XenGuestAgent.class.getName());

    /**
     * What the agent serves and whom it believes.
     *
     * @param kind          the domain kind, announced in xenstore
     * @param table         the kind's call table (core calls and the kind's)
     * @param options       each ring server's options
     * @param offeringDomid the one domain whose offers are taken (dom0, where the clients are)
     * @param poll          how often the offer area is listed
     */
    public record Config(String kind, CallTable table, ServerOptions options, int offeringDomid, Duration poll) {

        /** Polls of the offer area: no faster than this (each is a few xenstore round trips). */
        public static final Duration MIN_POLL = Duration.ofMillis(10);

        public Config {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(options, "options");
            Objects.requireNonNull(poll, "poll");
            if (offeringDomid < 0 || offeringDomid >= 0x7ff0) {
                throw new IllegalArgumentException("offering domain " + offeringDomid + ": not a domain id");
            }
            if (poll.compareTo(MIN_POLL) < 0) {
                throw new IllegalArgumentException("poll " + poll.toMillis() + " ms: at least " + MIN_POLL.toMillis()
                        + " ms");
            }
        }
    }

    /** One offer served: its path and its server. */
    private record Served(String path, GrantSegment segment, RingServer server) {
    }

    private final XenStore store;
    private final Config config;
    private final int domid;
    private final String offers;
    private final String announce;
    /** Offers read already (ring/generation), so each is read once; pruned of those no longer in xenstore. */
    private final Set<String> seen = new HashSet<>();
    private final Map<String, Served> serving = new ConcurrentHashMap<>();
    private final Thread poller;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean open = true;

    private XenGuestAgent(XenStore store, Config config, int domid) {
        this.store = store;
        this.config = config;
        this.domid = domid;
        this.offers = "/local/domain/" + domid + "/data/vos";
        this.announce = "/local/domain/" + domid + "/data/vos-agent";
        this.poller = Thread.ofPlatform().name("vos-xen-offers").daemon().unstarted(this::pollLoop);
    }

    /**
     * Learns this domain's id (xenstore's relative {@code domid}, which the tool stack writes for every guest),
     * announces the agent and starts taking offers. Takes {@code store}: it is closed with the agent.
     */
    public static XenGuestAgent start(XenStore store, Config config) throws IOException {
        int domid = ownDomid(store);
        XenGuestAgent agent = new XenGuestAgent(store, config, domid);
        store.write(agent.announce + "/kind", config.kind());
        store.write(agent.announce + "/pid", Long.toString(ProcessHandle.current().pid()));
        // How long the JVM took from its start to here, on the guest's clock: the agent's share of boot-to-serving.
        ProcessHandle.current().info().startInstant().ifPresent(t -> {
            try {
                store.write(agent.announce + "/started-ms", Long.toString(
                        Duration.between(t, Instant.now()).toMillis()));
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "announcing the start time", e);
            }
        });
        store.write(agent.announce + "/state", "serving"); // last: the offering side waits for it
        agent.poller.start();
        return agent;
    }

    /** This domain's id, as xenstore has it at the relative path {@code domid} (under the domain's home). */
    static int ownDomid(XenStore store) throws IOException {
        String text = store.read("domid").orElseThrow(() -> new IOException(
                "xenstore has no 'domid' for this domain: not a guest set up by a Xen tool stack"));
        if (!text.matches("[0-9]{1,5}")) {
            throw new IOException("xenstore's 'domid' is \"" + text + "\", not a domain id");
        }
        return Integer.parseInt(text);
    }

    /** This guest's domain id. */
    public int domid() {
        return domid;
    }

    /** The xenstore node under which offers for this agent appear. */
    public String offerArea() {
        return offers;
    }

    /** Rings being served now. */
    public int serving() {
        return serving.size();
    }

    /** A ring served: its grant-mapped segment (for its client's liveness byte) and its server. */
    public record Attached(GrantSegment segment, RingServer server) {
    }

    /**
     * Serves the offer at {@code path} with {@code table}: reads it once, bounds it, binds the event channel, maps
     * the grants and attaches a server (which checks the ring's header as on any transport). On a failure nothing
     * stays mapped or bound.
     *
     * @throws IOException with the reason the offer was refused
     */
    public static Attached serve(XenStore store, String path, CallTable table, ServerOptions options,
                                 int offeringDomid) throws IOException {
        GrantSegment segment = XenRendezvous.accept(store, path, PeerDomain.UNKNOWN, offeringDomid);
        return new Attached(segment, RingServer.attach(segment, table, options)); // attach closes it on failure
    }

    /**
     * Whether the client of {@code segment} still holds its grant: its liveness byte, which its grant device
     * clears when the grant goes. False once the segment is closed.
     */
    public static boolean clientAlive(GrantSegment segment) {
        try {
            return segment.memory().get(ValueLayout.JAVA_BYTE, XenLiveness.CLIENT_ALIVE_OFFSET) == XenLiveness.ALIVE;
        } catch (IllegalStateException e) {
            return false; // the segment was closed: its server stopped
        }
    }

    private void pollLoop() {
        long failures = 0;
        while (open) {
            try {
                pollOnce();
                failures = 0;
            } catch (IOException | RuntimeException e) {
                if (Long.bitCount(++failures) == 1) { // 1st, 2nd, 4th ...: a log that cannot flood
                    LOG.log(Level.WARNING, "listing offers under {0} failed (failure #{1}): {2}", offers, failures,
                            e.toString());
                }
            }
            try {
                Thread.sleep(config.poll());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One look: new offers served, servers whose client left stopped. */
    void pollOnce() throws IOException {
        Set<String> listed = new HashSet<>();
        for (String ring : store.directory(offers)) {
            for (String generation : store.directory(offers + "/" + ring)) {
                String key = ring + "/" + generation;
                listed.add(key);
                if (!seen.contains(key)) {
                    consider(key);
                }
            }
        }
        seen.retainAll(listed);
        for (Iterator<Served> it = serving.values().iterator(); it.hasNext(); ) {
            Served s = it.next();
            if (!clientAlive(s.segment())) {
                LOG.log(Level.INFO, "{0}: the client''s grant is gone; stopping its server", s.path());
                s.server().close();
                it.remove();
            }
        }
    }

    /** An offer not read yet: taken once its state is {@code offered}, refused with one line if it is bad. */
    private void consider(String key) throws IOException {
        String path = offers + "/" + key;
        Optional<String> state = store.read(path + "/" + XenRendezvous.STATE);
        if (state.isEmpty()) {
            return; // still being written (state comes last): looked at again next time
        }
        seen.add(key); // read once, whatever comes of it
        if (!state.get().equals("offered")) {
            LOG.log(Level.INFO, "{0}: state {1}, not offered: left alone", path, shorten(state.get()));
            return;
        }
        try {
            Attached ring = serve(store, path, config.table(), config.options(), config.offeringDomid());
            serving.put(key, new Served(path, ring.segment(), ring.server()));
            LOG.log(Level.INFO, "{0}: serving ({1} pages from domain {2})", path, ring.segment().refs().length,
                    config.offeringDomid());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "{0}: offer refused: {1}", path, e.getMessage());
        }
    }

    private static String shorten(String text) {
        return text.length() <= 32 ? text : text.substring(0, 32) + "...";
    }

    /** Blocks until the agent has closed. */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /** Stops polling, stops every server, withdraws the announcement and closes the xenstore connection. */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        poller.interrupt();
        try {
            poller.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        serving.values().forEach(s -> s.server().close());
        serving.clear();
        try {
            store.rm(announce);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "withdrawing " + announce, e);
        }
        store.close();
        closed.countDown();
    }
}
