package dev.vos.ring.client;

import dev.vos.ring.HangEvidence;
import dev.vos.ring.RingFailure;
import dev.vos.ring.RingSegment;
import dev.vos.ring.TestSegments;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.transport.PeerWatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import static dev.vos.ring.layout.HeaderLayout.HEARTBEAT_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.STUCK_CALL_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.STUCK_NS_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.STUCK_WORKER_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The heartbeat is a counter the client judges on its own clock: a server whose clock is not the client's (another
 * Xen domain's {@code CLOCK_MONOTONIC}) is alive while its count moves, whatever the values; a count that stops turns
 * stale no later than a timestamp would have (the bound of hang detection is kept), and not earlier than a period
 * before. Synthetic times, no threads: nothing here depends on the machine's load.
 */
class HangJudgeHeartbeatTest {

    private static final long TIMEOUT_NS = 100_000_000L;
    private static final long PERIOD_NS = TIMEOUT_NS / 10;
    private static final RingGeometry GEOMETRY = new RingGeometry(8, 4096, TIMEOUT_NS);

    private Path file;
    private RingSegment segment;
    private final Peer peer = new Peer();

    /** A peer watch that records what the judge asked, and answers "hung" once asked about a stale heartbeat. */
    private static final class Peer implements PeerWatch {
        int fresh;
        long staleNs = -1;

        @Override
        public void fresh() {
            fresh++;
        }

        @Override
        public RingFailure judgeStale(long staleNs, long nowNs, BooleanSupplier beatMeanwhile) {
            this.staleNs = staleNs;
            return new RingFailure.Hung(staleNs, TIMEOUT_NS, new HangEvidence.HeartbeatOnly("test"));
        }
    }

    @BeforeEach
    void segment() throws Exception {
        file = TestSegments.fresh("judge-count");
        segment = TestSegments.create(file, GEOMETRY);
    }

    @AfterEach
    void close() throws Exception {
        segment.close();
        Files.deleteIfExists(file);
    }

    @Test
    void aCountThatMoves_isAlive_whateverItsValuesAndTheClients() {
        HangJudge judge = new HangJudge(segment, peer, TIMEOUT_NS);
        long[] counts = {Long.MAX_VALUE - 1, Long.MAX_VALUE, Long.MIN_VALUE, -5, 0, 7, 3};
        long now = -42_000_000_000L; // this side's clock, unrelated to anything the server wrote
        for (int i = 0; i < 100; i++) {
            segment.setLongRelease(HEARTBEAT_OFFSET, counts[i % counts.length]);
            assertNull(judge.judge(now), "check " + i);
            now += 3 * PERIOD_NS; // a count moves between checks that are three periods apart
        }
        assertEquals(100, peer.fresh);
        assertEquals(-1, peer.staleNs, "never asked about a stale heartbeat");
    }

    /**
     * Checks every period; the server's last beat lands between two checks. With a timestamp, the first stale
     * check is the first one more than a timeout after the beat; with the count it is never later, and the age it
     * reports is more than the timeout.
     */
    @Test
    void aCountThatStops_turnsStaleNoLaterThanATimestampWould() {
        for (long beatOffsetNs : new long[]{1, PERIOD_NS / 2, PERIOD_NS - 1}) {
            HangJudge judge = new HangJudge(segment, peer, TIMEOUT_NS);
            long count = 100;
            long now = 0;
            for (int i = 0; i < 20; i++, now += PERIOD_NS) {
                segment.setLongRelease(HEARTBEAT_OFFSET, ++count);
                assertNull(judge.judge(now));
            }
            long lastBeatNs = now - PERIOD_NS + beatOffsetNs; // between the previous check and the next
            segment.setLongRelease(HEARTBEAT_OFFSET, ++count);
            long firstStale = -1;
            for (; now < lastBeatNs + 3 * TIMEOUT_NS; now += PERIOD_NS) {
                if (judge.judge(now) != null) {
                    firstStale = now;
                    break;
                }
            }
            long timestampRule = lastBeatNs + TIMEOUT_NS + PERIOD_NS - Math.floorMod(lastBeatNs + TIMEOUT_NS,
                    PERIOD_NS); // the first check strictly more than a timeout after the beat
            assertTrue(firstStale > 0, "never stale");
            assertTrue(firstStale <= timestampRule, "stale at " + firstStale + ", a timestamp at " + timestampRule);
            assertTrue(firstStale - lastBeatNs > TIMEOUT_NS - PERIOD_NS, "at most a period early");
            assertTrue(peer.staleNs > TIMEOUT_NS, "the age handed to the peer watch: " + peer.staleNs);
        }
    }

    @Test
    void aLateCheck_thatSeesTheCountMoved_isAlive() {
        HangJudge judge = new HangJudge(segment, peer, TIMEOUT_NS);
        segment.setLongRelease(HEARTBEAT_OFFSET, 1);
        assertNull(judge.judge(0));
        segment.setLongRelease(HEARTBEAT_OFFSET, 2);
        assertNull(judge.judge(50 * TIMEOUT_NS), "the monitor itself was starved; the count moved meanwhile");
        assertEquals(-1, peer.staleNs);
    }

    @Test
    void aStuckWorker_isHungAtOnce_whileTheCountMoves() {
        HangJudge judge = new HangJudge(segment, peer, TIMEOUT_NS);
        segment.setLongRelease(HEARTBEAT_OFFSET, 1);
        assertNull(judge.judge(0));
        segment.setIntPlain(STUCK_WORKER_OFFSET, 2);
        segment.setIntPlain(STUCK_CALL_OFFSET, 63);
        segment.setLongPlain(STUCK_NS_OFFSET, 2 * TIMEOUT_NS);
        segment.setLongRelease(HEARTBEAT_OFFSET, 2);
        RingFailure.Hung hung = assertInstanceOf(RingFailure.Hung.class, judge.judge(PERIOD_NS));
        assertEquals(new HangEvidence.WorkerStuck(2, 63, 2 * TIMEOUT_NS), hung.evidence());
    }
}
