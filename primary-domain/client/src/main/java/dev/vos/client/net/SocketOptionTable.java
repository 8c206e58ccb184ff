package dev.vos.client.net;

import dev.vos.net.protocol.NetCalls;
import jdk.net.ExtendedSocketOptions;

import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static java.util.Map.entry;

/**
 * The {@link StandardSocketOptions} and the JDK's {@link ExtendedSocketOptions} the channels serve (each channel the
 * set the default provider's serves, on Linux), as the protocol's {@code OPT_*} numbers, and their values both ways:
 * booleans as 0 or 1, byte counts, IP_TOS and the keep-alive times and count as themselves, SO_LINGER's "off"
 * ({@code -1} to Java) as {@link NetCalls#LINGER_OFF}. A keep-alive value out of the kernel's range is the kernel's
 * EINVAL, a {@code SocketException}, as with the default provider. The domain serves SO_LINGER off or 0 only (a
 * positive linger would make close wait in the domain): a positive one is refused there, and the channel throws the
 * {@code SocketException} it answers. SO_OOBINLINE, which the default provider lists through an option class of its
 * own (not public API), is not among a channel's options: no public option names it. A plain {@code Socket} sets it
 * ({@code setOOBInline}) through {@link VosSocketChannel#setOobInline}.
 */
final class SocketOptionTable {

    /**
     * The options of a Unix domain socket, connected or connecting: the default provider's. {@code SO_PEERCRED} is
     * the domain's answer ({@link NetCalls#OPT_SO_PEERCRED}): the peer's client where the peer is another client's
     * socket in the domain, which the kernel alone would name as the domain.
     */
    static final Map<SocketOption<?>, Integer> UNIX_STREAM = Map.of(
            StandardSocketOptions.SO_RCVBUF, NetCalls.OPT_SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, NetCalls.OPT_SO_SNDBUF,
            StandardSocketOptions.SO_LINGER, NetCalls.OPT_SO_LINGER,
            ExtendedSocketOptions.SO_PEERCRED, NetCalls.OPT_SO_PEERCRED);

    /** The options of a listening Unix domain socket: the default provider's. */
    static final Map<SocketOption<?>, Integer> UNIX_LISTENING = Map.of(
            StandardSocketOptions.SO_RCVBUF, NetCalls.OPT_SO_RCVBUF);

    /** The options of a connected or connecting socket. */
    static final Map<SocketOption<?>, Integer> STREAM = Map.ofEntries(
            entry(StandardSocketOptions.SO_RCVBUF, NetCalls.OPT_SO_RCVBUF),
            entry(StandardSocketOptions.SO_SNDBUF, NetCalls.OPT_SO_SNDBUF),
            entry(StandardSocketOptions.SO_KEEPALIVE, NetCalls.OPT_SO_KEEPALIVE),
            entry(StandardSocketOptions.SO_REUSEADDR, NetCalls.OPT_SO_REUSEADDR),
            entry(StandardSocketOptions.SO_REUSEPORT, NetCalls.OPT_SO_REUSEPORT),
            entry(StandardSocketOptions.SO_LINGER, NetCalls.OPT_SO_LINGER),
            entry(StandardSocketOptions.TCP_NODELAY, NetCalls.OPT_TCP_NODELAY),
            entry(StandardSocketOptions.IP_TOS, NetCalls.OPT_IP_TOS),
            entry(ExtendedSocketOptions.TCP_KEEPIDLE, NetCalls.OPT_TCP_KEEPIDLE),
            entry(ExtendedSocketOptions.TCP_KEEPINTERVAL, NetCalls.OPT_TCP_KEEPINTERVAL),
            entry(ExtendedSocketOptions.TCP_KEEPCOUNT, NetCalls.OPT_TCP_KEEPCOUNT),
            entry(ExtendedSocketOptions.TCP_QUICKACK, NetCalls.OPT_TCP_QUICKACK),
            entry(ExtendedSocketOptions.SO_INCOMING_NAPI_ID, NetCalls.OPT_SO_INCOMING_NAPI_ID));

    /**
     * The options of a listening socket (the default provider's set for ServerSocketChannel: the keep-alive ones
     * and TCP_QUICKACK too, which the sockets it accepts inherit).
     */
    static final Map<SocketOption<?>, Integer> LISTENING = Map.of(
            StandardSocketOptions.SO_RCVBUF, NetCalls.OPT_SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, NetCalls.OPT_SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT, NetCalls.OPT_SO_REUSEPORT,
            ExtendedSocketOptions.TCP_KEEPIDLE, NetCalls.OPT_TCP_KEEPIDLE,
            ExtendedSocketOptions.TCP_KEEPINTERVAL, NetCalls.OPT_TCP_KEEPINTERVAL,
            ExtendedSocketOptions.TCP_KEEPCOUNT, NetCalls.OPT_TCP_KEEPCOUNT,
            ExtendedSocketOptions.TCP_QUICKACK, NetCalls.OPT_TCP_QUICKACK,
            ExtendedSocketOptions.SO_INCOMING_NAPI_ID, NetCalls.OPT_SO_INCOMING_NAPI_ID);

    /**
     * The options of a {@code ServerSocket} (the default provider's set for its socket impl): a listening socket's,
     * and IP_TOS, which a {@code ServerSocketChannel} does not list.
     */
    static final Map<SocketOption<?>, Integer> SERVER_SOCKET = withIpTos(LISTENING);

    /**
     * The options of a UDP socket (the default provider's set for DatagramChannel). IP_MULTICAST_IF's value, a
     * {@code NetworkInterface}, is carried by the channel itself: an address or an index by the socket's family.
     */
    static final Map<SocketOption<?>, Integer> DATAGRAM = Map.ofEntries(
            entry(StandardSocketOptions.SO_RCVBUF, NetCalls.OPT_SO_RCVBUF),
            entry(StandardSocketOptions.SO_SNDBUF, NetCalls.OPT_SO_SNDBUF),
            entry(StandardSocketOptions.SO_REUSEADDR, NetCalls.OPT_SO_REUSEADDR),
            entry(StandardSocketOptions.SO_REUSEPORT, NetCalls.OPT_SO_REUSEPORT),
            entry(StandardSocketOptions.SO_BROADCAST, NetCalls.OPT_SO_BROADCAST),
            entry(StandardSocketOptions.IP_TOS, NetCalls.OPT_IP_TOS),
            entry(StandardSocketOptions.IP_MULTICAST_IF, NetCalls.OPT_IP_MULTICAST_IF),
            entry(StandardSocketOptions.IP_MULTICAST_TTL, NetCalls.OPT_IP_MULTICAST_TTL),
            entry(StandardSocketOptions.IP_MULTICAST_LOOP, NetCalls.OPT_IP_MULTICAST_LOOP),
            entry(ExtendedSocketOptions.IP_DONTFRAGMENT, NetCalls.OPT_IP_DONTFRAGMENT),
            entry(ExtendedSocketOptions.SO_INCOMING_NAPI_ID, NetCalls.OPT_SO_INCOMING_NAPI_ID));

    private SocketOptionTable() {
    }

    private static Map<SocketOption<?>, Integer> withIpTos(final Map<SocketOption<?>, Integer> table) {
        final Map<SocketOption<?>, Integer> with = new HashMap<>(table);
        with.put(StandardSocketOptions.IP_TOS, NetCalls.OPT_IP_TOS);
        return Map.copyOf(with);
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

    /**
     * {@code value} of {@code name} as the protocol carries it; IllegalArgumentException as the JDK's, and its
     * SocketException for a read-only option.
     */
    static long encode(final SocketOption<?> name, final Object value) throws SocketException {
        if (value == null) {
            throw new IllegalArgumentException("Invalid value 'null'");
        }
        if (name == ExtendedSocketOptions.SO_INCOMING_NAPI_ID) {
            throw new SocketException("Attempt to set read only option " + name);
        }
        if (name == ExtendedSocketOptions.SO_PEERCRED) {
            throw new SocketException("SO_PEERCRED cannot be set "); // the default provider's words, space and all
        }
        if (value instanceof Boolean on) {
            return on ? 1 : 0;
        }
        final int n = (Integer) value;
        if (name == ExtendedSocketOptions.TCP_KEEPIDLE || name == ExtendedSocketOptions.TCP_KEEPINTERVAL
                || name == ExtendedSocketOptions.TCP_KEEPCOUNT) {
            return n; // its range is the kernel's to judge, as it is for the default provider
        }
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
