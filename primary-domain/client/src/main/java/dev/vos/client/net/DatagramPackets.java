package dev.vos.client.net;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A {@code DatagramPacket} received into from a net0 channel, for the two {@code DatagramSocket}s over one
 * ({@link VosDatagramSocketImpl}, {@link VosDatagramSocketAdaptor}): the wait, with SO_TIMEOUT, and the packet's room.
 *
 * <p><b>A packet's room.</b> The JDK's own socket receives into a packet's whole buffer length and then sets only the
 * length received, so a packet used again receives as much as the first time. That buffer length is not public:
 * code outside {@code java.net} can only call {@code setLength}, which sets both. So the room each packet had and
 * the length it was given are kept here (weakly, by identity, for the JVM: a program receives with one packet on
 * several sockets); a packet handed back with that same length, array and offset gets the same room again, and any
 * other length is the new room, as a program's {@code setLength} makes it. The one case that differs: a program
 * that calls {@code setLength} with exactly the length last received gets the older, larger room.
 */
final class DatagramPackets {

    private static final String TIMED_OUT = "Receive timed out";

    /** What a packet could hold when it was last received into, and what it was given then. */
    private record Room(byte[] data, int offset, int capacity, int lengthSet) {
    }

    /** Per packet received into (see the class comment). Under itself. */
    private static final Map<DatagramPacket, Room> ROOMS = new WeakHashMap<>();

    private DatagramPackets() {
    }

    /**
     * One datagram from {@code channel} into {@code p}, its sender set on it; waits for one, at most
     * {@code timeoutMs} if not 0 (then {@code SocketTimeoutException("Receive timed out")}, the JDK's text), trying
     * without waiting and waiting on a selector of its own between tries ({@link TimedWait}: no call waits in the
     * domain). With {@code peek} the datagram stays queued.
     */
    static void receive(final VosDatagramChannel channel, final DatagramPacket p, final int timeoutMs,
                        final boolean peek) throws IOException {
        final byte[] data = p.getData();
        final int offset = p.getOffset();
        final int capacity = room(p);
        final ByteBuffer dst = ByteBuffer.wrap(data, offset, capacity);
        final InetSocketAddress from;
        if (timeoutMs == 0) {
            from = channel.receive(dst, false, peek);
        } else {
            final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            from = TimedWait.until(channel, SelectionKey.OP_READ, deadline, () -> channel.receive(dst, true, peek),
                    TIMED_OUT);
        }
        final int received = dst.position() - offset;
        p.setLength(received);
        p.setSocketAddress(from);
        synchronized (ROOMS) {
            ROOMS.put(p, new Room(data, offset, capacity, received));
        }
    }

    /** The bytes {@code p} can take now (see the class comment). */
    private static int room(final DatagramPacket p) {
        synchronized (ROOMS) {
            final Room last = ROOMS.get(p);
            if (last != null && last.data() == p.getData() && last.offset() == p.getOffset()
                    && last.lengthSet() == p.getLength()) {
                return last.capacity();
            }
            return p.getLength();
        }
    }
}
