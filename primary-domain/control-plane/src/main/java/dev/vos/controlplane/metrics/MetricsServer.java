package dev.vos.controlplane.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Serves a registry's scrape at {@code GET /metrics}, over HTTP/1.1 on {@code 127.0.0.1} or on a Unix socket, and
 * optionally only to a client that presents a bearer token.
 *
 * <p>Loopback because the endpoint names every domain, its pid, state and call counts: a Prometheus on another
 * machine reaches it through whatever tunnel or proxy the operator chooses, never by accident. Every local user can
 * connect to a loopback port, so the server is written for hostile clients: it holds at most
 * {@link Limits#maxConnections()} connections (it accepts no more until one ends, so a flood waits in the kernel's
 * listen queue and costs the control plane no descriptor), each for at most {@link Limits#requestTimeout()} from
 * accept to the last byte of the answer however slowly it sends, with request line and headers of at most
 * {@link Limits#maxRequestBytes()}. One request per connection ({@code Connection: close}).
 */
public final class MetricsServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(MetricsServer.class.getName());

    /** The one path served. */
    public static final String PATH = "/metrics";
    /** Prometheus text exposition format 0.0.4, the one {@link PrometheusMeterRegistry#scrape()} writes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    /** How long the acceptor waits after an accept error (EMFILE: the host is out of descriptors) before it tries. */
    private static final long ACCEPT_BACKOFF_MS = 100;

    /**
     * Where the endpoint listens.
     */
    public sealed interface Listen {
    }

    /** TCP on {@code 127.0.0.1:port}; port 0 for any free one. */
    public record Loopback(int port) implements Listen {
        public Loopback {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
        }
    }

    /**
     * A Unix-domain socket at {@code path}, mode 0660 (its owner and the group it gets: the directory's, when that
     * is set-group-id): for hosts whose local users must not see the figures at all.
     */
    public record UnixSocket(Path path) implements Listen {
        public UnixSocket {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * What one client may cost the control plane.
     *
     * @param maxConnections  connections held at once; default 16
     * @param requestTimeout  from accept to the answer's last byte; default 5 s (a scrape takes milliseconds)
     * @param maxRequestBytes request line and headers; default 8 KiB
     */
    public record Limits(int maxConnections, Duration requestTimeout, int maxRequestBytes) {
        public static final Limits DEFAULTS = new Limits(16, Duration.ofSeconds(5), 8192);

        public Limits {
            if (maxConnections < 1 || requestTimeout.isNegative() || requestTimeout.isZero()
                    || maxRequestBytes < 64) {
                throw new IllegalArgumentException("maxConnections=" + maxConnections + ", requestTimeout="
                        + requestTimeout + ", maxRequestBytes=" + maxRequestBytes);
            }
        }
    }

    private final PrometheusMeterRegistry registry;
    private final ServerSocketChannel listener;
    private final Listen listen;
    private final byte[] token;
    private final Limits limits;
    private final Semaphore slots;
    private final Executor closer;
    private final Thread acceptor;
    private volatile boolean open = true;

    private MetricsServer(PrometheusMeterRegistry registry, ServerSocketChannel listener, Listen listen,
                          byte[] token, Limits limits) {
        this.registry = registry;
        this.listener = listener;
        this.listen = listen;
        this.token = token;
        this.limits = limits;
        this.slots = new Semaphore(limits.maxConnections());
        this.closer = CompletableFuture.delayedExecutor(limits.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        this.acceptor = Thread.ofPlatform().name("vos-metrics-accept").daemon().unstarted(this::accept);
    }

    /**
     * Binds {@code 127.0.0.1:port} and serves without a token, with the default limits.
     *
     * @param port a TCP port, or 0 for an ephemeral one (see {@link #port()})
     * @throws IOException if the port cannot be bound: the message names the port
     */
    public static MetricsServer start(PrometheusMeterRegistry registry, int port) throws IOException {
        return start(registry, new Loopback(port), null, Limits.DEFAULTS);
    }

    /**
     * Listens where {@code listen} says and starts serving.
     *
     * @param bearerToken when not null, a request must carry {@code Authorization: Bearer <token>} (compared in
     *                    constant time) or it gets 401 and nothing else
     * @throws IOException if it cannot listen there; the message names the port or the path
     */
    public static MetricsServer start(PrometheusMeterRegistry registry, Listen listen, String bearerToken,
                                      Limits limits) throws IOException {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(limits, "limits");
        if (bearerToken != null && bearerToken.isEmpty()) {
            throw new IllegalArgumentException("an empty bearer token would admit anyone");
        }
        ServerSocketChannel listener = switch (listen) {
            case Loopback l -> bindLoopback(l.port());
            case UnixSocket u -> bindUnix(u.path());
        };
        MetricsServer server = new MetricsServer(registry, listener, listen,
                bearerToken == null ? null : bearerToken.getBytes(StandardCharsets.UTF_8), limits);
        server.acceptor.start();
        return server;
    }

    private static ServerSocketChannel bindLoopback(int port) throws IOException {
        // 127.0.0.1 literally: InetAddress.getLoopbackAddress() may be ::1, and "localhost" may resolve elsewhere.
        InetAddress loopback = InetAddress.getByAddress("localhost", new byte[]{127, 0, 0, 1});
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
        try {
            listener.bind(new InetSocketAddress(loopback, port));
            return listener;
        } catch (BindException e) {
            listener.close();
            throw new IOException("metrics port " + port + " on 127.0.0.1 is taken (" + e.getMessage() + "; another"
                    + " control plane?); set controlPlane.metricsPort to a free port, or 0 for any", e);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
    }

    /** Binds under a temporary name, sets the mode, then renames into place: nobody connects before the mode. */
    private static ServerSocketChannel bindUnix(Path path) throws IOException {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.readAttributes(path,
                java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
            // Replaced only if it is a socket (a stale one of a dead control plane), never a file or a link.
            throw new IOException("metrics socket " + path + " exists and is not a socket; remove it or set"
                    + " controlPlane.metricsSocket to another path");
        }
        Path binding = path.resolveSibling(path.getFileName() + ".binding");
        Files.deleteIfExists(binding);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listener.bind(UnixDomainSocketAddress.of(binding));
            Files.setPosixFilePermissions(binding, PosixFilePermissions.fromString("rw-rw----"));
            Files.move(binding, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return listener;
        } catch (IOException e) {
            listener.close();
            Files.deleteIfExists(binding);
            throw new IOException("cannot listen for metrics on " + path + ": " + e.getMessage(), e);
        }
    }

    /** The bound TCP port: the one asked for, or the ephemeral one chosen for port 0; -1 on a Unix socket. */
    public int port() {
        return address() == null ? -1 : address().getPort();
    }

    /** The bound TCP address, always 127.0.0.1; null on a Unix socket. */
    public InetSocketAddress address() {
        try {
            return listener.getLocalAddress() instanceof InetSocketAddress a ? a : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Where to scrape, for people: {@code http://127.0.0.1:9464/metrics}, or {@code unix:PATH /metrics}. */
    public String url() {
        return switch (listen) {
            case Loopback l -> "http://127.0.0.1:" + port() + PATH;
            case UnixSocket u -> "unix:" + u.path() + " " + PATH;
        };
    }

    /** Stops accepting and drops the connections in progress. */
    @Override
    public void close() {
        open = false;
        try {
            listener.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
        acceptor.interrupt();
        if (listen instanceof UnixSocket u) {
            try {
                Files.deleteIfExists(u.path());
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot remove the metrics socket {0}: {1}", u.path(), e.getMessage());
            }
        }
    }

    /**
     * Takes a slot, then accepts: with every slot busy, nothing is accepted and the connections wait in the
     * kernel's listen queue. An accept error (out of descriptors, a connection reset before it was accepted) is
     * survived: it is logged, and accepting resumes after a short pause.
     */
    private void accept() {
        while (open) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                slots.release();
                if (!open) {
                    return;
                }
                LOG.log(Level.WARNING, "metrics endpoint: accept failed, retrying: {0}", e.toString());
                try {
                    Thread.sleep(ACCEPT_BACKOFF_MS);
                } catch (InterruptedException x) {
                    return;
                }
                continue;
            }
            // The deadline covers the whole exchange: a client that sends one byte a second is cut all the same.
            closer.execute(() -> closeQuietly(channel));
            Thread.ofVirtual().name("vos-metrics-request").start(() -> {
                try {
                    serve(channel);
                } finally {
                    closeQuietly(channel);
                    slots.release();
                }
            });
        }
    }

    private void serve(SocketChannel channel) {
        try {
            HttpRequest request = HttpRequest.read(channel, limits.maxRequestBytes());
            switch (request) {
                case HttpRequest.Incomplete _ -> {
                    // the client went away before it finished: nobody to answer
                }
                case HttpRequest.TooLarge _ -> respond(channel, 431, "Request Header Fields Too Large", TEXT,
                        "request line and headers exceed " + limits.maxRequestBytes() + " bytes\n", "");
                case HttpRequest.Malformed m -> respond(channel, 400, "Bad Request", TEXT, m.why() + "\n", "");
                case HttpRequest.Parsed p -> answer(channel, p);
            }
        } catch (IOException e) {
            // closed by the deadline, or reset by the client: the connection is all there was to lose
        }
    }

    private void answer(SocketChannel channel, HttpRequest.Parsed request) throws IOException {
        if (token != null && !authorized(request.header("authorization"))) {
            respond(channel, 401, "Unauthorized", TEXT, "a bearer token is required\n",
                    "WWW-Authenticate: Bearer realm=\"vos\"\r\n");
            return;
        }
        // The path first: a request for anything else is wrong whatever its method.
        if (!PATH.equals(request.path())) {
            respond(channel, 404, "Not Found", TEXT, "not found: the only path served is " + PATH + "\n", "");
            return;
        }
        if (!"GET".equals(request.method())) {
            respond(channel, 405, "Method Not Allowed", TEXT, "method " + request.method() + " not allowed: use GET "
                    + PATH + "\n", "Allow: GET\r\n");
            return;
        }
        String body;
        try {
            body = registry.scrape();
        } catch (RuntimeException e) {
            // A failing meter must show up as a failed scrape (Prometheus records up=0), not a dropped connection.
            respond(channel, 500, "Internal Server Error", TEXT, "scrape failed: " + e + "\n", "");
            return;
        }
        respond(channel, 200, "OK", CONTENT_TYPE, body, "");
    }

    private boolean authorized(String authorization) {
        String scheme = "bearer ";
        if (authorization == null || authorization.length() < scheme.length()
                || !authorization.substring(0, scheme.length()).toLowerCase(Locale.ROOT).equals(scheme)) {
            return false;
        }
        byte[] given = authorization.substring(scheme.length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token); // constant time for equal lengths
    }

    private static void respond(SocketChannel channel, int status, String reason, String contentType, String body,
                                String extraHeaders) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n" + extraHeaders + "\r\n";
        ByteBuffer out = ByteBuffer.allocate(head.length() + bytes.length);
        out.put(head.getBytes(StandardCharsets.US_ASCII)).put(bytes).flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
