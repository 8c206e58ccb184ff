package dev.vos.ring.transport;

import dev.vos.ring.RingSegment;

/**
 * How a ring's two sides share bytes and wake each other: the SPI the ring's client, server and agent are written
 * against. A transport has three parts: the {@link Segment} (the shared bytes: made by a {@link SegmentMaker} on the
 * creating side, mapped by the transport's own rendezvous on the other), one {@link Doorbell} per side, and a {@link
 * PeerWatch} for the server's liveness. The process transport ({@code transport.process}: a file or sealed memfd,
 * futex words, {@code /proc}) is the embedded default; the Xen transport ({@code transport.xen}: grant-shared pages, an
 * interdomain event channel, xenstore) is the second (docs/ring-protocol.md, section 15).
 *
 * <p>The methods take the ring's view of the segment ({@link RingSegment}): a transport that keeps words in the
 * ring's header (the process transport's futex words, its server's pid) finds them there at the offsets of
 * {@code HeaderLayout}.
 */
public interface Transport {

    /** A short name for messages and figures: {@code process}, {@code xen}. */
    String name();

    /** The doorbell of {@code side} on {@code ring}. */
    Doorbell doorbell(RingSegment ring, Side side);

    /**
     * Writes into {@code ring}, on the server's side at attach and before SERVING is published, what the client's
     * {@link PeerWatch} needs to find this server (the process transport: its pid and start time). Plain stores:
     * the SERVING store releases them.
     */
    void announceServer(RingSegment ring);

    /** The client's watch of {@code ring}'s server, judging with the ring's liveness timeout. */
    PeerWatch watchServer(RingSegment ring, long livenessTimeoutNs);
}
