package dev.vos.client.net;

import java.io.IOException;
import java.net.Authenticator;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.Security;
import java.util.Iterator;

/**
 * The SOCKS part of a plain {@code Socket}'s connect, as the JDK's own socket does it ({@code SocksSocketImpl}, which
 * wraps every {@code Socket} the JDK makes without a factory): the default {@link ProxySelector} is asked for
 * {@code socket://host:port}, and a SOCKS proxy it names is connected to, through the net domain, and asked to
 * CONNECT to the target. {@link VosSockets#install()} replaces the JDK's impl, and with it that wrapping; without
 * this class a program given {@code -DsocksProxyHost} would go straight to its target, skipping the proxy it was
 * told to use.
 *
 * <p>Kept from the JDK's impl, in its order and with its texts: the first proxy that accepts a connection is used,
 * and the selector's {@code connectFailed} is told of each that does not; a DIRECT or HTTP entry before any SOCKS one
 * connects directly; SOCKS 5 is spoken with no authentication or a user name and password (RFC 1929, from the
 * {@link Authenticator}, else {@code user.name}), and SOCKS 4 when {@code socksProxyVersion} is 4 or a server does
 * not answer as SOCKS 5; a target name left unresolved goes to a SOCKS 5 proxy to resolve; the connect's timeout
 * covers the exchange ({@code SocketTimeoutException("Connect timed out")}).
 *
 * <p>Not served: a {@code Socket(Proxy)} made with an explicit SOCKS proxy, which the JDK builds over its own impl
 * without asking the factory, so it stays on the host's stack (docs/network.md).
 */
final class SocksConnect {

    /** SOCKS 5 (RFC 1928) and its user name and password method (RFC 1929). */
    private static final int V5 = 5;
    private static final int NO_AUTH = 0;
    private static final int USER_PASSWORD = 2;
    private static final int NO_METHODS = 0xFF;
    private static final int CONNECT = 1;
    private static final int IPV4 = 1;
    private static final int DOMAIN_NAME = 3;
    private static final int IPV6 = 4;
    private static final int REQUEST_OK = 0;
    /** SOCKS 4. */
    private static final int V4 = 4;
    private static final int V4_GRANTED = 90;

    /** How a connect was made: directly, or through a proxy that must still be asked to CONNECT. */
    sealed interface Route {
        /** Connected to the target itself. */
        record Direct() implements Route {
        }

        /** Connected to a SOCKS proxy at {@code proxy}, which speaks {@code version} (4 or 5). */
        record Socks(InetSocketAddress proxy, int version) implements Route {
        }
    }

    /** The connect of one channel. */
    interface Connector {
        void connect(InetSocketAddress to, int timeoutMs) throws IOException;
    }

    private SocksConnect() {
    }

    /** The deadline of a connect with {@code timeoutMs} (0: none), in {@code currentTimeMillis}, as the JDK's. */
    static long deadline(final int timeoutMs) {
        if (timeoutMs == 0) {
            return 0L;
        }
        final long finish = System.currentTimeMillis() + timeoutMs;
        return finish < 0 ? Long.MAX_VALUE : finish;
    }

    /** What is left of the deadline, 0 for none; {@code SocketTimeoutException} once it has passed. */
    static int remainingMillis(final long deadlineMillis) throws SocketTimeoutException {
        if (deadlineMillis == 0L) {
            return 0;
        }
        final long remaining = deadlineMillis - System.currentTimeMillis();
        if (remaining > 0) {
            return (int) Math.min(remaining, Integer.MAX_VALUE);
        }
        throw new SocketTimeoutException();
    }

    /**
     * Connects with {@code connector} to what the default proxy selector names for {@code target}: the target, or
     * the first SOCKS proxy that accepts the connection. Not {@code proxied} (a {@code Socket(Proxy.NO_PROXY)}): the
     * target.
     */
    static Route connect(final InetSocketAddress target, final long deadlineMillis, final boolean proxied,
                         final Connector connector) throws IOException {
        final ProxySelector selector = proxied ? ProxySelector.getDefault() : null;
        if (selector == null) {
            return direct(target, deadlineMillis, connector);
        }
        final URI uri;
        try {
            // The 7-argument form brackets an IPv6 literal; getHostString does no reverse lookup.
            uri = new URI("socket", null, target.getHostString(), target.getPort(), null, null, null);
        } catch (URISyntaxException e) {
            throw new IOException("Failed to select a proxy", e);
        }
        final Iterator<Proxy> proxies;
        try {
            proxies = selector.select(uri).iterator();
        } catch (IllegalArgumentException e) {
            throw new IOException("Failed to select a proxy", e);
        }
        if (!proxies.hasNext()) {
            return direct(target, deadlineMillis, connector);
        }
        IOException failed = null;
        while (proxies.hasNext()) {
            final Proxy p = proxies.next();
            if (p == null || p.type() != Proxy.Type.SOCKS) {
                return direct(target, deadlineMillis, connector);
            }
            if (!(p.address() instanceof InetSocketAddress at)) {
                throw new SocketException("Unknown address type for proxy: " + p);
            }
            try {
                final InetSocketAddress proxy = new InetSocketAddress(at.getHostString(), at.getPort());
                connector.connect(proxy, remainingMillis(deadlineMillis));
                return new Route.Socks(proxy, version());
            } catch (IOException e) {
                selector.connectFailed(uri, p.address(), e);
                failed = e;
            }
        }
        throw new SocketException("Can't connect to SOCKS proxy:" + failed.getMessage());
    }

    private static Route direct(final InetSocketAddress target, final long deadlineMillis, final Connector connector)
            throws IOException {
        connector.connect(target, remainingMillis(deadlineMillis));
        return new Route.Direct();
    }

    /** 4 when {@code socksProxyVersion} says so, as the JDK's default selector reads it; else 5. */
    private static int version() {
        return Integer.getInteger("socksProxyVersion", V5) == V4 ? V4 : V5;
    }

    /**
     * Asks the proxy that {@code channel} is connected to ({@code route}) to CONNECT to {@code target}, within the
     * deadline.
     * On a refusal or a malformed answer the channel is closed and a {@code SocketException} with the JDK's text
     * thrown.
     */
    static void request(final VosSocketChannel channel, final Route.Socks route, final InetSocketAddress target,
                        final long deadlineMillis) throws IOException {
        final Exchange exchange = new Exchange(channel, deadlineMillis);
        if (route.version() == V4) {
            requireResolved(target);
            connectV4(exchange, target);
            return;
        }
        exchange.send(new byte[] {V5, 2, NO_AUTH, USER_PASSWORD});
        final byte[] chosen = exchange.receive(2);
        if (chosen[0] != V5) {
            requireResolved(target); // not a SOCKS 5 server: try 4 on the same connection, as the JDK does
            connectV4(exchange, target);
            return;
        }
        if ((chosen[1] & 0xFF) == NO_METHODS) {
            throw new SocketException("SOCKS : No acceptable methods");
        }
        if (!authenticate(exchange, chosen[1] & 0xFF, route.proxy())) {
            throw new SocketException("SOCKS : authentication failed");
        }
        final ByteBuffer request = ByteBuffer.allocate(6 + 256);
        request.put((byte) V5).put((byte) CONNECT).put((byte) 0);
        if (target.isUnresolved()) {
            final byte[] name = target.getHostName().getBytes(StandardCharsets.ISO_8859_1);
            request.put((byte) DOMAIN_NAME).put((byte) name.length).put(name);
        } else {
            request.put((byte) (target.getAddress() instanceof Inet6Address ? IPV6 : IPV4))
                    .put(target.getAddress().getAddress());
        }
        request.putShort((short) target.getPort());
        exchange.send(request.flip());
        final byte[] reply = exchange.receive(4);
        final int status = reply[1] & 0xFF;
        if (status != REQUEST_OK) {
            exchange.fail(switch (status) {
                case 1 -> "SOCKS server general failure";
                case 2 -> "SOCKS: Connection not allowed by ruleset";
                case 3 -> "SOCKS: Network unreachable";
                case 4 -> "SOCKS: Host unreachable";
                case 5 -> "SOCKS: Connection refused";
                case 6 -> "SOCKS: TTL expired";
                case 7 -> "SOCKS: Command not supported";
                case 8 -> "SOCKS: address type not supported";
                default -> null; // the JDK's impl takes any other status for a success, and reads no more
            });
            return;
        }
        // The address the proxy bound for the connection, then its port: read and dropped, as the JDK does.
        final int length = switch (reply[3]) {
            case IPV4 -> 4;
            case IPV6 -> 16;
            case DOMAIN_NAME -> exchange.receive(1)[0] & 0xFF;
            default -> -1;
        };
        if (length < 0) {
            exchange.fail("Reply from SOCKS server contains wrong code");
        }
        exchange.receive(length);
        exchange.receive(2);
    }

    private static void requireResolved(final InetSocketAddress target) throws UnknownHostException {
        if (target.isUnresolved()) {
            throw new UnknownHostException(includesHostInfo() ? target.toString() : "");
        }
    }

    /** Whether the JDK puts host names in socket exceptions' texts ({@code jdk.includeInExceptions}). */
    private static boolean includesHostInfo() {
        String value = System.getProperty("jdk.includeInExceptions");
        if (value == null) {
            value = Security.getProperty("jdk.includeInExceptions");
        }
        if (value == null) {
            return false;
        }
        for (final String token : value.split(",")) {
            if (token.trim().equalsIgnoreCase("hostInfo")) {
                return true;
            }
        }
        return false;
    }

    /** RFC 1929 when the proxy chose it, with the {@link Authenticator}'s answer or else {@code user.name}. */
    private static boolean authenticate(final Exchange exchange, final int method, final InetSocketAddress proxy)
            throws IOException {
        if (method == NO_AUTH) {
            return true;
        }
        if (method != USER_PASSWORD) {
            return false;
        }
        final String host = proxy.getHostString();
        final PasswordAuthentication pw = Authenticator.requestPasswordAuthentication(host,
                InetAddress.getByName(host), proxy.getPort(), "SOCKS5", "SOCKS authentication", null);
        final String user = pw != null ? pw.getUserName() : System.getProperty("user.name");
        if (user == null) {
            return false;
        }
        final byte[] name = user.getBytes(StandardCharsets.ISO_8859_1);
        final byte[] password = pw != null ? new String(pw.getPassword()).getBytes(StandardCharsets.ISO_8859_1)
                : new byte[0];
        final ByteBuffer request = ByteBuffer.allocate(3 + name.length + password.length);
        request.put((byte) 1).put((byte) name.length).put(name).put((byte) password.length).put(password);
        exchange.send(request.flip());
        final byte[] reply = exchange.receive(2);
        if (reply[1] != 0) {
            exchange.channel.close(); // RFC 1929: the connection must be closed
            return false;
        }
        return true;
    }

    private static void connectV4(final Exchange exchange, final InetSocketAddress target) throws IOException {
        if (!(target.getAddress() instanceof Inet4Address address)) {
            throw new SocketException("SOCKS V4 requires IPv4 only addresses");
        }
        final byte[] user = System.getProperty("user.name", "").getBytes(StandardCharsets.ISO_8859_1);
        final ByteBuffer request = ByteBuffer.allocate(9 + user.length);
        request.put((byte) V4).put((byte) CONNECT).putShort((short) target.getPort()).put(address.getAddress())
                .put(user).put((byte) 0);
        exchange.send(request.flip());
        final byte[] reply = exchange.receive(8);
        if (reply[0] != 0 && reply[0] != V4) {
            throw new SocketException("Reply from SOCKS server has bad version");
        }
        final int status = reply[1] & 0xFF;
        if (status != V4_GRANTED) {
            exchange.fail(switch (status) {
                case 91 -> "SOCKS request rejected";
                case 92 -> "SOCKS server couldn't reach destination";
                case 93 -> "SOCKS authentication failed";
                default -> "Reply from SOCKS server contains bad status";
            });
        }
    }

    /** The bytes of one exchange with a proxy, over a blocking channel, each read within the connect's deadline. */
    private record Exchange(VosSocketChannel channel, long deadlineMillis) {

        void send(final byte[] bytes) throws IOException {
            send(ByteBuffer.wrap(bytes));
        }

        void send(final ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }

        /** Exactly {@code n} bytes; the JDK's texts when the time is up or the proxy ends the stream first. */
        byte[] receive(final int n) throws IOException {
            final ByteBuffer into = ByteBuffer.allocate(n);
            while (into.hasRemaining()) {
                final int count;
                try {
                    count = channel.readWithin(into, remainingMillis(deadlineMillis));
                } catch (SocketTimeoutException e) {
                    throw new SocketTimeoutException("Connect timed out");
                }
                if (count < 0) {
                    throw new SocketException("Malformed reply from SOCKS server");
                }
            }
            return into.array();
        }

        /** Closes the connection to the proxy and throws {@code message}, unless it is null (no failure). */
        void fail(final String message) throws IOException {
            if (message != null) {
                channel.close();
                throw new SocketException(message);
            }
        }
    }
}
