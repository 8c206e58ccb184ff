package dev.vos.controlplane.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The metrics endpoint is reachable by every local user, so its clients are hostile: however many connect, and
 * however slowly they send, the control plane holds a bounded number of their connections for a bounded time. The
 * review held 400 slow connections and made 8 restarts fail with "Too many open files".
 */
@Timeout(60)
class MetricsServerAbuseTest {

    private PrometheusMeterRegistry registry;
    private MetricsServer server;
    private final List<Socket> clients = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        server = MetricsServer.start(registry, 0);
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : clients) {
            s.close();
        }
        server.close();
    }

    @Test
    void fourHundredSilentConnections_holdAtMostTheBoundOfDescriptors_andAreDroppedAfterTheTimeout() throws Exception {
        Socket first = connect();
        List<SocketChannel> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 399; i++) {
                // Not waited for: once the server's listen queue is full, the kernel leaves the rest pending.
                SocketChannel c = SocketChannel.open();
                c.configureBlocking(false);
                c.connect(new InetSocketAddress("127.0.0.1", server.port()));
                flood.add(c);
            }
            Thread.sleep(500); // let the server accept what it will
            int accepted = acceptedConnections(server.port());
            assertTrue(accepted <= MetricsServer.Limits.DEFAULTS.maxConnections(), accepted + " connections"
                    + " accepted at once; bound " + MetricsServer.Limits.DEFAULTS.maxConnections());
            // Each accepted one is dropped within the request timeout.
            long bound = MetricsServer.Limits.DEFAULTS.requestTimeout().toMillis() + 2_000;
            first.setSoTimeout((int) bound);
            long t0 = System.nanoTime();
            assertEquals(-1, first.getInputStream().read(), "a silent client gets nothing and is dropped");
            assertTrue((System.nanoTime() - t0) / 1_000_000 <= bound);
        } finally {
            first.close();
            for (SocketChannel c : flood) {
                c.close();
            }
        }
        assertTrue(scrape().startsWith("HTTP/1.1 200 "), "served again once the silent clients are gone");
    }

    @Test
    void aRequestThatNeverEnds_isCutAtTheTimeout() throws Exception {
        Socket slow = connect();
        long bound = MetricsServer.Limits.DEFAULTS.requestTimeout().toMillis() + 2_000;
        slow.setSoTimeout(200);
        OutputStream out = slow.getOutputStream();
        InputStream in = slow.getInputStream();
        out.write("GET /metrics HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        long t0 = System.nanoTime();
        while (true) {
            long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(elapsedMs <= bound, "a header every 200 ms kept the connection for " + elapsedMs + " ms");
            try {
                out.write(("X-Slow: " + elapsedMs + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                return; // the server closed it
            }
            try {
                int b = in.read();
                if (b == -1) {
                    return;
                }
                in.readAllBytes(); // an error answer, then the close
                return;
            } catch (SocketTimeoutException e) {
                // nothing yet: send the next header
            } catch (IOException e) {
                return; // reset
            }
        }
    }

    @Test
    void endlessHeaders_areRefusedAfterTheBound() throws Exception {
        Socket s = connect();
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write("GET /metrics HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] header = ("X-Big: " + "y".repeat(1000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        int sent = 0;
        try {
            while (sent < 1 << 20) {
                out.write(header);
                sent += header.length;
            }
            // The end of the headers: a server that took 1 MiB of them in would now answer 200 with the metrics.
            // (Loopback's socket buffers can hold the whole MiB, so being able to send it proves nothing.)
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // closed by the server mid-way: what is wanted
        }
        String answer;
        try {
            answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            answer = ""; // reset: the server closed with our unread headers in its buffer
        }
        assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 431 "), "1 MiB of headers was taken in: "
                + answer.lines().findFirst().orElse(""));
    }

    @Test
    void malformedRequestLines_get400_andChangeNothing() throws Exception {
        for (String line : List.of("GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET /metrics\u0000 HTTP/1.1\r\n\r\n",
                "\r\n\r\n")) {
            Socket s = connect();
            s.setSoTimeout(10_000);
            s.getOutputStream().write(line.getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), line + " -> " + answer);
        }
        assertTrue(scrape().startsWith("HTTP/1.1 200 "));
    }

    @Test
    void aTakenPort_isNamedInTheError() throws Exception {
        int port = server.port();
        IOException e = assertThrows(IOException.class, () -> MetricsServer.start(registry, port));
        assertTrue(e.getMessage().contains("metrics port " + port), e.getMessage());
        assertTrue(e.getMessage().contains("controlPlane.metricsPort"), e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------------------

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        return s;
    }

    private String scrape() throws IOException {
        try (Socket s = connect()) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * The connections the server has accepted on {@code port}: the established sockets, IPv4 or IPv6 (a JDK socket
     * is dual-stack: 127.0.0.1 shows as ::ffff:127.0.0.1 in tcp6), whose local port it is and that have an inode,
     * that is, an open descriptor (one still in the listen queue has none).
     */
    static int acceptedConnections(int port) throws IOException {
        String localPort = String.format(Locale.ROOT, ":%04X", port);
        int count = 0;
        for (String table : List.of("tcp", "tcp6")) {
            for (String line : Files.readAllLines(Path.of("/proc/self/net", table))) {
                String[] f = line.strip().split("\\s+");
                if (f.length > 9 && f[1].endsWith(localPort) && f[3].equals("01") && !f[9].equals("0")) {
                    count++;
                }
            }
        }
        return count;
    }
}
