package dev.vos.net.protocol;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * A socket address in a slot's payload: Linux's own {@code struct sockaddr_in}, {@code struct sockaddr_in6}
 * ({@code <netinet/in.h>}) and {@code struct sockaddr_un} ({@code <sys/un.h>}), x86_64, byte for byte, so that
 * the domain hands the kernel what the client wrote (after copying it out of shared memory and checking it) and a
 * client written in C needs no translation. The family is in host order (little-endian), the port in network order
 * (big-endian), as the kernel has them.
 * <pre>
 *  sockaddr_in (16 bytes)                       sockaddr_in6 (28 bytes)
 *   0      2      4             8        16      0      2      4          8                    24        28
 *  +------+------+-------------+--------+       +------+------+----------+--------------------+---------+
 *  |family| port | addr (4)    | zero   |       |family| port | flowinfo | addr (16)          | scope_id|
 *  +------+------+-------------+--------+       +------+------+----------+--------------------+---------+
 *
 *  sockaddr_un (2 to 110 bytes: the length says how much of sun_path is used)
 *   0      2                                                     110
 *  +------+-------------------------------------------------------+
 *  |family| sun_path: the path's UTF-8 bytes, then NUL            |
 *  +------+-------------------------------------------------------+
 * </pre>
 * A sockaddr_un of 2 bytes is an unnamed socket's (an accepted connection's peer, or a bind that asks for a name
 * to be chosen). A sun_path that starts with NUL is Linux's abstract namespace, which vos does not serve.
 */
public final class SockaddrLayout {

    /** {@code AF_UNSPEC}: a UDP socket's connect to it dissolves the socket's peer. */
    public static final int AF_UNSPEC = 0;
    /** {@code AF_UNIX}: a Unix domain socket, named by a path. */
    public static final int AF_UNIX = 1;
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
    /** {@code char sun_path[108]}: the path, NUL-terminated when it is shorter than 108 bytes. */
    public static final int UN_PATH_OFFSET = 2;
    /** {@code sizeof(sun_path)}. */
    public static final int UN_PATH_BYTES = 108;
    /** {@code sizeof(struct sockaddr_un)}: the most a sockaddr_un takes; its length is often less. */
    public static final int UN_BYTES = UN_PATH_OFFSET + UN_PATH_BYTES;
    /** Room for any of them: what a call that returns an address needs in the payload. */
    public static final int MAX_BYTES = UN_BYTES;

    private SockaddrLayout() {
    }

    /**
     * The size of a socket address of {@code family} (for {@code AF_UNIX} the most it takes), or -1 for a family
     * this layout does not have.
     */
    public static int bytes(int family) {
        return switch (family) {
            case AF_INET -> IN_BYTES;
            case AF_INET6 -> IN6_BYTES;
            case AF_UNIX -> UN_BYTES;
            default -> -1;
        };
    }

    /**
     * Writes {@code address} at the start of {@code to} as a sockaddr_un, its path NUL-terminated (an empty path: the
     * family alone, 2 bytes); returns its size.
     *
     * @throws IllegalArgumentException if the path takes more than 107 bytes or has a NUL, or {@code to} is too small
     */
    public static int encode(UnixDomainSocketAddress address, MemorySegment to) {
        byte[] path = address.getPath().toString().getBytes(StandardCharsets.UTF_8);
        if (path.length >= UN_PATH_BYTES) {
            throw new IllegalArgumentException("path too long for a Unix domain socket: " + path.length + " bytes");
        }
        for (byte b : path) {
            if (b == 0) {
                throw new IllegalArgumentException("a Unix domain socket's path has no NUL");
            }
        }
        int size = path.length == 0 ? UN_PATH_OFFSET : UN_PATH_OFFSET + path.length + 1;
        if (to.byteSize() < size) {
            throw new IllegalArgumentException("sockaddr needs " + size + " bytes, has " + to.byteSize());
        }
        to.asSlice(0, size).fill((byte) 0);
        to.set(JAVA_SHORT_UNALIGNED, FAMILY_OFFSET, (short) AF_UNIX);
        MemorySegment.copy(path, 0, to, JAVA_BYTE, UN_PATH_OFFSET, path.length);
        return size;
    }

    /**
     * The Unix domain socket address in the first {@code length} bytes of {@code from}: its path up to the first NUL
     * (the empty path for an unnamed socket's 2 bytes); null when they are no sockaddr_un, or name the abstract
     * namespace (a NUL first).
     */
    public static UnixDomainSocketAddress decodeUnix(MemorySegment from, long length) {
        if (length < UN_PATH_OFFSET || length > UN_BYTES || from.byteSize() < length
                || Short.toUnsignedInt(from.get(JAVA_SHORT_UNALIGNED, FAMILY_OFFSET)) != AF_UNIX) {
            return null;
        }
        int end = UN_PATH_OFFSET;
        while (end < length && from.get(JAVA_BYTE, end) != 0) {
            end++;
        }
        if (end == UN_PATH_OFFSET && length > UN_PATH_OFFSET) {
            return null; // the abstract namespace, or an empty path written out
        }
        byte[] path = from.asSlice(UN_PATH_OFFSET, end - UN_PATH_OFFSET).toArray(JAVA_BYTE);
        return UnixDomainSocketAddress.of(new String(path, StandardCharsets.UTF_8));
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
     * The IP address in the first {@code length} bytes of {@code from}, or null when they are no sockaddr_in or
     * sockaddr_in6 (another family, or too few bytes for its own).
     */
    public static InetSocketAddress decode(MemorySegment from, long length) {
        if (length < 2 || from.byteSize() < length) {
            return null;
        }
        int family = Short.toUnsignedInt(from.get(JAVA_SHORT_UNALIGNED, FAMILY_OFFSET));
        if (family != AF_INET && family != AF_INET6) {
            return null;
        }
        int size = bytes(family);
        if (length < size) {
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
