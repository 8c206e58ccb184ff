package dev.vos.ring.agent;

import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.KindFigure;
import dev.vos.ring.server.ServerStats;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.*;

/** The STATS encoding's kind figures (format 3): carried by code, and refused when they are not this build's. */
class DomainStatsTest {

    private static final CallTable TABLE = CoreCallHandlers.table();

    private static MemorySegment encode(Map<KindFigure, Long> figures, Arena arena) {
        MemorySegment out = arena.allocate(4096);
        long n = DomainStats.encode(2, ServerStats.empty(TABLE.size()), figures, TABLE, out);
        assertTrue(n > 0);
        return out.asSlice(0, n);
    }

    @Test
    void kindFigures_roundTrip() {
        Map<KindFigure, Long> figures = new EnumMap<>(KindFigure.class);
        figures.put(KindFigure.NET_SOCKETS_OPEN, 7L);
        figures.put(KindFigure.NET_CONNECTIONS_ACCEPTED, 1234L);
        figures.put(KindFigure.NET_CONNECTIONS_REFUSED, 0L);
        try (Arena arena = Arena.ofConfined()) {
            DomainStats stats = DomainStats.decode(encode(figures, arena));
            assertEquals(figures, stats.kindFigures());
            assertEquals(2, stats.sessions());
            assertEquals(Map.of(), DomainStats.decode(encode(Map.of(), arena)).kindFigures(), "a kind with none");
        }
    }

    @Test
    void aFigureThisBuildDoesNotKnow_orANegativeCount_isRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = encode(Map.of(KindFigure.NET_CONNECTIONS_ACCEPTED, 5L), arena);
            long codeAt = in.byteSize() - 16;
            in.set(JAVA_LONG_UNALIGNED, codeAt, 999);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DomainStats.decode(in));
            assertTrue(e.getMessage().contains("kind figure 999"), e.getMessage());
            in.set(JAVA_LONG_UNALIGNED, codeAt, KindFigure.NET_CONNECTIONS_ACCEPTED.code());
            in.set(JAVA_LONG_UNALIGNED, codeAt + 8, -1);
            assertThrows(IllegalArgumentException.class, () -> DomainStats.decode(in));
            in.set(JAVA_LONG_UNALIGNED, codeAt - 8, 1000); // the count of figures
            assertThrows(IllegalArgumentException.class, () -> DomainStats.decode(in));
        }
    }

    @Test
    void codes_areUniqueAndFindTheirFigure() {
        for (KindFigure f : KindFigure.values()) {
            assertSame(f, KindFigure.ofCode(f.code()));
        }
        assertNull(KindFigure.ofCode(0));
    }
}
