package dev.vos.ring;

import dev.vos.ring.layout.HeaderLayout;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.layout.SlotLayout;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/** The written-down layout holds: aligned, non-overlapping fields, one writer per line, and docs that match. */
class RingLayoutTest {

    /** Field sizes of the header's named offsets (those not listed are longs). */
    private static final Map<String, Integer> INT_FIELDS = Map.of("VERSION_OFFSET", 4, "SLOT_COUNT_OFFSET", 4,
            "DATA_BYTES_PER_SLOT_OFFSET", 4, "SERVER_STATE_OFFSET", 4, "SERVER_PID_OFFSET", 4,
            "WORKER_FUTEX_OFFSET", 4, "AWAKE_WORKERS_OFFSET", 4, "CLIENT_FUTEX_OFFSET", 4,
            "CLIENT_SLEEPING_OFFSET", 4, "CLIENT_STATE_OFFSET", 4);

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
        assertEquals(22, byOffset.size(), "a header field was added or removed: update this test and the docs");
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
        // the heartbeat changes often and is not on a hot line
        assertEquals(1, HeaderLayout.HEARTBEAT_NS_OFFSET / line);
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
            assertTrue(g.dataOffset() >= g.slotOffset(slots - 1) + 64);
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
        Path doc = Path.of(System.getProperty("vos.repository"), "docs", "ring-protocol.md");
        assertTrue(Files.exists(doc), "docs/ring-protocol.md is missing");
        List<String> lines = Files.readAllLines(doc);
        assertTrue(lines.stream().anyMatch(l -> l.strip().equals("Layout version " + HeaderLayout.VERSION)),
                "docs/ring-protocol.md must say 'Layout version " + HeaderLayout.VERSION + "' above its header diagram");
        for (Field f : HeaderLayout.class.getFields()) {
            if (f.getName().endsWith("_OFFSET")) {
                String name = f.getName().substring(0, f.getName().length() - "_OFFSET".length());
                assertTrue(lines.stream().anyMatch(l -> l.contains(name)), "the doc does not mention " + name);
            }
        }
    }
}
