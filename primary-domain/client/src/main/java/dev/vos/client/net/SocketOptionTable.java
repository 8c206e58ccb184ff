package dev.vos.client.net;

import dev.vos.net.protocol.NetCalls;

import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Map;
import java.util.Set;

/**
 * The {@link StandardSocketOptions} the channels serve, as the protocol's {@code OPT_*} numbers, and their values
 * both ways: booleans as 0 or 1, byte counts and IP_TOS as themselves, SO_LINGER's "off" ({@code -1} to Java) as
 * {@link NetCalls#LINGER_OFF}. The domain serves SO_LINGER off or 0 only (a positive linger would make close wait in
 * the domain): a positive one is refused there, and the channel throws the {@code SocketException} it answers.
 */
final class SocketOptionTable {

    /** The options of a connected or connecting socket. */
    static final Map<SocketOption<?>, Integer> STREAM = Map.of(
            StandardSocketOptions.SO_RCVBUF, NetCalls.OPT_SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, NetCalls.OPT_SO_SNDBUF,
            StandardSocketOptions.SO_KEEPALIVE, NetCalls.OPT_SO_KEEPALIVE,
            StandardSocketOptions.SO_REUSEADDR, NetCalls.OPT_SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT, NetCalls.OPT_SO_REUSEPORT,
            StandardSocketOptions.SO_LINGER, NetCalls.OPT_SO_LINGER,
            StandardSocketOptions.TCP_NODELAY, NetCalls.OPT_TCP_NODELAY,
            StandardSocketOptions.IP_TOS, NetCalls.OPT_IP_TOS);

    /** The options of a listening socket (the default provider's set for ServerSocketChannel). */
    static final Map<SocketOption<?>, Integer> LISTENING = Map.of(
            StandardSocketOptions.SO_RCVBUF, NetCalls.OPT_SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, NetCalls.OPT_SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT, NetCalls.OPT_SO_REUSEPORT);

    /**
     * The options of a UDP socket (the default provider's set for DatagramChannel). IP_MULTICAST_IF's value, a
     * {@code NetworkInterface}, is carried by the channel itself: an address or an index by the socket's family.
     */
    static final Map<SocketOption<?>, Integer> DATAGRAM = Map.of(
            StandardSocketOptions.SO_RCVBUF, NetCalls.OPT_SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, NetCalls.OPT_SO_SNDBUF,
            StandardSocketOptions.SO_REUSEADDR, NetCalls.OPT_SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT, NetCalls.OPT_SO_REUSEPORT,
            StandardSocketOptions.SO_BROADCAST, NetCalls.OPT_SO_BROADCAST,
            StandardSocketOptions.IP_TOS, NetCalls.OPT_IP_TOS,
            StandardSocketOptions.IP_MULTICAST_IF, NetCalls.OPT_IP_MULTICAST_IF,
            StandardSocketOptions.IP_MULTICAST_TTL, NetCalls.OPT_IP_MULTICAST_TTL,
            StandardSocketOptions.IP_MULTICAST_LOOP, NetCalls.OPT_IP_MULTICAST_LOOP);

    private SocketOptionTable() {
    }

    /** The protocol's number of {@code name} in {@code table}; UnsupportedOperationException as the JDK's. */
    static int number(final Map<SocketOption<?>, Integer> table, final SocketOption<?> name) {
        if (name == null) {
            throw new NullPointerException("name");
        }
        final Integer number = table.get(name);
        if (number == null) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        return number;
    }

    /** {@code value} of {@code name} as the protocol carries it; IllegalArgumentException as the JDK's. */
    static long encode(final SocketOption<?> name, final Object value) {
        if (value == null) {
            throw new IllegalArgumentException("Invalid value 'null'");
        }
        if (value instanceof Boolean on) {
            return on ? 1 : 0;
        }
        final int n = (Integer) value;
        if (name == StandardSocketOptions.SO_LINGER) {
            return n < 0 ? NetCalls.LINGER_OFF : n;
        }
        if (name == StandardSocketOptions.IP_TOS && (n < 0 || n > 255)) {
            throw new IllegalArgumentException("Invalid IP_TOS value");
        }
        if (name == StandardSocketOptions.IP_MULTICAST_TTL && (n < 0 || n > 255)) {
            throw new IllegalArgumentException("Invalid TTL/hop value");
        }
        if (n < 0) {
            throw new IllegalArgumentException("Invalid send/receive buffer size");
        }
        return n;
    }

    /** The protocol's {@code raw} as the Java value of {@code name}. */
    static Object decode(final SocketOption<?> name, final long raw) {
        if (name.type() == Boolean.class) {
            return raw != 0;
        }
        if (name == StandardSocketOptions.SO_LINGER && raw == NetCalls.LINGER_OFF) {
            return -1;
        }
        if (name == StandardSocketOptions.SO_RCVBUF || name == StandardSocketOptions.SO_SNDBUF) {
            // Linux reports twice the size set (its bookkeeping overhead); the default provider halves it so that
            // a value reads back as set, and so does this one.
            return (int) Math.min(raw / 2, Integer.MAX_VALUE);
        }
        return (int) Math.min(raw, Integer.MAX_VALUE);
    }

    /** The names of {@code table}, as supportedOptions() gives them. */
    static Set<SocketOption<?>> names(final Map<SocketOption<?>, Integer> table) {
        return table.keySet();
    }
}
