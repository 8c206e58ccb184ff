package dev.vos.ring.agent;

import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.transport.xen.PeerDomain;
import dev.vos.ring.transport.xen.XenRendezvous;
import dev.vos.ring.transport.xen.XenStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's side of a session with the vos agent of a Xen guest ({@link XenGuestAgent}), from the domain that
 * runs the clients (dom0): finds the guest's domain id by its Xen name in xenstore, checks that its agent announced
 * itself serving, allocates a ring with the Xen transport (this side grants the pages, {@code gntalloc}), offers it
 * under {@code /local/domain/<guest>/data/vos/<ring>/<generation>} ({@link XenRendezvous#offer}) and waits for the
 * agent to serve it. The session's lifeline is the ring's own peer watch: the guest's liveness byte, then, once the
 * heartbeat is stale, the guest's state as xenstore shows it ({@link #stateOf}): a guest whose xenstore home is
 * gone (destroyed, crashed and cleaned up) or names another domain is a death; one still there is judged a hang on
 * the heartbeat alone (xenstore cannot tell a paused guest from a running one).
 *
 * <p>Which domains are Xen guests is recorded in the state directory, beside where a process domain's agent
 * listens: {@code domains/NAME/xen-guest} ({@link StateDirectory#xenGuest}) holds {@code xen-domain=XEN-NAME}, the
 * guest's name as {@code xl list} shows it. The name, not the domain id, so that a guest re-created by its
 * supervisor (a new domain id) is found again without the client reading any configuration again.
 */
public final class XenGuestSession implements DomainSession {

    /**
     * A guest's ring: 16 slots of 16 KiB (65 granted pages; gntalloc grants at most 1,024 pages system-wide by
     * default, so 15 such rings at once) and a 5 s liveness timeout. The timeout is the tolerance for a guest that
     * does not beat: with no word from the tool stack on whether the guest runs, a stale heartbeat is a hang.
     */
    public static final RingGeometry GEOMETRY = new RingGeometry(16, 16 << 10, 5_000_000_000L);
    /**
     * The least time an attach may take: the agent takes an offer within its poll period (100 ms), but a cold agent
     * under emulation did not serve its first offer after a re-creation within 3.3 s (Xen lab, QEMU TCG).
     */
    public static final Duration MIN_ATTACH_TIMEOUT = Duration.ofSeconds(20);
    /** The entry of {@code domains/NAME/xen-guest} that names the guest. */
    public static final String XEN_DOMAIN = "xen-domain";
    /** The most bytes a {@code xen-guest} record may have: it is a line or two. */
    static final int MAX_RECORD_BYTES = 4096;

    private static final AtomicLong RINGS = new AtomicLong();

    private final XenStore store;
    private final RingClient ring;
    private final String path;
    private final int domid;

    private XenGuestSession(XenStore store, RingClient ring, String path, int domid) {
        this.store = store;
        this.ring = ring;
        this.path = path;
        this.domid = domid;
    }

    /**
     * The Xen name recorded for domain {@code name} in {@code stateDir} ({@code domains/NAME/xen-guest}: a line
     * {@code xen-domain=XEN-NAME}; lines starting with {@code #} and other keys are skipped), or empty if the domain
     * is not recorded as a Xen guest (it is a process domain).
     *
     * @throws IOException if the record is there but unreadable or names no guest
     */
    public static Optional<String> recorded(Path stateDir, String name) throws IOException {
        Path record = StateDirectory.xenGuest(stateDir, name);
        String text;
        try {
            if (Files.size(record) > MAX_RECORD_BYTES) {
                throw new IOException(record + ": more than " + MAX_RECORD_BYTES + " bytes, not a xen-guest record");
            }
            text = Files.readString(record);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (!line.strip().startsWith("#") && eq > 0 && line.substring(0, eq).strip().equals(XEN_DOMAIN)) {
                String xenName = line.substring(eq + 1).strip();
                if (!xenName.matches("[A-Za-z0-9_.-]{1,64}")) {
                    throw new IOException(record + ": " + XEN_DOMAIN + " is \"" + xenName + "\", not a Xen domain"
                            + " name (letters, digits, . - _, at most 64)");
                }
                return Optional.of(xenName);
            }
        }
        throw new IOException(record + ": no " + XEN_DOMAIN + "=NAME line");
    }

    /**
     * Offers the guest named {@code xenName} a ring of {@code geometry} for {@code generation} and waits until its
     * agent serves it.
     *
     * @throws IOException if there is no such guest, its agent is not serving yet, the ring cannot be granted, or
     *                     the agent does not serve it within {@code timeout}
     */
    public static XenGuestSession attach(String xenName, RingGeometry geometry, long generation, WaitStrategy wait,
                                         Duration timeout) throws IOException {
        return attach(xenName, geometry, generation, wait, timeout, PeerDomain.UNKNOWN);
    }

    /**
     * As {@link #attach(String, RingGeometry, long, WaitStrategy, Duration)}, for a caller that knows more of the
     * guest than xenstore does: {@code toolStack} is asked first when the heartbeat is stale (the control plane
     * answers from libxl: paused, running, gone), and xenstore only when it answers {@code UNKNOWN}. A paused guest
     * is then a hang at once, and a running one that does not beat is busy up to the ring's cap, not hung at the
     * liveness timeout.
     */
    public static XenGuestSession attach(String xenName, RingGeometry geometry, long generation, WaitStrategy wait,
                                         Duration timeout, PeerDomain toolStack) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        XenStore store = XenStore.open();
        String path = null;
        RingClient ring = null;
        try {
            int domid = domidOf(store, xenName);
            String state = store.read("/local/domain/" + domid + "/data/vos-agent/state").orElse("absent");
            if (!state.equals("serving")) {
                throw new IOException("the vos agent of Xen domain " + xenName + " (domid " + domid
                        + ") is not serving yet (its announcement's state: " + state + ")");
            }
            path = XenRendezvous.path(domid, "c" + ProcessHandle.current().pid() + "-" + RINGS.incrementAndGet(),
                    generation);
            int self = selfDomid(store);
            PeerDomain peer = () -> {
                PeerDomain.State known = toolStack.state();
                return known != PeerDomain.State.UNKNOWN ? known : stateOf(store, domid, xenName);
            };
            ring = RingClient.create(XenRendezvous.offer(store, path, self, domid, peer), geometry, generation, wait);
            long left = deadline - System.nanoTime();
            ring.awaitServer(Duration.ofNanos(Math.max(left, 1)));
            return new XenGuestSession(store, ring, path, domid);
        } catch (IOException | RuntimeException e) {
            if (ring != null) {
                try {
                    ring.close();
                } catch (IOException x) {
                    e.addSuppressed(x);
                }
            }
            withdraw(store, path);
            store.close();
            throw e;
        }
    }

    /** The domain id of the running domain named {@code xenName}, from xenstore's {@code /local/domain/N/name}. */
    static int domidOf(XenStore store, String xenName) throws IOException {
        List<String> domains = store.directory("/local/domain");
        for (String d : domains) {
            if (d.matches("[0-9]{1,5}") && store.read("/local/domain/" + d + "/name").orElse("").equals(xenName)) {
                return Integer.parseInt(d);
            }
        }
        throw new IOException("no Xen domain named " + xenName + " is running (xenstore lists " + domains.size()
                + " domains)");
    }

    /** This domain's id: xenstore's relative {@code domid}; 0 (dom0) when the tool stack did not write it. */
    private static int selfDomid(XenStore store) {
        try {
            return XenGuestAgent.ownDomid(store);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The guest's state as xenstore shows it: its home gone, or now another domain's (the id was reused), is
     * {@code GONE}; otherwise {@code UNKNOWN} (xenstore does not say paused or running), which the peer watch
     * judges a hang on the heartbeat alone. Asked on the ring's monitor thread while the heartbeat is stale.
     */
    static PeerDomain.State stateOf(XenStore store, int domid, String xenName) {
        try {
            Optional<String> name = store.read("/local/domain/" + domid + "/name");
            return name.isPresent() && name.get().equals(xenName) ? PeerDomain.State.UNKNOWN : PeerDomain.State.GONE;
        } catch (IOException | RuntimeException e) {
            return PeerDomain.State.UNKNOWN;
        }
    }

    private static void withdraw(XenStore store, String path) {
        if (path == null) {
            return;
        }
        try {
            store.rm(path);
        } catch (IOException | RuntimeException e) {
            // the guest's home may be gone with the guest: nothing left to withdraw
        }
    }

    @Override
    public RingClient ring() {
        return ring;
    }

    @Override
    public long generation() {
        return ring.generation();
    }

    /** The guest's domain id when this session attached. */
    public int domid() {
        return domid;
    }

    /** Ends the session: the ring closes (its grants go, and the agent stops its server), the offer is withdrawn. */
    @Override
    public void close() throws IOException {
        try {
            ring.close();
        } finally {
            withdraw(store, path);
            store.close();
        }
    }
}
