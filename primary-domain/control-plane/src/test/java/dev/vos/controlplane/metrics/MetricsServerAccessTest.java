package dev.vos.controlplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.*;

/** The switches for hosts with untrusted local users: the endpoint behind a bearer token, or on a Unix socket. */
@Timeout(30)
class MetricsServerAccessTest {

    private static final String TOKEN = "s3cret-token-of-the-operator";

    @TempDir
    Path dir;
    private PrometheusMeterRegistry registry;

    @BeforeEach
    void registry() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter.builder("vos.test.requests").tag("domain", "storage0").register(registry).increment(2);
    }

    @Test
    void withAToken_aScrapeWithoutIt_gets401AndNoFigures() throws Exception {
        try (MetricsServer server = MetricsServer.start(registry, new MetricsServer.Loopback(0), TOKEN,
                MetricsServer.Limits.DEFAULTS)) {
            for (String authorization : new String[]{null, "Bearer wrong", "Bearer " + TOKEN + "x",
                    "Basic " + TOKEN, "Bearer"}) {
                String answer = tcp(server.port(), authorization);
                assertTrue(answer.startsWith("HTTP/1.1 401 "), authorization + " -> " + answer);
                assertTrue(answer.contains("WWW-Authenticate: Bearer"), answer);
                assertFalse(answer.contains("storage0"), "no figure leaks: " + answer);
            }
            String answer = tcp(server.port(), "Bearer " + TOKEN);
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
            assertTrue(answer.contains("vos_test_requests_total{domain=\"storage0\"} 2.0"), answer);
            assertTrue(tcp(server.port(), "bearer " + TOKEN).startsWith("HTTP/1.1 200 "), "the scheme is any case");
        }
    }

    @Test
    void onAUnixSocket_thereIsNoTcpPort_andTheSocketIsOwnerAndGroupOnly() throws Exception {
        Path socket = dir.resolve("metrics.sock");
        try (MetricsServer server = MetricsServer.start(registry, new MetricsServer.UnixSocket(socket), null,
                MetricsServer.Limits.DEFAULTS)) {
            assertEquals(-1, server.port());
            assertEquals("unix:" + socket + " /metrics", server.url());
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            String answer = unix(socket, "GET /metrics HTTP/1.1\r\nHost: vos\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
            assertTrue(answer.contains("vos_test_requests_total{domain=\"storage0\"} 2.0"), answer);
        }
        assertFalse(Files.exists(socket), "closed: the socket is removed");
    }

    @Test
    void aUnixSocketPathThatIsAFile_isNotReplaced() throws Exception {
        Path file = dir.resolve("precious");
        Files.writeString(file, "keep me");
        IOException e = assertThrows(IOException.class, () -> MetricsServer.start(registry,
                new MetricsServer.UnixSocket(file), null, MetricsServer.Limits.DEFAULTS));
        assertTrue(e.getMessage().contains("exists and is not a socket"), e.getMessage());
        assertEquals("keep me", Files.readString(file));
    }

    private static String tcp(int port, String authorization) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            String request = "GET /metrics HTTP/1.1\r\nHost: vos\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String unix(Path socket, String request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(1 << 20);
            while (channel.read(in) >= 0) {
                if (!in.hasRemaining()) {
                    break;
                }
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        }
    }
}
