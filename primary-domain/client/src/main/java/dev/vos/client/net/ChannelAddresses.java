package dev.vos.client.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;

/** The address checks every channel of the provider makes, with the default provider's exceptions. */
final class ChannelAddresses {

    private ChannelAddresses() {
    }

    /**
     * {@code address} as an IP socket address: {@code NullPointerException} for null,
     * {@code UnsupportedAddressTypeException} for another kind, {@code UnresolvedAddressException} for an
     * unresolved one.
     */
    static InetSocketAddress inet(final SocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (!(address instanceof InetSocketAddress inet)) {
            throw new UnsupportedAddressTypeException();
        }
        if (inet.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return inet;
    }

    /**
     * {@code address} as a Unix domain socket address: {@code NullPointerException} for null,
     * {@code UnsupportedAddressTypeException} for another kind.
     */
    static UnixDomainSocketAddress unix(final SocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (!(address instanceof UnixDomainSocketAddress unix)) {
            throw new UnsupportedAddressTypeException();
        }
        return unix;
    }

    /** A peer to connect or send to: {@link #inet}, the wildcard meaning this host, as the default provider's. */
    static InetSocketAddress destination(final SocketAddress address) {
        final InetSocketAddress inet = inet(address);
        return inet.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress(InetAddress.getLoopbackAddress(), inet.getPort()) : inet;
    }
}
