package dev.vos.net.protocol;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * A socket address in a slot's payload: Linux's own {@code struct sockaddr_in} and {@code struct sockaddr_in6}
 * ({@code <netinet/in.h>}, x86_64), byte for byte, so that the domain hands the kernel what the client wrote (after
 * copying it out of shared memory and checking it) and a client written in C needs no translation. The family is
 * in host order (little-endian), the port in network order (big-endian), as the kernel has them.
 * <pre>
 *  sockaddr_in (16 bytes)                       sockaddr_in6 (28 bytes)
 *   0      2      4             8        16      0      2      4          8                    24        28
 *  +------+------+-------------+--------+       +------+------+----------+--------------------+---------+
 *  |family| port | addr (4)    | zero   |       |family| port | flowinfo | addr (16)          | scope_id|
 *  +------+------+-------------+--------+       +------+------+----------+--------------------+---------+
 * </pre>
 */
public final class SockaddrLayout {

    /** {@code AF_UNSPEC}: a UDP socket's connect to it dissolves the socket's peer. */
    public static final int AF_UNSPEC = 0;
    /** {@code AF_INET}. */
    public static final int AF_INET = 2;
    /** {@code AF_INET6}. */
    public static final int AF_INET6 = 10;

    /** {@code sa_family_t sin_family / sin6_family}: u16, host order. */
    public static final int FAMILY_OFFSET = 0;
    /** {@code in_port_t sin_port / sin6_port}: u16, network order. */
    public static final int PORT_OFFSET = 2;
    /** {@code struct in_addr sin_addr}: 4 bytes, network order. */
    public static final int IN_ADDR_OFFSET = 4;
    /** {@code sizeof(struct sockaddr_in)}: the address, then 8 bytes of zero padding. */
    public static final int IN_BYTES = 16;
    /** {@code uint32_t sin6_flowinfo}. */
    public static final int IN6_FLOWINFO_OFFSET = 4;
    /** {@code struct in6_addr sin6_addr}: 16 bytes, network order. */
    public static final int IN6_ADDR_OFFSET = 8;
    /** {@code uint32_t sin6_scope_id}: host order. */
    public static final int IN6_SCOPE_ID_OFFSET = 24;
    /** {@code sizeof(struct sockaddr_in6)}. */
    public static final int IN6_BYTES = 28;
    /** Room for either: what a call that returns an address needs in the payload. */
    public static final int MAX_BYTES = IN6_BYTES;

    private SockaddrLayout() {
    }

    /** The size of a socket address of {@code family}, or -1 for a family this layout does not have. */
    public static int bytes(int family) {
        return switch (family) {
            case AF_INET -> IN_BYTES;
            case AF_INET6 -> IN6_BYTES;
            default -> -1;
        };
    }

    /** The family of {@code address}'s IP address. */
    public static int family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? AF_INET6 : AF_INET;
    }

    /**
     * Writes {@code address} (resolved) at the start of {@code to} as a sockaddr of its family; returns its size.
     *
     * @throws IllegalArgumentException if it is unresolved or {@code to} is too small
     */
    public static int encode(InetSocketAddress address, MemorySegment to) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address " + address);
        }
        int family = ip instanceof Inet6Address ? AF_INET6 : AF_INET;
        int size = bytes(family);
        if (to.byteSize() < size) {
            throw new IllegalArgumentException("sockaddr needs " + size + " bytes, has " + to.byteSize());
        }
        to.asSlice(0, size).fill((byte) 0);
        to.set(JAVA_SHORT_UNALIGNED, FAMILY_OFFSET, (short) family);
        to.set(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), PORT_OFFSET, (short) address.getPort());
        byte[] raw = ip.getAddress();
        if (family == AF_INET) {
            MemorySegment.copy(raw, 0, to, JAVA_BYTE, IN_ADDR_OFFSET, raw.length);
        } else {
            MemorySegment.copy(raw, 0, to, JAVA_BYTE, IN6_ADDR_OFFSET, raw.length);
            to.set(JAVA_INT_UNALIGNED, IN6_SCOPE_ID_OFFSET, ((Inet6Address) ip).getScopeId());
        }
        return size;
    }

    /**
     * The address in the first {@code length} bytes of {@code from}, or null when they are no sockaddr_in or
     * sockaddr_in6 (a family this layout does not have, or too few bytes for its own).
     */
    public static InetSocketAddress decode(MemorySegment from, long length) {
        if (length < 2 || from.byteSize() < length) {
            return null;
        }
        int family = Short.toUnsignedInt(from.get(JAVA_SHORT_UNALIGNED, FAMILY_OFFSET));
        int size = bytes(family);
        if (size < 0 || length < size) {
            return null;
        }
        int port = Short.toUnsignedInt(from.get(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), PORT_OFFSET));
        byte[] raw = from.asSlice(family == AF_INET ? IN_ADDR_OFFSET : IN6_ADDR_OFFSET, family == AF_INET ? 4 : 16)
                .toArray(JAVA_BYTE);
        try {
            InetAddress ip = family == AF_INET ? InetAddress.getByAddress(raw)
                    : Inet6Address.getByAddress(null, raw, scope(from.get(JAVA_INT_UNALIGNED, IN6_SCOPE_ID_OFFSET)));
            return new InetSocketAddress(ip, port);
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4 or 16 byte address is always valid", e);
        }
    }

    /**
     * A scope id as {@code Inet6Address} takes it: 0 (none) is -1, "not set", so that {@code ::1} reads as such and
     * not as {@code ::1%0}; a u32 above {@code Integer.MAX_VALUE} names no interface either.
     */
    private static int scope(int scopeId) {
        return scopeId > 0 ? scopeId : -1;
    }

    /** Whether {@code address} is an IPv4 address (not an IPv4-mapped IPv6 one: Java maps those to Inet4). */
    public static boolean isIpv4(InetAddress address) {
        return address instanceof Inet4Address;
    }
}
