package dev.vos.controlplane.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pages beside /metrics: served read-only, with headers that keep anything else out of them, under the token. */
class MetricsServerPagesTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, MetricsServer.Page> pages = Map.of(
            "/", new MetricsServer.Page("text/html; charset=utf-8", () -> "<p>status</p>"),
            "/broken", new MetricsServer.Page("application/json", () -> {
                throw new IllegalStateException("no figures");
            }));

    private static HttpResponse<String> send(HttpClient http, MetricsServer server, String method, String path,
                                             String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPage_isServedWithItsTypeAndLockedDown_otherMethodsAre405_unknownPaths404() throws Exception {
        try (MetricsServer server = MetricsServer.start(registry, new MetricsServer.Loopback(0), null,
                MetricsServer.Limits.DEFAULTS, pages);
             HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> page = send(http, server, "GET", "/", null);
            assertEquals(200, page.statusCode());
            assertEquals("<p>status</p>", page.body());
            assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow()
                    .contains("default-src 'self'"), page.headers().toString());
            assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());

            assertEquals(405, send(http, server, "POST", "/", null).statusCode());
            HttpResponse<String> unknown = send(http, server, "GET", "/status.html", null);
            assertEquals(404, unknown.statusCode());
            assertEquals("not found: the paths served are /metrics, /, /broken\n", unknown.body());
            HttpResponse<String> broken = send(http, server, "GET", "/broken", null);
            assertEquals(500, broken.statusCode(), "a failing page is an error, not a dropped connection");
            assertEquals(200, send(http, server, "GET", "/metrics", null).statusCode());
        }
    }

    @Test
    void withAToken_pagesNeedItToo() throws Exception {
        try (MetricsServer server = MetricsServer.start(registry, new MetricsServer.Loopback(0), "s3cret",
                MetricsServer.Limits.DEFAULTS, pages);
             HttpClient http = HttpClient.newHttpClient()) {
            assertEquals(401, send(http, server, "GET", "/", null).statusCode());
            assertEquals(200, send(http, server, "GET", "/", "s3cret").statusCode());
        }
    }

    @Test
    void aPageAtMetricsOrWithoutSlash_isRefused() {
        MetricsServer.Page p = new MetricsServer.Page("text/plain", () -> "");
        assertThrows(IllegalArgumentException.class, () -> MetricsServer.start(registry,
                new MetricsServer.Loopback(0), null, MetricsServer.Limits.DEFAULTS, Map.of("/metrics", p)));
        assertThrows(IllegalArgumentException.class, () -> MetricsServer.start(registry,
                new MetricsServer.Loopback(0), null, MetricsServer.Limits.DEFAULTS, Map.of("status", p)));
    }
}
