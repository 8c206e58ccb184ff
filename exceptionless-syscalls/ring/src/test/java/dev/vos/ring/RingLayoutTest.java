package dev.vos.ring;

import dev.vos.ring.layout.HeaderLayout;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.layout.SlotLayout;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The written-down layout holds: aligned, non-overlapping fields, one writer per line, and a protocol doc whose
 * tables and diagrams give every field the offset and size the code uses (a drift in either fails here).
 */
class RingLayoutTest {

    /**
     * Field sizes of the header's named offsets, as the code reads and writes them (getInt; those not listed are
     * longs): the alignment checks below and the doc's sizes are both held to them.
     */
    private static final Map<String, Integer> INT_FIELDS = Map.ofEntries(Map.entry("VERSION_OFFSET", 4),
            Map.entry("SLOT_COUNT_OFFSET", 4), Map.entry("DATA_BYTES_PER_SLOT_OFFSET", 4),
            Map.entry("SERVER_STATE_OFFSET", 4), Map.entry("SERVER_PID_OFFSET", 4), Map.entry("WORKER_FUTEX_OFFSET", 4),
            Map.entry("AWAKE_WORKERS_OFFSET", 4), Map.entry("CLIENT_FUTEX_OFFSET", 4),
            Map.entry("CLIENT_SLEEPING_OFFSET", 4), Map.entry("CLIENT_STATE_OFFSET", 4),
            Map.entry("STUCK_CALL_OFFSET", 4), Map.entry("STUCK_WORKER_OFFSET", 4));

    @Test
    void headerFields_areNaturallyAlignedAndDoNotOverlap() throws Exception {
        TreeMap<Integer, String> byOffset = new TreeMap<>();
        for (Field f : HeaderLayout.class.getFields()) {
            if (f.getName().endsWith("_OFFSET") && Modifier.isStatic(f.getModifiers())) {
                int offset = f.getInt(null);
                int size = INT_FIELDS.getOrDefault(f.getName(), 8);
                assertEquals(0, offset % size, f.getName() + " at " + offset + " is not aligned to " + size);
                assertTrue(offset + size <= HeaderLayout.HEADER_BYTES, f.getName() + " runs past the header");
                assertNull(byOffset.put(offset, f.getName()), f.getName() + " shares offset " + offset);
            }
        }
        int end = 0;
        String previous = null;
        for (Map.Entry<Integer, String> e : byOffset.entrySet()) {
            assertTrue(e.getKey() >= end, e.getValue() + " overlaps " + previous);
            end = e.getKey() + INT_FIELDS.getOrDefault(e.getValue(), 8);
            previous = e.getValue();
        }
        assertEquals(27, byOffset.size(), "a header field was added or removed: update this test and the docs");
    }

    @Test
    void hotFields_eachSitOnALineWithOneWriter() {
        int line = HeaderLayout.CACHE_LINE;
        // server-written, read by clients on every submission
        assertEquals(2, HeaderLayout.AWAKE_WORKERS_OFFSET / line);
        // client-written, read by the server on every completion
        assertEquals(3, HeaderLayout.CLIENT_SLEEPING_OFFSET / line);
        // the two queue counters are on separate lines from everything else
        assertEquals(4, HeaderLayout.QUEUE_TAIL_OFFSET / line);
        assertEquals(5, HeaderLayout.QUEUE_HEAD_OFFSET / line);
        // the heartbeat changes often and is not on a hot line; the stuck-worker report, which the heartbeat thread
        // writes before it, and the server's start time and namespace share its line (server-written)
        assertEquals(1, HeaderLayout.HEARTBEAT_OFFSET / line);
        assertEquals(1, HeaderLayout.SERVER_START_TICKS_OFFSET / line);
        assertEquals(1, HeaderLayout.STUCK_NS_OFFSET / line);
        assertEquals(1, HeaderLayout.STUCK_WORKER_OFFSET / line);
        assertEquals(1, HeaderLayout.SERVER_PID_NAMESPACE_OFFSET / line);
    }

    @Test
    void slot_isOneCacheLine_withArgumentsAndResultInside() {
        assertEquals(64, SlotLayout.SLOT_BYTES);
        assertEquals(8, SlotLayout.ARGS_OFFSET);
        assertEquals(56, SlotLayout.RESULT_OFFSET);
        assertEquals(SlotLayout.SLOT_BYTES, SlotLayout.RESULT_OFFSET + 8);
        long control = SlotLayout.control(SlotLayout.SUBMITTED, SlotLayout.MAX_CALL_NUMBER, -1);
        assertEquals(SlotLayout.SUBMITTED, SlotLayout.state(control));
        assertEquals(SlotLayout.MAX_CALL_NUMBER, SlotLayout.callNumber(control));
        assertEquals(-1, SlotLayout.sequence(control));
        assertEquals(SlotLayout.COMPLETE, SlotLayout.state(SlotLayout.withState(control, SlotLayout.COMPLETE)));
    }

    @Test
    void geometry_regionsAreAlignedAndInOrder() {
        for (int slots = RingGeometry.MIN_SLOTS; slots <= RingGeometry.MAX_SLOTS; slots *= 2) {
            RingGeometry g = new RingGeometry(slots, 4096, 100_000_000L);
            assertTrue(g.slotsOffset() >= g.queueOffset() + 8L * g.queueCapacity());
            assertEquals(0, g.slotsOffset() % 64);
            assertEquals(g.slotOffset(slots - 1) + 64, g.parkWordsOffset(), "park words right after the slots");
            assertEquals(0, g.parkWordsOffset() % 64);
            assertEquals(0, g.parkWordOffset(slots - 1) % SlotLayout.PARK_WORD_BYTES, "a futex word is aligned");
            assertTrue(g.dataOffset() >= g.parkWordOffset(slots - 1) + SlotLayout.PARK_WORD_BYTES);
            assertEquals(0, g.dataOffset() % 4096);
            assertEquals(g.dataOffset() + (long) slots * 4096, g.segmentBytes());
        }
    }

    @Test
    void geometry_rejectsBadShapesByName() {
        List<String> messages = new ArrayList<>();
        for (Runnable bad : List.<Runnable>of(
                () -> new RingGeometry(3, 4096, 100_000_000L),
                () -> new RingGeometry(8192, 4096, 100_000_000L),
                () -> new RingGeometry(8, 1000, 100_000_000L),
                () -> new RingGeometry(8, 4096, 1L))) {
            messages.add(assertThrows(IllegalArgumentException.class, bad::run).getMessage());
        }
        assertTrue(messages.get(0).startsWith("slotCount=3"));
        assertTrue(messages.get(1).startsWith("slotCount=8192"));
        assertTrue(messages.get(2).startsWith("dataBytesPerSlot=1000"));
        assertTrue(messages.get(3).startsWith("livenessTimeoutNs=1"));
    }

    @Test
    void protocolDoc_describesThisLayoutVersion() throws Exception {
        RingProtocolDoc doc = RingProtocolDoc.read();
        assertTrue(doc.lines().stream().anyMatch(l -> l.strip().equals("Layout version " + HeaderLayout.VERSION)),
                "docs/ring-protocol.md must say 'Layout version " + HeaderLayout.VERSION
                        + "' above its header diagram");
        assertTrue(doc.lines().getFirst().contains("(layout version " + HeaderLayout.VERSION + ")"),
                doc.lines().getFirst());
    }

    /** The doc's header table: one row per field of HeaderLayout, at its offset, with its size and type. */
    @Test
    void protocolDoc_headerTable_hasEveryFieldAtItsOffsetAndSize() throws Exception {
        List<RingProtocolDoc.Field> table = RingProtocolDoc.read().headerTable();
        Set<String> documented = new TreeSet<>();
        for (RingProtocolDoc.Field f : table) {
            assertHeaderField("the header table", f);
            assertEquals(f.size() * 8, RingProtocolDoc.bits(f.type()), f + ": the size and the type disagree");
            documented.add(f.name());
        }
        assertEquals(headerFieldNames(), documented, "the header table and HeaderLayout name different fields");
    }

    /** The doc's header diagram: each field in the cell at its offset, as wide as its size. */
    @Test
    void protocolDoc_headerDiagram_drawsEveryFieldAtItsOffsetAndSize() throws Exception {
        RingProtocolDoc doc = RingProtocolDoc.read();
        List<RingProtocolDoc.Field> cells = doc.diagram("Layout version " + HeaderLayout.VERSION);
        Set<String> drawn = new TreeSet<>();
        for (RingProtocolDoc.Field f : cells) {
            assertHeaderField("the header diagram", f);
            drawn.add(f.name());
        }
        assertEquals(headerFieldNames(), drawn, "the header diagram and HeaderLayout name different fields");
        assertEquals(HeaderLayout.HEADER_BYTES, doc.headerEnd(), "where the diagram says the header ends");
    }

    /** The doc's slot diagram: CONTROL and its three fields, the six arguments and RESULT, as SlotLayout has them. */
    @Test
    void protocolDoc_slotDiagram_matchesSlotLayout() throws Exception {
        Map<String, RingProtocolDoc.Field> cells = new TreeMap<>();
        for (RingProtocolDoc.Field f : RingProtocolDoc.read().diagram("A slot is one "
                + SlotLayout.SLOT_BYTES + "-byte cache line at `slotOffset(i)`:")) {
            assertNull(cells.put(f.name(), f), "the slot diagram names " + f.name() + " twice");
        }
        Map<String, RingProtocolDoc.Field> expected = new TreeMap<>();
        expected.put("CONTROL", new RingProtocolDoc.Field("CONTROL", SlotLayout.CONTROL_OFFSET, 8, "u64"));
        // the control word's fields, as bytes of the little-endian word
        expected.put("STATE", controlField("STATE", SlotLayout.control(0xFF, 0, 0)));
        expected.put("CALL NUMBER", controlField("CALL NUMBER", SlotLayout.control(0, SlotLayout.MAX_CALL_NUMBER, 0)));
        expected.put("SEQUENCE NUMBER", controlField("SEQUENCE NUMBER", SlotLayout.control(0, 0, -1)));
        for (int i = 0; i < SlotLayout.ARG_COUNT; i++) {
            expected.put("ARG" + i, new RingProtocolDoc.Field("ARG" + i, SlotLayout.argOffset(i), 8, "u64"));
        }
        expected.put("RESULT", new RingProtocolDoc.Field("RESULT", SlotLayout.RESULT_OFFSET, 8, "i64"));
        assertEquals(expected, cells);
    }

    /** The numbers the doc gives the states: "SERVER_STATE: 0 NEW, 3 ATTACHING, ...", "0 FREE, 1 SUBMITTED, ...". */
    @Test
    void protocolDoc_stateValues_matchTheConstants() throws Exception {
        RingProtocolDoc doc = RingProtocolDoc.read();
        assertStates(doc.lineContaining("| SERVER_STATE: "), "| SERVER_STATE: ", HeaderLayout.class, "SERVER_", 4);
        assertStates(doc.lineContaining("| CLIENT_STATE: "), "| CLIENT_STATE: ", HeaderLayout.class, "CLIENT_", 2);
        assertStates(doc.lineContaining("| state | "), "| state | ", SlotLayout.class, "", 5);
    }

    /** The default geometry's figures in section 2, and the rules' bounds in its parameter table. */
    @Test
    void protocolDoc_defaultGeometry_matchesRingGeometry() throws Exception {
        RingProtocolDoc doc = RingProtocolDoc.read();
        RingGeometry g = RingGeometry.DEFAULT;
        assertEquals(String.format(Locale.ROOT, "With the default geometry: slots at %d, data area at %d,"
                        + " segment size %s bytes.", g.slotsOffset(), g.dataOffset(),
                String.format(Locale.ROOT, "%,d", g.segmentBytes()).replace(',', ' ')),
                doc.lineStartingWith("With the default geometry:"));
        String slotCount = doc.lineStartingWith("| `slotCount` |");
        assertTrue(slotCount.contains(RingGeometry.MIN_SLOTS + ".." + RingGeometry.MAX_SLOTS)
                && slotCount.endsWith("| " + g.slotCount() + " |"), slotCount);
        assertTrue(doc.lineStartingWith("| `dataBytesPerSlot` |").endsWith("| " + g.dataBytesPerSlot() + " |"),
                doc.lineStartingWith("| `dataBytesPerSlot` |"));
        assertEquals("queueOffset      = " + HeaderLayout.HEADER_BYTES, doc.lineStartingWith("queueOffset "));
    }

    private static void assertHeaderField(String where, RingProtocolDoc.Field f) throws Exception {
        Field constant;
        try {
            constant = HeaderLayout.class.getField(f.name() + "_OFFSET");
        } catch (NoSuchFieldException e) {
            throw new AssertionError(where + " names " + f.name() + ", which HeaderLayout does not have");
        }
        assertEquals(constant.getInt(null), f.offset(), where + ": the offset of " + f.name());
        assertEquals(INT_FIELDS.getOrDefault(constant.getName(), 8), f.size(), where + ": the size of " + f.name());
    }

    private static Set<String> headerFieldNames() {
        Set<String> names = new TreeSet<>();
        for (Field f : HeaderLayout.class.getFields()) {
            if (f.getName().endsWith("_OFFSET")) {
                names.add(f.getName().substring(0, f.getName().length() - "_OFFSET".length()));
            }
        }
        return names;
    }

    /** The bytes of the control word that {@code mask} covers, as a field; the word has no type per field. */
    private static RingProtocolDoc.Field controlField(String name, long mask) {
        int low = Long.numberOfTrailingZeros(mask);
        int high = 64 - Long.numberOfLeadingZeros(mask);
        assertEquals(0, low % 8, name + " does not start on a byte");
        assertEquals(0, high % 8, name + " does not end on a byte");
        return new RingProtocolDoc.Field(name, SlotLayout.CONTROL_OFFSET + low / 8, (high - low) / 8, "");
    }

    /** "N NAME, N NAME" after {@code after} in {@code line}: constant {@code prefix + NAME} of {@code type} is N. */
    private static void assertStates(String line, String after, Class<?> type, String prefix, int count)
            throws Exception {
        int at = line.indexOf(after);
        assertTrue(at >= 0, "'" + after + "' not in: " + line);
        String list = line.substring(at + after.length()).split("\\|")[0].strip();
        String[] states = list.split(", ");
        assertEquals(count, states.length, line);
        for (String state : states) {
            String[] numberAndName = state.strip().split(" ");
            assertEquals(type.getField(prefix + numberAndName[1]).getInt(null), Integer.parseInt(numberAndName[0]),
                    "the doc says " + prefix + numberAndName[1] + " is " + numberAndName[0]);
        }
    }
}
