package dev.vos.ring.transport.xen;

import dev.vos.ring.layout.HeaderLayout;
import dev.vos.ring.layout.RingGeometry;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The accepting side's bounds on an offer read from xenstore, which a hostile domain may have written: every entry is
 * checked before anything is bound or mapped, and a refusal names the entry.
 */
class XenRendezvousTest {

    private static final String PATH = "/local/domain/3/data/vos/storage0/1";

    private static Map<String, Optional<String>> offer() {
        Map<String, Optional<String>> values = new HashMap<>();
        values.put(XenRendezvous.VERSION, Optional.of(Integer.toString(HeaderLayout.VERSION)));
        values.put(XenRendezvous.DOMID, Optional.of("0"));
        values.put(XenRendezvous.PAGES, Optional.of("3"));
        values.put(XenRendezvous.GREFS, Optional.of("8 9 4294967295"));
        values.put(XenRendezvous.EVENT_CHANNEL, Optional.of("17"));
        return values;
    }

    private static String refused(String key, String value) {
        Map<String, Optional<String>> values = offer();
        values.put(key, Optional.ofNullable(value));
        return assertThrows(XenRendezvous.RendezvousRefusedException.class, () -> XenRendezvous.parse(PATH, values))
                .getMessage();
    }

    @Test
    void parse_aWellFormedOffer() throws Exception {
        XenRendezvous.Offer offer = XenRendezvous.parse(PATH, offer());
        assertEquals(0, offer.grantingDomid());
        assertArrayEquals(new int[]{8, 9, -1}, offer.refs(), "references are unsigned 32-bit");
        assertEquals(17, offer.port());
    }

    @Test
    void from_takesOffersOfTheNamedDomainOnly() throws Exception {
        XenRendezvous.Offer offer = XenRendezvous.parse(PATH, offer());
        assertSame(offer, XenRendezvous.from(PATH, offer, 0));
        assertSame(offer, XenRendezvous.from(PATH, offer, XenRendezvous.ANY_DOMAIN));
        String message = assertThrows(XenRendezvous.RendezvousRefusedException.class,
                () -> XenRendezvous.from(PATH, offer, 7)).getMessage();
        assertTrue(message.contains(PATH + "/domid is 0") && message.contains("from domain 7 only"), message);
    }

    @Test
    void parse_refusesAnotherVersion() {
        assertTrue(refused(XenRendezvous.VERSION, "1").contains("version 1"));
    }

    @Test
    void parse_refusesMorePagesThanTheLargestRing_beforeReadingAReference() {
        long pages = RingGeometry.MAX_SEGMENT_BYTES / GrantSegment.PAGE + 1;
        String why = refused(XenRendezvous.PAGES, Long.toString(pages));
        assertTrue(why.contains(PATH + "/pages is " + pages), why);
        assertTrue(refused(XenRendezvous.PAGES, "0").contains("outside 1.."));
    }

    @Test
    void parse_refusesAReferenceCountThatIsNotThePageCount() {
        assertTrue(refused(XenRendezvous.GREFS, "8 9").contains("2 grant references for 3 pages"));
        assertTrue(refused(XenRendezvous.GREFS, "8 9 10 11").contains("more than 3 grant references"));
        assertTrue(refused(XenRendezvous.GREFS, "").contains("0 grant references"));
    }

    @Test
    void parse_refusesNumbersThatAreNotPlainDecimalsInRange() {
        for (String bad : List.of("-1", "0x10", "1e3", " 17", "17 ", "99999999999", "")) {
            assertTrue(refused(XenRendezvous.EVENT_CHANNEL, bad).contains("event-channel is"), bad);
        }
        assertTrue(refused(XenRendezvous.EVENT_CHANNEL, "0").contains("outside 1..131071"));
        assertTrue(refused(XenRendezvous.DOMID, "32752").contains("outside 0..32751"), "DOMID_SELF and beyond");
        assertTrue(refused(XenRendezvous.GREFS, "8 9 4294967296").contains("grefs[2] is 4294967296"));
        assertTrue(refused(XenRendezvous.GREFS, "8  9").contains("grefs[1] is \"\""), "two spaces: an empty word");
    }

    @Test
    void parse_refusesAMissingEntry_namingIt() {
        assertTrue(refused(XenRendezvous.EVENT_CHANNEL, null).contains(PATH + "/event-channel: missing"));
    }

    @Test
    void path_refusesNamesThatWouldLeaveTheRingsNode() {
        assertEquals("/local/domain/3/data/vos/storage0/2", XenRendezvous.path(3, "storage0", 2));
        assertThrows(IllegalArgumentException.class, () -> XenRendezvous.path(3, "../../0/x", 1));
        assertThrows(IllegalArgumentException.class, () -> XenRendezvous.path(3, "a/b", 1));
    }

    @Test
    void xenstoreStrings_splitAtNuls() {
        assertEquals(List.of("ENOENT"), XenStore.strings("ENOENT\0".getBytes()));
        assertEquals(List.of("a", "b"), XenStore.strings("a\0b".getBytes()));
        assertEquals(List.of(), XenStore.strings(new byte[0]));
    }
}
