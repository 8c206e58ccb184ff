package dev.vos.controlplane.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a registry's scrape at {@code GET /metrics} on {@code 127.0.0.1} only. Loopback because the endpoint has no
 * authentication and names every domain: a Prometheus on another machine reaches it through whatever tunnel or
 * proxy the operator chooses, never by accident.
 */
public final class MetricsServer implements AutoCloseable {

    /** The one path served. */
    public static final String PATH = "/metrics";
    /** Prometheus text exposition format 0.0.4, the one {@link PrometheusMeterRegistry#scrape()} writes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code 127.0.0.1:port} and starts serving.
     *
     * @param port a TCP port, or 0 for an ephemeral one (see {@link #port()})
     * @throws IOException if the port cannot be bound (for example, another control plane holds it)
     */
    public static MetricsServer start(PrometheusMeterRegistry registry, int port) throws IOException {
        Objects.requireNonNull(registry, "registry");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        // 127.0.0.1 literally: InetAddress.getLoopbackAddress() may be ::1, and "localhost" may resolve elsewhere.
        InetAddress loopback = InetAddress.getByAddress("localhost", new byte[]{127, 0, 0, 1});
        HttpServer server = HttpServer.create(new InetSocketAddress(loopback, port), 0);
        // Scrapes are rare (every few seconds) and short; a virtual thread each costs next to nothing when idle.
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(registry, exchange));
        server.start();
        return new MetricsServer(server, executor);
    }

    /** The bound port: the one asked for, or the ephemeral one chosen for port 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The bound address, always 127.0.0.1. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops accepting, drops open exchanges, and waits for the handler threads to finish. */
    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }

    private static void handle(PrometheusMeterRegistry registry, HttpExchange exchange) throws IOException {
        try (exchange) {
            // The path first: a request for anything else is wrong whatever its method.
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                respond(exchange, 404, "text/plain; charset=utf-8", "not found: the only path served is " + PATH
                        + "\n");
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                respond(exchange, 405, "text/plain; charset=utf-8", "method " + exchange.getRequestMethod()
                        + " not allowed: use GET " + PATH + "\n");
                return;
            }
            String body;
            try {
                body = registry.scrape();
            } catch (RuntimeException e) {
                // A failing meter must show up as a failed scrape (Prometheus records up=0), not a dropped connection.
                respond(exchange, 500, "text/plain; charset=utf-8", "scrape failed: " + e + "\n");
                return;
            }
            respond(exchange, 200, CONTENT_TYPE, body);
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        // -1 means "no body"; a length of 0 would mean "chunked, length unknown" to HttpServer
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
