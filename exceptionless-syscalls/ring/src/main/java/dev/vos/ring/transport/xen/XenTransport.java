package dev.vos.ring.transport.xen;

import dev.vos.ring.RingSegment;
import dev.vos.ring.transport.Doorbell;
import dev.vos.ring.transport.PeerWatch;
import dev.vos.ring.transport.Side;
import dev.vos.ring.transport.Transport;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The Xen transport of one ring: its segment is grant-shared pages ({@link GrantSegment}), its doorbell an
 * interdomain event channel ({@link EventChannelDoorbell}), its peer watch the server's liveness byte and the
 * domain's state ({@link XenPeerWatch}). A process holds one side of a ring, so the one channel is that side's
 * doorbell. Made by its segment; the rendezvous that joins the two sides is {@link XenRendezvous}. The futex words and
 * SERVER_PID of the header go unused.
 */
public final class XenTransport implements Transport {

    private final MemorySegment memory;
    private final EventChannelDoorbell channel;
    private final int peerDomid;
    private final PeerDomain domain;

    XenTransport(MemorySegment memory, EventChannelDoorbell channel, int peerDomid, PeerDomain domain) {
        this.memory = memory;
        this.channel = channel;
        this.peerDomid = peerDomid;
        this.domain = domain;
    }

    @Override
    public String name() {
        return "xen";
    }

    /** This process's end of the ring's event channel, whichever side it is. */
    @Override
    public Doorbell doorbell(RingSegment ring, Side side) {
        return channel;
    }

    /**
     * SERVER_ALIVE = 1, a plain store released by SERVING: the server's unmap notification (armed when it mapped)
     * clears it when its mapping goes. The server's domain is the rendezvous's business, not the header's.
     */
    @Override
    public void announceServer(RingSegment ring) {
        memory.set(ValueLayout.JAVA_BYTE, XenLiveness.SERVER_ALIVE_OFFSET, XenLiveness.ALIVE);
    }

    @Override
    public PeerWatch watchServer(RingSegment ring, long livenessTimeoutNs) {
        return new XenPeerWatch(memory, livenessTimeoutNs, peerDomid, domain);
    }
}
