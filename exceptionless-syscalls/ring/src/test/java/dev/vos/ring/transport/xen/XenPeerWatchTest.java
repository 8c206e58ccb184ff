package dev.vos.ring.transport.xen;

import dev.vos.ring.HangEvidence;
import dev.vos.ring.RingFailure;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;

/**
 * How the Xen transport judges a server whose heartbeat is stale, from what the client's tool stack says of its
 * domain, without Xen: the segment is ordinary memory here, its liveness byte set or cleared by the test.
 */
class XenPeerWatchTest {

    private static final long TIMEOUT_NS = 2_000_000_000L;
    private static final int DOMID = 7;

    private final MemorySegment memory = Arena.ofAuto().allocate(4096);

    private XenPeerWatch watch(PeerDomain.State state) {
        memory.set(ValueLayout.JAVA_BYTE, XenLiveness.SERVER_ALIVE_OFFSET, XenLiveness.ALIVE);
        return new XenPeerWatch(memory, TIMEOUT_NS, DOMID, () -> state);
    }

    @Test
    void paused_isAHangAtOnce_namingTheDomain() {
        RingFailure f = watch(PeerDomain.State.PAUSED).judgeStale(TIMEOUT_NS + 1, 0, () -> false);
        RingFailure.Hung hung = assertInstanceOf(RingFailure.Hung.class, f);
        assertEquals(new HangEvidence.DomainPaused(DOMID), hung.evidence());
        assertTrue(hung.describe().contains("its Xen domain 7 is paused"), hung.describe());
    }

    @Test
    void running_isBusyUpToTheCap_thenHung() {
        XenPeerWatch w = watch(PeerDomain.State.RUNNING);
        assertNull(w.judgeStale(TIMEOUT_NS + 1, 0, () -> false), "a running domain is given time");
        assertNull(w.judgeStale(XenPeerWatch.CAP_FACTOR * TIMEOUT_NS, 0, () -> false), "still within the cap");
        RingFailure f = w.judgeStale(2 * XenPeerWatch.CAP_FACTOR * TIMEOUT_NS, 0, () -> false);
        assertInstanceOf(HangEvidence.BusyPastCap.class, assertInstanceOf(RingFailure.Hung.class, f).evidence());
    }

    @Test
    void gone_isADeath_andSoIsAClearedLivenessByte() {
        assertInstanceOf(RingFailure.Died.class, watch(PeerDomain.State.GONE).judgeStale(TIMEOUT_NS + 1, 0,
                () -> false));
        XenPeerWatch w = watch(PeerDomain.State.RUNNING);
        memory.set(ValueLayout.JAVA_BYTE, XenLiveness.SERVER_ALIVE_OFFSET, (byte) 0);
        assertInstanceOf(RingFailure.Died.class, w.judgeStale(TIMEOUT_NS + 1, 0, () -> false));
        assertInstanceOf(RingFailure.Died.class, w.gone());
    }

    @Test
    void unknown_isAHangOnTheHeartbeatAlone() {
        RingFailure f = watch(PeerDomain.State.UNKNOWN).judgeStale(TIMEOUT_NS + 1, 0, () -> false);
        assertInstanceOf(HangEvidence.HeartbeatOnly.class, assertInstanceOf(RingFailure.Hung.class, f).evidence());
    }

    @Test
    void aBeatWhileTheStateWasAsked_isAlive() {
        assertNull(watch(PeerDomain.State.PAUSED).judgeStale(TIMEOUT_NS + 1, 0, () -> true));
    }
}
