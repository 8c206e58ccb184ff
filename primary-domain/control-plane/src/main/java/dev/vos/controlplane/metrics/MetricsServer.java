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
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Serves a registry's scrape at {@code GET /metrics}, over HTTP/1.1 on {@code 127.0.0.1} or on a Unix socket, and
 * optionally only to a client that presents a bearer token. The scrape is in the Prometheus text format 0.0.4, or
 * in OpenMetrics 1.0 (which carries each metric's unit) when the client's {@code Accept} asks for it, as
 * Prometheus's own scraper does. Beside it, any further {@link Page}s the caller hands over (the status page),
 * under the same limits and token.
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
    /** OpenMetrics 1.0, served to a client whose {@code Accept} names it. */
    public static final String OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";
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
     * A further page served beside {@code /metrics}, read-only ({@code GET}).
     *
     * @param contentType its {@code Content-Type}
     * @param body        what to serve, computed per request; a RuntimeException makes it a 500
     */
    public record Page(String contentType, Supplier<String> body) {
        public Page {
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(body, "body");
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
    private final Map<String, Page> pages;
    private volatile boolean open = true;

    private MetricsServer(PrometheusMeterRegistry registry, ServerSocketChannel listener, Listen listen,
                          byte[] token, Limits limits, Map<String, Page> pages) {
        this.registry = registry;
        this.pages = pages;
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
        return start(registry, listen, bearerToken, limits, Map.of());
    }

    /**
     * As {@link #start(PrometheusMeterRegistry, Listen, String, Limits)}, also serving {@code pages} by path.
     *
     * @param pages by path (each starting with "/", none {@link #PATH})
     */
    public static MetricsServer start(PrometheusMeterRegistry registry, Listen listen, String bearerToken,
                                      Limits limits, Map<String, Page> pages) throws IOException {
        Objects.requireNonNull(registry, "registry");
        pages.keySet().forEach(path -> {
            if (!path.startsWith("/") || path.equals(PATH)) {
                throw new IllegalArgumentException("a page's path must start with / and not be " + PATH + ": "
                        + path);
            }
        });
        Objects.requireNonNull(limits, "limits");
        if (bearerToken != null && bearerToken.isEmpty()) {
            throw new IllegalArgumentException("an empty bearer token would admit anyone");
        }
        ServerSocketChannel listener = switch (listen) {
            case Loopback l -> bindLoopback(l.port());
            case UnixSocket u -> bindUnix(u.path());
        };
        MetricsServer server = new MetricsServer(registry, listener, listen,
                bearerToken == null ? null : bearerToken.getBytes(StandardCharsets.UTF_8), limits,
                Map.copyOf(pages));
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
        // A channel closed while another thread is blocked in its accept is released only when that thread leaves
        // the accept: until then the port still listens, and a connect succeeds. Wait for the acceptor, so that
        // the port is closed when close returns (a restarted control plane may take it at once).
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
        Page page = pages.get(request.path());
        if (!PATH.equals(request.path()) && page == null) {
            String served = Stream.concat(Stream.of(PATH),
                    pages.keySet().stream().sorted()).collect(Collectors.joining(", "));
            respond(channel, 404, "Not Found", TEXT, "not found: the paths served are " + served + "\n", "");
            return;
        }
        if (!"GET".equals(request.method())) {
            respond(channel, 405, "Method Not Allowed", TEXT, "method " + request.method() + " not allowed: use GET "
                    + request.path() + "\n", "Allow: GET\r\n");
            return;
        }
        boolean openMetrics = page == null && acceptsOpenMetrics(request.header("accept"));
        String body;
        try {
            body = page != null ? page.body().get()
                    : openMetrics ? OpenMetricsUnits.add(registry.scrape(OPENMETRICS_CONTENT_TYPE)) : registry.scrape();
        } catch (RuntimeException e) {
            // A failing meter must show up as a failed scrape (Prometheus records up=0), not a dropped connection.
            respond(channel, 500, "Internal Server Error", TEXT, "scrape failed: " + e + "\n", "");
            return;
        }
        String type = page != null ? page.contentType() : openMetrics ? OPENMETRICS_CONTENT_TYPE : CONTENT_TYPE;
        respond(channel, 200, "OK", type, body, page != null ? PAGE_HEADERS : "");
    }

    /**
     * Headers of every page: nothing from elsewhere may run in it or frame it (the page itself carries all it
     * needs, so it works on a host without a network).
     */
    private static final String PAGE_HEADERS = "Content-Security-Policy: default-src 'self'; script-src 'self'"
            + " 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'\r\n"
            + "X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n";

    /** Whether an {@code Accept} header names OpenMetrics (Prometheus sends it first, with a q-value). */
    static boolean acceptsOpenMetrics(String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text");
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
