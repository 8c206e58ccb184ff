package dev.vos.controlplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(30)
class MetricsServerTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private PrometheusMeterRegistry registry;
    private MetricsServer server;

    @BeforeEach
    void start() throws IOException {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter.builder("vos.test.requests").tag("domain", "storage0").register(registry).increment(2);
        server = MetricsServer.start(registry, 0);
    }

    @AfterEach
    void stop() {
        server.close();
        http.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(5))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void getMetrics_servesTheScrape() throws Exception {
        HttpResponse<String> response = send("GET", "/metrics");
        assertEquals(200, response.statusCode());
        assertEquals(Optional.of("text/plain; version=0.0.4; charset=utf-8"),
                response.headers().firstValue("Content-Type"));
        assertTrue(response.body().contains("# TYPE vos_test_requests_total counter\n"), response.body());
        assertTrue(response.body().contains("vos_test_requests_total{domain=\"storage0\"} 2.0\n"), response.body());

        // a scrape is live, not a snapshot taken at start
        registry.counter("vos.test.requests", "domain", "storage0").increment();
        assertTrue(send("GET", "/metrics?name[]=x").body()
                .contains("vos_test_requests_total{domain=\"storage0\"} 3.0"));
    }

    @Test
    void otherPaths_are404_namingMetrics() throws Exception {
        for (String path : new String[]{"/", "/metrics/", "/metric", "/favicon.ico"}) {
            HttpResponse<String> response = send("GET", path);
            assertEquals(404, response.statusCode(), path);
            assertEquals("not found: the paths served are /metrics\n", response.body(), path);
        }
        assertEquals(404, send("POST", "/other").statusCode(), "an unknown path is 404 whatever the method");
    }

    @Test
    void otherMethods_are405() throws Exception {
        for (String method : new String[]{"POST", "PUT", "DELETE"}) {
            HttpResponse<String> response = send(method, "/metrics");
            assertEquals(405, response.statusCode(), method);
            assertEquals(Optional.of("GET"), response.headers().firstValue("Allow"), method);
            assertEquals("method " + method + " not allowed: use GET /metrics\n", response.body());
        }
    }

    @Test
    void boundToLoopbackOnly() throws Exception {
        assertNotEquals(0, server.port());
        InetAddress bound = server.address().getAddress();
        assertTrue(bound.isLoopbackAddress(), bound.toString());
        assertEquals("127.0.0.1", bound.getHostAddress());

        // If this machine has a non-loopback address, the port must be closed there.
        Optional<InetAddress> external = NetworkInterface.networkInterfaces()
                .filter(MetricsServerTest::isUp)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
        assumeTrue(external.isPresent(), "no non-loopback IPv4 address to try");
        try (Socket socket = new Socket()) {
            assertThrows(ConnectException.class,
                    () -> socket.connect(new InetSocketAddress(external.get(), server.port()), 2_000));
        }
    }

    @Test
    void close_stopsServing() throws Exception {
        int port = server.port();
        server.close();
        try (Socket socket = new Socket()) {
            assertThrows(ConnectException.class,
                    () -> socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000));
        }
        server = MetricsServer.start(registry, 0); // for @AfterEach
    }

    @Test
    void badPort_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> MetricsServer.start(registry, 70_000));
        assertThrows(IllegalArgumentException.class, () -> MetricsServer.start(registry, -1));
    }

    private static boolean isUp(NetworkInterface i) {
        try {
            return i.isUp();
        } catch (SocketException e) {
            return false;
        }
    }
}
