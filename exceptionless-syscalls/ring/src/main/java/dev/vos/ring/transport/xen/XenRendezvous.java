package dev.vos.ring.transport.xen;

import dev.vos.ring.layout.HeaderLayout;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.transport.SegmentMaker;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How the two sides of a Xen ring find each other: through xenstore, under a node only they may read
 * ({@code /local/domain/<server's domid>/data/vos/<ring>/<generation>}, owned by the offering domain, readable by the
 * server's). The offering side (the client, which grants) writes, in one pass after the segment and its channel
 * exist:
 * <pre>
 *   version        the ring's layout version (HeaderLayout.VERSION)
 *   domid          the granting domain (the references are its)
 *   pages          how many pages the segment has
 *   grefs          their grant references, space-separated, in order
 *   event-channel  the port the offering side allocated unbound for the server's domain
 *   state          offered; the server writes attached (the one entry it may write)
 * </pre>
 * The accepting side reads each entry once and bounds it before use (the offer may come from a hostile domain):
 * {@link #parse}. Then it binds the channel, maps the pages and attaches a {@code RingServer} to them.
 */
public final class XenRendezvous {

    /** The entries of an offer. */
    public static final String VERSION = "version";
    public static final String DOMID = "domid";
    public static final String PAGES = "pages";
    public static final String GREFS = "grefs";
    public static final String EVENT_CHANNEL = "event-channel";
    public static final String STATE = "state";
    /** For {@link #accept}: offers from any domain. */
    public static final int ANY_DOMAIN = -1;
    /** {@code DOMID_FIRST_RESERVED}: domain ids at and above it are not domains. */
    static final int DOMID_FIRST_RESERVED = 0x7ff0;
    /** Ports of the FIFO event channel ABI: 2^17. */
    static final int MAX_PORTS = 1 << 17;

    private XenRendezvous() {
    }

    /** Where a ring for a server in {@code serverDomid} is offered. */
    public static String path(int serverDomid, String ring, long generation) {
        if (!ring.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("ring=" + ring + ": letters, digits, - and _, at most 64");
        }
        return "/local/domain/" + serverDomid + "/data/vos/" + ring + "/" + generation;
    }

    /** A parsed, bounded offer. */
    public record Offer(int grantingDomid, int[] refs, int port) {
    }

    /**
     * The offering side, as a maker for {@code RingClient.create}: binds a port unbound for {@code peerDomid},
     * grants the segment's pages to it and publishes the offer at {@code path} (after removing whatever was
     * there), readable by {@code peerDomid} only (and writable by it at {@code state}).
     */
    public static SegmentMaker offer(XenStore store, String path, int selfDomid, int peerDomid, PeerDomain domain) {
        return bytes -> {
            GrantSegment segment = GrantSegment.grant(peerDomid, bytes, EventChannelDoorbell.offer(peerDomid), domain);
            try {
                publish(store, path, selfDomid, peerDomid, segment);
                return segment;
            } catch (IOException | RuntimeException e) {
                segment.close();
                throw e;
            }
        };
    }

    private static void publish(XenStore store, String path, int selfDomid, int peerDomid, GrantSegment segment)
            throws IOException {
        store.rm(path);
        store.mkdir(path);
        List<String> readable = new ArrayList<>(List.of("n" + selfDomid));
        if (peerDomid != selfDomid) {
            readable.add("r" + peerDomid);
        }
        store.setPerms(path, readable);
        store.write(path + "/" + VERSION, Integer.toString(HeaderLayout.VERSION));
        store.write(path + "/" + DOMID, Integer.toString(selfDomid));
        store.write(path + "/" + PAGES, Integer.toString(segment.refs().length));
        store.write(path + "/" + GREFS, Arrays.stream(segment.refs()).mapToObj(Integer::toUnsignedString)
                .collect(Collectors.joining(" ")));
        store.write(path + "/" + EVENT_CHANNEL, Integer.toString(segment.channel().localPort()));
        store.write(path + "/" + STATE, "offered");
        if (peerDomid != selfDomid) {
            store.setPerms(path + "/" + STATE, List.of("n" + selfDomid, "b" + peerDomid));
        }
    }

    /**
     * The accepting side: reads the offer at {@code path}, bounds it, binds the channel, maps the pages, and writes
     * {@code state = attached}. The caller attaches a {@code RingServer} to the segment, which checks the ring's
     * header as for any transport.
     *
     * @param offeringDomid the only domain whose offers this side takes (a guest's agent: the domain that runs its
     *                      clients, dom0), or {@link #ANY_DOMAIN}
     * @throws RendezvousRefusedException if the offer is missing, malformed, or from another domain
     */
    public static GrantSegment accept(XenStore store, String path, PeerDomain domain, int offeringDomid)
            throws IOException {
        Map<String, Optional<String>> values = new LinkedHashMap<>();
        for (String key : List.of(VERSION, DOMID, PAGES, GREFS, EVENT_CHANNEL)) {
            values.put(key, store.read(path + "/" + key)); // each entry read once
        }
        Offer offer = from(path, parse(path, values), offeringDomid);
        EventChannelDoorbell channel = EventChannelDoorbell.bind(offer.grantingDomid(), offer.port());
        GrantSegment segment = GrantSegment.map(offer.grantingDomid(), offer.refs(), channel, domain);
        try {
            store.write(path + "/" + STATE, "attached");
            return segment;
        } catch (IOException | RuntimeException e) {
            segment.close();
            throw e;
        }
    }

    /** Bounds an offer's entries before anything is mapped or bound. */
    static Offer parse(String path, Map<String, Optional<String>> values) throws RendezvousRefusedException {
        long version = number(path, values, VERSION, 0, Integer.MAX_VALUE);
        if (version != HeaderLayout.VERSION) {
            throw new RendezvousRefusedException(path + ": version " + version + ", this side speaks "
                    + HeaderLayout.VERSION);
        }
        int domid = (int) number(path, values, DOMID, 0, DOMID_FIRST_RESERVED - 1);
        int pages = (int) number(path, values, PAGES, 1, RingGeometry.MAX_SEGMENT_BYTES / GrantSegment.PAGE);
        String grefs = values.get(GREFS).orElseThrow(() -> missing(path, GREFS));
        String[] words = grefs.isEmpty() ? new String[0] : grefs.split(" ", pages + 1);
        if (words.length != pages) {
            throw new RendezvousRefusedException(path + ": " + (words.length > pages ? "more than " : "")
                    + Math.min(words.length, pages) + " grant references for " + pages + " pages");
        }
        int[] refs = new int[pages];
        for (int i = 0; i < pages; i++) {
            refs[i] = (int) parse(path, GREFS + "[" + i + "]", words[i], 0, 0xffff_ffffL);
        }
        int port = (int) number(path, values, EVENT_CHANNEL, 1, MAX_PORTS - 1);
        return new Offer(domid, refs, port);
    }

    /** The offer, if it comes from {@code offeringDomid} (or that is {@link #ANY_DOMAIN}). */
    static Offer from(String path, Offer offer, int offeringDomid) throws RendezvousRefusedException {
        if (offeringDomid != ANY_DOMAIN && offer.grantingDomid() != offeringDomid) {
            throw new RendezvousRefusedException(path + "/" + DOMID + " is " + offer.grantingDomid()
                    + ": this side takes offers from domain " + offeringDomid + " only");
        }
        return offer;
    }

    private static long number(String path, Map<String, Optional<String>> values, String key, long min, long max)
            throws RendezvousRefusedException {
        String text = values.getOrDefault(key, Optional.empty()).orElseThrow(() -> missing(path, key));
        return parse(path, key, text, min, max);
    }

    private static long parse(String path, String key, String text, long min, long max)
            throws RendezvousRefusedException {
        if (!text.matches("[0-9]{1,10}")) {
            throw new RendezvousRefusedException(path + "/" + key + " is \"" + shorten(text)
                    + "\", not a decimal number");
        }
        long value = Long.parseLong(text);
        if (value < min || value > max) {
            throw new RendezvousRefusedException(path + "/" + key + " is " + value + ", outside " + min + ".."
                    + max);
        }
        return value;
    }

    private static RendezvousRefusedException missing(String path, String key) {
        return new RendezvousRefusedException(path + "/" + key + ": missing (no ring offered here)");
    }

    private static String shorten(String text) {
        return text.length() <= 32 ? text : text.substring(0, 32) + "...";
    }

    /** An offer in xenstore that this side will not map: missing, malformed or out of bounds. */
    public static final class RendezvousRefusedException extends IOException {
        RendezvousRefusedException(String problem) {
            super(problem);
        }
    }
}
