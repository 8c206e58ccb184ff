package dev.vos.client.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.channels.MembershipKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code DatagramSocket}'s {@code joinGroup} and {@code leaveGroup} over a net0 channel's memberships, with the
 * JDK's checks and texts ({@code "Already a member of group"} ...), for the two sockets over one
 * ({@link VosDatagramSocketImpl}, {@link VosDatagramSocketAdaptor}). One per socket.
 *
 * <p>A join or leave that names no interface uses IP_MULTICAST_IF if set, else the interface holding the socket's
 * local address; a socket bound to the wildcard with neither must name one (a {@code SocketException} says so),
 * where the JDK's would let the kernel choose by route: net0 joins on an interface it is told, which its policy
 * checks against {@code net.bind}.
 */
final class DatagramMemberships {

    /** By (group, interface), as the JDK's adaptor finds them. Under this. */
    private final Map<List<Object>, MembershipKey> keys = new HashMap<>();

    void join(final VosDatagramChannel channel, final SocketAddress mcastaddr, final NetworkInterface netIf)
            throws IOException {
        final InetAddress group = checkGroup(mcastaddr);
        final NetworkInterface ni = netIf != null ? netIf : defaultInterface(channel);
        synchronized (this) {
            final List<Object> key = List.of(group, ni);
            final MembershipKey held = keys.get(key);
            if (held != null && held.isValid()) {
                throw new SocketException("Already a member of group");
            }
            keys.put(key, channel.join(group, ni));
        }
    }

    void leave(final VosDatagramChannel channel, final SocketAddress mcastaddr, final NetworkInterface netIf)
            throws IOException {
        final InetAddress group = checkGroup(mcastaddr);
        final NetworkInterface ni = netIf != null ? netIf : defaultInterface(channel);
        synchronized (this) {
            final MembershipKey held = keys.remove(List.of(group, ni));
            if (held == null || !held.isValid()) {
                throw new SocketException("Not a member of group");
            }
            held.drop();
        }
    }

    /** As the JDK's adaptor checks a group. */
    private static InetAddress checkGroup(final SocketAddress mcastaddr) throws SocketException {
        if (!(mcastaddr instanceof InetSocketAddress address)) {
            throw new IllegalArgumentException("Unsupported address type");
        }
        final InetAddress group = address.getAddress();
        if (group == null) {
            throw new IllegalArgumentException("Unresolved address");
        }
        if (!group.isMulticastAddress()) {
            throw new SocketException("Not a multicast address");
        }
        return group;
    }

    /** IP_MULTICAST_IF, else the interface of the socket's local address (see the class comment). */
    private static NetworkInterface defaultInterface(final VosDatagramChannel channel) throws IOException {
        final NetworkInterface set = channel.getOption(StandardSocketOptions.IP_MULTICAST_IF);
        if (set != null) {
            return set;
        }
        final InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
        final NetworkInterface ni = local == null || local.getAddress().isAnyLocalAddress() ? null
                : NetworkInterface.getByInetAddress(local.getAddress());
        if (ni == null) {
            throw new SocketException("The net domain joins a group on a named interface: pass one, set"
                    + " IP_MULTICAST_IF, or bind the socket to an address of the interface");
        }
        return ni;
    }
}
