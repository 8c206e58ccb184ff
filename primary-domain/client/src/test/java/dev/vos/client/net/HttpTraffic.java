package dev.vos.client.net;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The traffic the tests of real HTTP servers send from outside the server's JVM, with this JVM's own sockets (the
 * default provider's) and curl, to a server that serves the routes of {@link NettyServersMain} ({@code /fixed/...},
 * {@code /big}, {@code POST /echo}, {@code /close}): curl with keep-alive, {@link #CONNECTIONS} connections of
 * {@link #REQUESTS} requests at once, connections ended by the client and by the server. Each method answers what
 * its clients saw, one line per exchange, for comparing two runs; and checks each body it knows.
 */
final class HttpTraffic {

    /** The size of /big's body and of the largest request body a server takes. */
    static final int BIG_BYTES = 1 << 20;

    private static final String CURL = "/usr/bin/curl";
    private static final int CONNECTIONS = 8;
    private static final int REQUESTS = 50;
    private static final int SOCKET_TIMEOUT_MS = 30_000;

    private HttpTraffic() {
    }

    /** {@code length} bytes of a pattern both sides can make: byte i is {@code (i * 31 + i / 4096) & 0xff}. */
    static byte[] pattern(final int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + i / 4096);
        }
        return bytes;
    }

    /** Whether curl is installed (else the tests drive servers with sockets only). */
    static boolean hasCurl() {
        return Files.isExecutable(Path.of(CURL));
    }

    static Socket connect(final int port) throws IOException {
        final Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(SOCKET_TIMEOUT_MS);
        return s;
    }

    /** curl: two requests on one kept-alive connection, /big, and 1 MiB posted and echoed. */
    static List<String> curl(final int port, final Path dir) throws Exception {
        final String base = "http://127.0.0.1:" + port;
        final Path upload = dir.resolve("upload.bin");
        if (!Files.exists(upload)) {
            Files.write(upload, pattern(BIG_BYTES));
        }
        final String twice = new String(curl(base + "/fixed/curl/1", base + "/fixed/curl/2"),
                StandardCharsets.US_ASCII);
        assertTrue(twice.endsWith("you asked for /fixed/curl/2\n"), twice);
        final byte[] big = curl(base + "/big");
        final byte[] echoed = curl("-H", "Expect:", "--data-binary", "@" + upload, base + "/echo");
        assertArrayEquals(pattern(BIG_BYTES),
                Arrays.copyOfRange(echoed, echoed.length - BIG_BYTES, echoed.length));
        return List.of("curl: " + twice, "curl /big: " + RawHttp.digest(big), "curl /echo: " + RawHttp.digest(echoed));
    }

    private static byte[] curl(final String... args) throws Exception {
        final List<String> command = new ArrayList<>(List.of(CURL, "-s", "-i", "--max-time", "60"));
        command.addAll(List.of(args));
        final Process c = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            c.getInputStream().transferTo(out);
            assertTrue(c.waitFor(70, TimeUnit.SECONDS));
            assertEquals(0, c.exitValue(), "curl's exit, " + command);
            return out.toByteArray();
        } finally {
            c.destroyForcibly().waitFor();
        }
    }

    /** {@link #CONNECTIONS} connections at once, {@link #REQUESTS} kept-alive requests each, /big and a post among. */
    static List<String> concurrent(final int port) throws Exception {
        final ExecutorService clients = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            final List<Future<String>> each = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                final int client = i;
                each.add(clients.submit(() -> keptAlive(port, client)));
            }
            final List<String> seen = new ArrayList<>();
            for (Future<String> f : each) {
                seen.add(f.get(120, TimeUnit.SECONDS));
            }
            return seen;
        } finally {
            clients.shutdownNow();
        }
    }

    private static String keptAlive(final int port, final int client) throws IOException {
        final byte[] big = pattern(BIG_BYTES);
        final byte[] posted = Arrays.copyOf(big, 64 * 1024 + client);
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (Socket s = connect(port)) {
            final InputStream in = new BufferedInputStream(s.getInputStream());
            final OutputStream out = s.getOutputStream();
            for (int r = 0; r < REQUESTS; r++) {
                final String path = "/fixed/c" + client + "/r" + r;
                out.write(r % 25 == 24 ? RawHttp.get("/big", "") : r % 25 == 12 ? RawHttp.post("/echo", posted)
                        : RawHttp.get(path, ""));
                final byte[] response = RawHttp.response(in);
                final byte[] expected = r % 25 == 24 ? big : r % 25 == 12 ? posted
                        : ("you asked for " + path + "\n").getBytes(StandardCharsets.US_ASCII);
                assertArrayEquals(expected, Arrays.copyOfRange(response, response.length - expected.length,
                        response.length), "client " + client + " request " + r);
                all.writeBytes(response);
            }
        }
        return "client " + client + ": " + REQUESTS + " responses " + RawHttp.digest(all.toByteArray());
    }

    /** Connections the client ends: with nothing sent, in the middle of a request, by a reset, kept alive; then one. */
    static List<String> closedByClient(final int port) throws IOException {
        try (Socket s = connect(port)) {
            assertTrue(s.isConnected()); // and closed with nothing sent
        }
        try (Socket s = connect(port)) {
            s.getOutputStream().write("GET /fixed/half HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
        }
        try (Socket s = connect(port)) {
            s.setSoLinger(true, 0); // close sends an RST
        }
        final List<String> seen = new ArrayList<>();
        try (Socket s = connect(port)) {
            s.getOutputStream().write(RawHttp.get("/fixed/kept", ""));
            seen.add("kept, then closed by the client: " + new String(RawHttp.response(s.getInputStream()),
                    StandardCharsets.US_ASCII));
        }
        try (Socket s = connect(port)) {
            s.getOutputStream().write(RawHttp.get("/fixed/after", ""));
            seen.add("served after: " + new String(RawHttp.response(s.getInputStream()), StandardCharsets.US_ASCII));
        }
        return seen;
    }

    /** Connections the server ends: asked to with /close, and an HTTP/1.0 request without keep-alive. */
    static List<String> closedByServer(final int port) throws IOException {
        final List<String> seen = new ArrayList<>();
        try (Socket s = connect(port)) {
            s.getOutputStream().write(RawHttp.get("/close", ""));
            final InputStream in = s.getInputStream();
            seen.add("close: " + new String(RawHttp.response(in), StandardCharsets.US_ASCII) + " then " + in.read());
        }
        try (Socket s = connect(port)) {
            s.getOutputStream().write("GET /fixed/http10 HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            seen.add("http/1.0: " + new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
        return seen;
    }
}
