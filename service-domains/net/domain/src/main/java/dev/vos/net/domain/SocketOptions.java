package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.sys.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.vos.net.domain.NetSyscalls.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The protocol's socket options ({@code NetCalls.OPT_*}) as the kernel's level and name, with the values each
 * takes. An option number outside the table is ENOPROTOOPT, as the kernel answers for an option it does not have;
 * a value outside the option's range is EINVAL, where the kernel would quietly cut or clamp it.
 */
final class SocketOptions {

    /** How an option's value is checked and carried. */
    private enum Kind {
        /** 0 or 1. */
        SWITCH,
        /** A count of bytes, 0..Integer.MAX_VALUE (the kernel clamps it to its limits). */
        BYTES,
        /** 0..255. */
        OCTET,
        /** {@code struct linger}: LINGER_OFF or 0 (close resets); read back as seconds or LINGER_OFF. */
        LINGER,
        /** Read only. */
        READ_ONLY,
        /**
         * IP_MULTICAST_IF of an IPv4 socket: an IPv4 address as an unsigned 32-bit number, carried as the kernel's
         * {@code in_addr}.
         */
        ADDRESS4,
        /** IPV6_MULTICAST_IF: an interface index, 0..Integer.MAX_VALUE. */
        INDEX,
        /** Any {@code int}, for an option whose range the kernel checks itself (EINVAL outside it). */
        KERNEL_INT,
        /** The JDK's IP_DONTFRAGMENT: 0 or 1, carried as IP_PMTUDISC_DONT or IP_PMTUDISC_DO. */
        DONT_FRAGMENT
    }

    /** One option: the kernel's level and name, and its kind. */
    private record Option(int level, int name, Kind kind) {
    }

    /** An {@code in_addr}: an IPv4 address in network order. */
    private static final ValueLayout.OfInt IN_ADDR = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);

    private SocketOptions() {
    }

    /** The option {@code number} on a socket of {@code family}, or null when the protocol has no such option. */
    private static Option option(int number, int family) {
        boolean v6 = family == SockaddrLayout.AF_INET6;
        return switch (number) {
            case NetCalls.OPT_SO_RCVBUF -> new Option(SOL_SOCKET, SO_RCVBUF, Kind.BYTES);
            case NetCalls.OPT_SO_SNDBUF -> new Option(SOL_SOCKET, SO_SNDBUF, Kind.BYTES);
            case NetCalls.OPT_SO_KEEPALIVE -> new Option(SOL_SOCKET, SO_KEEPALIVE, Kind.SWITCH);
            case NetCalls.OPT_SO_REUSEADDR -> new Option(SOL_SOCKET, SO_REUSEADDR, Kind.SWITCH);
            case NetCalls.OPT_SO_REUSEPORT -> new Option(SOL_SOCKET, SO_REUSEPORT, Kind.SWITCH);
            case NetCalls.OPT_SO_LINGER -> new Option(SOL_SOCKET, SO_LINGER, Kind.LINGER);
            case NetCalls.OPT_TCP_NODELAY -> new Option(IPPROTO_TCP, TCP_NODELAY, Kind.SWITCH);
            case NetCalls.OPT_IP_TOS -> v6 ? new Option(IPPROTO_IPV6, IPV6_TCLASS, Kind.OCTET)
                    : new Option(IPPROTO_IP, IP_TOS, Kind.OCTET);
            case NetCalls.OPT_SO_ERROR -> new Option(SOL_SOCKET, SO_ERROR, Kind.READ_ONLY);
            case NetCalls.OPT_IPV6_V6ONLY -> v6 ? new Option(IPPROTO_IPV6, IPV6_V6ONLY, Kind.SWITCH) : null;
            case NetCalls.OPT_SO_BROADCAST -> new Option(SOL_SOCKET, SO_BROADCAST, Kind.SWITCH);
            case NetCalls.OPT_IP_MULTICAST_IF -> v6 ? new Option(IPPROTO_IPV6, IPV6_MULTICAST_IF, Kind.INDEX)
                    : new Option(IPPROTO_IP, IP_MULTICAST_IF, Kind.ADDRESS4);
            case NetCalls.OPT_IP_MULTICAST_TTL -> v6 ? new Option(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, Kind.OCTET)
                    : new Option(IPPROTO_IP, IP_MULTICAST_TTL, Kind.OCTET);
            case NetCalls.OPT_IP_MULTICAST_LOOP -> v6 ? new Option(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, Kind.SWITCH)
                    : new Option(IPPROTO_IP, IP_MULTICAST_LOOP, Kind.SWITCH);
            case NetCalls.OPT_TCP_KEEPIDLE -> new Option(IPPROTO_TCP, TCP_KEEPIDLE, Kind.KERNEL_INT);
            case NetCalls.OPT_TCP_KEEPINTERVAL -> new Option(IPPROTO_TCP, TCP_KEEPINTVL, Kind.KERNEL_INT);
            case NetCalls.OPT_TCP_KEEPCOUNT -> new Option(IPPROTO_TCP, TCP_KEEPCNT, Kind.KERNEL_INT);
            case NetCalls.OPT_TCP_QUICKACK -> new Option(IPPROTO_TCP, TCP_QUICKACK, Kind.SWITCH);
            case NetCalls.OPT_SO_INCOMING_NAPI_ID -> new Option(SOL_SOCKET, SO_INCOMING_NAPI_ID, Kind.READ_ONLY);
            case NetCalls.OPT_SO_OOBINLINE -> new Option(SOL_SOCKET, SO_OOBINLINE, Kind.SWITCH);
            case NetCalls.OPT_IP_DONTFRAGMENT -> v6 ? new Option(IPPROTO_IPV6, IPV6_MTU_DISCOVER, Kind.DONT_FRAGMENT)
                    : new Option(IPPROTO_IP, IP_MTU_DISCOVER, Kind.DONT_FRAGMENT);
            default -> null;
        };
    }

    /** setsockopt of option {@code number} to {@code value}: 0 or -errno. Under the socket's monitor. */
    static long set(NetSocket socket, int number, long value) {
        Option o = option(number, socket.family());
        if (o == null || o.kind() == Kind.READ_ONLY) {
            return -Errno.ENOPROTOOPT;
        }
        boolean valid = switch (o.kind()) {
            case SWITCH -> value == 0 || value == 1;
            case BYTES -> value >= 0 && value <= Integer.MAX_VALUE;
            case OCTET -> value >= 0 && value <= 255;
            case LINGER -> value == NetCalls.LINGER_OFF || value == 0; // a positive one: close waits, in the domain
            case READ_ONLY -> false;
            case ADDRESS4 -> value >= 0 && value <= 0xFFFF_FFFFL;
            case INDEX -> value >= 0 && value <= Integer.MAX_VALUE;
            case KERNEL_INT -> value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
            case DONT_FRAGMENT -> value == 0 || value == 1;
        };
        if (!valid) {
            return -Errno.EINVAL;
        }
        try (Arena arena = Arena.ofConfined()) {
            if (o.kind() == Kind.LINGER) {
                MemorySegment linger = arena.allocate(2L * Integer.BYTES, 4);
                linger.set(JAVA_INT, 0, value == 0 ? 1 : 0); // l_onoff
                linger.set(JAVA_INT, Integer.BYTES, 0);      // l_linger
                return setsockopt(socket.kernelFd(), o.level(), o.name(), linger.address(), 2 * Integer.BYTES);
            }
            if (o.kind() == Kind.ADDRESS4) {
                MemorySegment address = arena.allocate(JAVA_INT);
                address.set(IN_ADDR, 0, (int) value); // network order, as in_addr is
                return setsockopt(socket.kernelFd(), o.level(), o.name(), address.address(), Integer.BYTES);
            }
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, o.kind() == Kind.DONT_FRAGMENT ? (value == 1 ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT)
                    : (int) value);
            long r = setsockopt(socket.kernelFd(), o.level(), o.name(), v.address(), Integer.BYTES);
            if (r == 0 && o.level() == IPPROTO_IPV6 && isMulticast(number)) {
                setIpv4Twin(socket, arena, number, (int) value);
            }
            return r;
        }
    }

    private static boolean isMulticast(int number) {
        return number == NetCalls.OPT_IP_MULTICAST_IF || number == NetCalls.OPT_IP_MULTICAST_TTL
                || number == NetCalls.OPT_IP_MULTICAST_LOOP;
    }

    /**
     * The IPv4 twin of a multicast option just set on an IPv6 socket, for the IPv4 groups it sends to: its answer is
     * not the call's (an IPV6_V6ONLY socket has no IPv4 side, and the kernel may refuse there).
     */
    private static void setIpv4Twin(NetSocket socket, Arena arena, int number, int value) {
        if (number == NetCalls.OPT_IP_MULTICAST_IF) {
            MemorySegment mreqn = arena.allocate(IP_MREQN_BYTES, 4); // zeroed: no address, the index names it
            mreqn.set(JAVA_INT, IP_MREQN_INDEX_OFFSET, value);
            setsockopt(socket.kernelFd(), IPPROTO_IP, IP_MULTICAST_IF, mreqn.address(), IP_MREQN_BYTES);
            return;
        }
        int name = number == NetCalls.OPT_IP_MULTICAST_TTL ? IP_MULTICAST_TTL : IP_MULTICAST_LOOP;
        MemorySegment v = arena.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, value);
        setsockopt(socket.kernelFd(), IPPROTO_IP, name, v.address(), Integer.BYTES);
    }

    /** getsockopt of option {@code number}: its value (SO_LINGER: seconds or LINGER_OFF), or -errno. */
    static long get(NetSocket socket, int number) {
        Option o = option(number, socket.family());
        if (o == null) {
            return -Errno.ENOPROTOOPT;
        }
        if (o.kind() == Kind.ADDRESS4) {
            long r = NetHandlers.intOption(socket, o.level(), o.name());
            // in_addr, network order: the unsigned number, so that no address reads as an errno
            return r < 0 ? r : Integer.toUnsignedLong(Integer.reverseBytes((int) r));
        }
        if (o.kind() == Kind.DONT_FRAGMENT) {
            long r = NetHandlers.intOption(socket, o.level(), o.name());
            return r < 0 ? r : (r == IP_PMTUDISC_DO ? 1 : 0); // the default, IP_PMTUDISC_WANT, reads 0 as the JDK's
        }
        if (o.kind() != Kind.LINGER) {
            return NetHandlers.intOption(socket, o.level(), o.name());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment linger = arena.allocate(2L * Integer.BYTES, 4);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, 2 * Integer.BYTES);
            long r = getsockopt(socket.kernelFd(), o.level(), o.name(), linger.address(), length.address());
            if (r < 0) {
                return r;
            }
            return linger.get(JAVA_INT, 0) == 0 ? NetCalls.LINGER_OFF : linger.get(JAVA_INT, Integer.BYTES);
        }
    }
}
