package dev.vos.client.net;

import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

/**
 * What the default socket adaptors ({@code channel.socket()}) throw where their methods declare only
 * {@code SocketException}: the channel's exception translated as {@code sun.nio.ch.Net.translateToSocketException}
 * does, so that a program handed an adaptor of a net0 channel sees the class and the text it would see on the
 * default provider ({@code NetDifferentialTest}, {@code DatagramSocketDifferentialTest}).
 */
final class AdaptorErrors {

    private AdaptorErrors() {
    }

    /**
     * A {@code SocketException} as it is; the channel's state exceptions as {@code SocketException}s with the
     * default's texts ("Socket is closed" ...) and the channel's exception as the cause; any other checked exception
     * as a {@code SocketException} with its text. Any other runtime exception is thrown as it is, as the default's.
     */
    static SocketException socketException(final Exception e) {
        return switch (e) {
            case SocketException s -> s;
            case ClosedChannelException c -> new SocketException("Socket is closed", c);
            case NotYetConnectedException n -> new SocketException("Socket is not connected", n);
            case AlreadyBoundException a -> new SocketException("Already bound", a);
            case AlreadyConnectedException a -> new SocketException("Already connected", a);
            case NotYetBoundException n -> new SocketException("Socket is not bound yet", n);
            case UnsupportedAddressTypeException u -> new SocketException("Unsupported address type", u);
            case UnresolvedAddressException u -> new SocketException("Unresolved address", u);
            case RuntimeException r -> throw r;
            default -> new SocketException(e.getMessage(), e);
        };
    }

    /** The channel's option set through an adaptor: its exceptions as {@link #socketException}. */
    static <T> void setOption(final NetworkChannel channel, final SocketOption<T> name, final T value)
            throws SocketException {
        try {
            channel.setOption(name, value);
        } catch (Exception e) {
            throw socketException(e);
        }
    }

    /** The channel's option read through an adaptor: its exceptions as {@link #socketException}. */
    static <T> T getOption(final NetworkChannel channel, final SocketOption<T> name) throws SocketException {
        try {
            return channel.getOption(name);
        } catch (Exception e) {
            throw socketException(e);
        }
    }
}
