package dev.vos.client.net;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
 * Netty's NIO transport, unmodified ({@link NettyServersMain}: {@code NioIoHandler}, {@code HttpServerCodec}, an echo
 * server), in a child JVM whose only vos is the provider flag, driven from this JVM's own sockets (the default
 * provider's) and curl: keep-alive, 8 connections of 50 requests at once, 1 MiB each way, connections closed by the
 * client (FIN, half a request, RST) and by the server ({@code Connection: close}, HTTP/1.0, the echo's end), and the
 * graceful shutdown that ends the child. Every byte any client saw, and what the server counted, is what the same
 * program served on the default provider.
 */
@Timeout(300)
class NettyTest {

    private static final String FLAG = "-Djava.nio.channels.spi.SelectorProvider="
            + VosSelectorProvider.class.getName();
    private static final String CURL = "/usr/bin/curl";
    private static final int CONNECTIONS = 8;
    private static final int REQUESTS = 50;
    private static final int ECHO_CLIENTS = 4;
    private static final int SOCKET_TIMEOUT_MS = 30_000;
    /** What Netty logs when something reached it unhandled, or when it gives up on a selector and makes another. */
    private static final List<String> NETTY_COMPLAINTS = List.of("exceptionCaught()", "rebuilding Selector",
            "returned prematurely", "Failed to");

    @TempDir
    static Path dir;
    private static NetDomain domain;

    @BeforeAll
    static void start() throws IOException {
        domain = NetDomain.start(dir.resolve("state"));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        domain.close();
    }

    private static Path errFile(final boolean throughVos) {
        return dir.resolve("NettyServersMain" + (throughVos ? "-vos" : "-default") + ".err");
    }

    /** The ports the child printed, what its own Netty client fetched, and its output to come. */
    private record Child(Process process, BufferedReader out, int http, int echo, List<String> fetched) {
    }

    private static Child startChild(final boolean throughVos) throws IOException {
        final List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(), "-Xmx256m", "-XX:-UsePerfData"));
        if (throughVos) {
            command.add(FLAG);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), NettyServersMain.class.getName()));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectError(errFile(throughVos).toFile());
        builder.environment().put("VOS_STATE_DIR", domain.stateDir().toString());
        final Process p = builder.start();
        final BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
        final String provider = line(out, throughVos);
        assertEquals(throughVos, provider.equals("provider=" + VosSelectorProvider.class.getName()), provider);
        final int http = Integer.parseInt(line(out, throughVos).substring("http=".length()));
        final int echo = Integer.parseInt(line(out, throughVos).substring("echo=".length()));
        final List<String> fetched = new ArrayList<>();
        for (String l = line(out, throughVos); !l.equals("ready"); l = line(out, throughVos)) {
            fetched.add(l);
        }
        return new Child(p, out, http, echo, fetched);
    }

    private static String line(final BufferedReader out, final boolean throughVos) throws IOException {
        final String line = out.readLine();
        assertNotNull(line, "stderr: " + Files.readString(errFile(throughVos)));
        return line;
    }

    /** Everything the clients saw, one line per exchange; then what the server counted. */
    private List<String> run(final boolean throughVos) throws Exception {
        final Child child = startChild(throughVos);
        try {
            final List<String> seen = new ArrayList<>(child.fetched());
            if (Files.isExecutable(Path.of(CURL))) {
                seen.addAll(curl(child.http()));
            }
            seen.addAll(concurrent(child.http()));
            seen.addAll(closedByClient(child.http()));
            seen.addAll(closedByServer(child.http()));
            seen.addAll(echo(child.echo()));
            try (Socket s = connect(child.http())) {
                s.getOutputStream().write(RawHttp.get("/quit", "Connection: close\r\n"));
                seen.add("quit: " + new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            }
            // Netty's graceful shutdown closes what is open and ends the event loops: the JVM ends by itself.
            seen.add(line(child.out(), throughVos));
            assertEquals("stopped", line(child.out(), throughVos));
            assertTrue(child.process().waitFor(60, TimeUnit.SECONDS), "the child ended after /quit");
            assertEquals(0, child.process().exitValue(), "exit; stderr: " + Files.readString(errFile(throughVos)));
            return seen;
        } finally {
            child.process().destroyForcibly().waitFor();
        }
    }

    private static Socket connect(final int port) throws IOException {
        final Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(SOCKET_TIMEOUT_MS);
        return s;
    }

    /** curl: two requests on one kept-alive connection, /big, and 1 MiB posted and echoed. */
    private static List<String> curl(final int port) throws Exception {
        final String base = "http://127.0.0.1:" + port;
        final Path upload = dir.resolve("upload.bin");
        if (!Files.exists(upload)) {
            Files.write(upload, NettyServersMain.pattern(NettyServersMain.BIG_BYTES));
        }
        final String twice = new String(curl(base + "/fixed/curl/1", base + "/fixed/curl/2"),
                StandardCharsets.US_ASCII);
        assertTrue(twice.endsWith("you asked for /fixed/curl/2\n"), twice);
        final byte[] big = curl(base + "/big");
        final byte[] echoed = curl("-H", "Expect:", "--data-binary", "@" + upload, base + "/echo");
        assertArrayEquals(NettyServersMain.pattern(NettyServersMain.BIG_BYTES),
                Arrays.copyOfRange(echoed, echoed.length - NettyServersMain.BIG_BYTES, echoed.length));
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
    private static List<String> concurrent(final int port) throws Exception {
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
        final byte[] big = NettyServersMain.pattern(NettyServersMain.BIG_BYTES);
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
    private static List<String> closedByClient(final int port) throws IOException {
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
    private static List<String> closedByServer(final int port) throws IOException {
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

    /** 1 MiB echoed, then {@link #ECHO_CLIENTS} at once; each client ends its output, the server then closes. */
    private static List<String> echo(final int port) throws Exception {
        // A thread for each reader and each writer: none may wait for a pool's thread that another holds.
        final ExecutorService threads = Executors.newFixedThreadPool(2 * ECHO_CLIENTS);
        try {
            final List<String> seen = new ArrayList<>();
            seen.add("echo: " + echoOnce(port, NettyServersMain.BIG_BYTES, threads));
            final List<Future<String>> each = new ArrayList<>();
            for (int i = 0; i < ECHO_CLIENTS; i++) {
                final int length = 256 * 1024 + i;
                each.add(threads.submit(() -> echoOnce(port, length, threads)));
            }
            for (Future<String> f : each) {
                seen.add("echo at once: " + f.get(120, TimeUnit.SECONDS));
            }
            return seen;
        } finally {
            threads.shutdownNow();
        }
    }

    private static String echoOnce(final int port, final int length, final ExecutorService threads)
            throws Exception {
        final byte[] sent = NettyServersMain.pattern(length);
        try (Socket s = connect(port)) {
            final Future<?> writing = threads.submit(() -> {
                s.getOutputStream().write(sent);
                s.shutdownOutput();
                return null;
            });
            final byte[] back = s.getInputStream().readAllBytes(); // to the end: the server closed
            writing.get(60, TimeUnit.SECONDS);
            assertArrayEquals(sent, back);
            return RawHttp.digest(back);
        }
    }

    @Test
    void nettyNio_throughNet0_servesTheBytesOfTheDefaultProvider() throws Exception {
        final List<String> plain = run(false);
        final List<String> vos = run(true);
        assertEquals(plain, vos);
        assertTrue(vos.contains("netty client connect to no listener: ConnectException"), vos.toString());
        assertTrue(vos.stream().anyMatch(l -> l.startsWith("netty client /options: 200 OK")
                && l.contains("keepalive=true tos=16 reuseaddr=true nodelay=true")), vos.toString());
        final String counted = vos.get(vos.size() - 1);
        assertTrue(counted.startsWith("requests="), counted);
        final String opened = counted.replaceAll(".* opened=(\\d+) .*", "$1");
        assertEquals(opened, counted.replaceAll(".* closed=(\\d+) .*", "$1"), "every connection closed: " + counted);
        assertTrue(counted.contains(" inputEnds=" + (1 + ECHO_CLIENTS) + " "), "one end of input per echo: " + counted);
        for (boolean throughVos : new boolean[] {false, true}) {
            final String err = Files.readString(errFile(throughVos));
            for (String complaint : NETTY_COMPLAINTS) {
                assertFalse(err.contains(complaint), (throughVos ? "vos" : "default") + " stderr: " + err);
            }
        }
    }
}
