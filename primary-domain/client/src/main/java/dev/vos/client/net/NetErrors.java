package dev.vos.client.net;

import dev.vos.sys.Errno;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;

/**
 * The exceptions the default provider throws for an errno, so that code written against it sees the same classes
 * through the net domain: a refused connect is a {@link ConnectException}, a bind the kernel (or the domain's
 * {@code net.bind} policy) refuses a {@link BindException}, a reset a {@link SocketException}. The message names the
 * errno and the call, since the domain's answer is the only evidence of what happened there.
 */
final class NetErrors {

    private NetErrors() {
    }

    /** The exception for {@code errno}, a positive number the domain answered to {@code call}. */
    static IOException of(final int errno, final String call) {
        final String text = Errno.message(errno) + " (" + Errno.name(errno) + " from the net domain's " + call + ")";
        return switch (errno) {
            case Errno.ECONNREFUSED, Errno.ETIMEDOUT -> new ConnectException(text);
            case Errno.EHOSTUNREACH, Errno.ENETUNREACH -> new NoRouteToHostException(text);
            case Errno.EADDRINUSE, Errno.EADDRNOTAVAIL, Errno.EACCES -> "bind".equals(call)
                    ? new BindException(text) : new SocketException(text);
            case Errno.ECONNRESET, Errno.EPIPE, Errno.ENOTCONN, Errno.ECONNABORTED, Errno.EINVAL,
                 Errno.ENOPROTOOPT, Errno.ENODEV, Errno.ENOENT, Errno.EAGAIN, Errno.ESRCH ->
                    new SocketException(text); // ENOENT: no Unix path; EAGAIN: a full Unix backlog, not waited for;
                                               // ESRCH: a peer the domain cannot name (SO_PEERCRED)
            default -> new IOException(text);
        };
    }
}
