package dev.vos.controlplane.status;

import dev.vos.controlplane.journal.EventType;
import dev.vos.controlplane.journal.JournalEvent;
import dev.vos.controlplane.metrics.RingFigures;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
import dev.vos.controlplane.supervisor.StandbyState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The status page's data: rates across a restart, hostile strings kept as text, bounded history and events. */
class StatusPageTest {

    private static DomainStatus status(long generation, int restarts, String lastExit) {
        return new DomainStatus("storage0", "storage", DomainState.RUNNING, generation, 4242, Instant.now(),
                restarts, lastExit, "");
    }

    private static RingFigures figures(long calls, long sampled, long sumNs) {
        return new RingFigures(calls, 0, 0, 0, 0, Map.of(), new long[]{sampled}, new long[]{RingFigures.INF_NS},
                sumNs);
    }

    @Test
    void points_ratesPerSecond_andARestartIsNoNegativeRate() {
        StatusHistory history = new StatusHistory();
        history.add(0, status(1, 0, ""), figures(0, 0, 0));
        history.add(1000, status(1, 0, ""), figures(500, 30, 30_000));
        history.add(2000, status(2, 1, "killed by SIGKILL"), figures(120, 8, 16_000)); // generation 2, from 0
        List<StatusHistory.Point> points = history.points().get("storage0");
        assertEquals(2, points.size());
        assertEquals(500.0, points.get(0).callsPerSecond());
        assertEquals(1e-6, points.get(0).meanServiceSeconds(), 1e-12);
        assertEquals(120.0, points.get(1).callsPerSecond(), "what the new generation counted, not -380");
        assertEquals(2e-6, points.get(1).meanServiceSeconds(), 1e-12);
        assertEquals(1, points.get(1).restarts());
    }

    @Test
    void points_keepFiveMinutesAtMost() {
        StatusHistory history = new StatusHistory();
        for (int i = 0; i < StatusHistory.SAMPLES + 50; i++) {
            history.add(i * 1000L, status(1, 0, ""), figures(i, 0, 0));
        }
        assertEquals(StatusHistory.SAMPLES - 1, history.points().get("storage0").size());
    }

    @Test
    void json_hostileStrings_stayText() {
        StatusPage page = new StatusPage();
        String hostile = "</script><script>alert(1)</script>\"\\\n\u2028";
        page.start(() -> List.of(status(3, 2, hostile)), d -> null);
        try {
            page.event(new JournalEvent(Instant.now(), "storage0", 3, EventType.DOMAIN_EXITED, hostile));
            String json = page.json();
            assertFalse(json.contains("<"), json);
            assertFalse(json.contains("\n"), json);
            assertTrue(json.contains("\"generation\":3"), json);
            String escaped = "\\u003c/script>\\u003cscript>alert(1)\\u003c/script>\\\"\\\\\\u000a\\u2028";
            assertTrue(json.contains(escaped), json);
        } finally {
            page.close();
        }
    }

    @Test
    void json_carriesTheStandby() {
        StatusPage page = new StatusPage();
        page.start(() -> List.of(status(2, 1, "").withStandby(StandbyState.PARKED, 4343),
                status(1, 0, "")), d -> null);
        try {
            String json = page.json();
            assertTrue(json.contains("\"standby\":\"PARKED\",\"standbyPid\":4343"), json);
            assertTrue(json.contains("\"standby\":\"NONE\",\"standbyPid\":-1"), json);
        } finally {
            page.close();
        }
    }

    @Test
    void events_keepTheLastFew_newestFirst() {
        StatusPage page = new StatusPage();
        for (int i = 0; i < StatusPage.EVENTS + 5; i++) {
            page.event(new JournalEvent(Instant.now(), "storage0", i, EventType.DOMAIN_RUNNING, "e" + i));
        }
        String json = page.json();
        assertFalse(json.contains("\"e4\""), "the oldest are dropped");
        assertTrue(json.indexOf("\"e24\"") < json.indexOf("\"e5\""), json);
    }

    @Test
    void html_fetchesNothingFromElsewhere() {
        String html = new StatusPage().html();
        assertFalse(html.contains("http://") && !html.contains("http://www.w3.org/2000/svg"), "no absolute URLs");
        assertFalse(html.contains("https://"), "no external scripts, styles or fonts");
        assertFalse(html.contains("<script src"), "the script is inline");
        assertFalse(html.contains("@import") || html.contains("@font-face"), "no fonts or style sheets fetched");
        assertFalse(html.contains("innerHTML"), "data goes in as text, never as markup");
    }
}
