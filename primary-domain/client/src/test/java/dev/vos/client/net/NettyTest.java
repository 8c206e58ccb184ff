package dev.vos.client.net;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
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
    private static final int ECHO_CLIENTS = 4;
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

    /** A child JVM running {@code main} with {@code args}, through net0 or not, its stderr to {@code err}. */
    private static Process child(final boolean throughVos, final Class<?> main, final Path err, final String... args)
            throws IOException {
        final List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m", "-XX:-UsePerfData"));
        if (throughVos) {
            command.add(FLAG);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
        builder.environment().put("VOS_STATE_DIR", domain.stateDir().toString());
        return builder.start();
    }

    private static Child startChild(final boolean throughVos) throws IOException {
        final Process p = child(throughVos, NettyServersMain.class, errFile(throughVos));
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
            if (HttpTraffic.hasCurl()) {
                seen.addAll(HttpTraffic.curl(child.http(), dir));
            }
            seen.add("file: " + fetchFile(child.http()));
            seen.addAll(HttpTraffic.concurrent(child.http()));
            seen.addAll(HttpTraffic.closedByClient(child.http()));
            seen.addAll(HttpTraffic.closedByServer(child.http()));
            seen.addAll(echo(child.echo()));
            try (Socket s = HttpTraffic.connect(child.http())) {
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

    /** /file, twice on one connection: Netty's FileRegion, a FileChannel.transferTo the socket, both times. */
    private static String fetchFile(final int port) throws IOException {
        final byte[] expected = HttpTraffic.pattern(NettyServersMain.FILE_BYTES);
        final StringBuilder seen = new StringBuilder();
        try (Socket s = HttpTraffic.connect(port)) {
            final InputStream in = new BufferedInputStream(s.getInputStream());
            for (int i = 0; i < 2; i++) {
                s.getOutputStream().write(RawHttp.get("/file", ""));
                final byte[] response = RawHttp.response(in);
                assertArrayEquals(expected, Arrays.copyOfRange(response, response.length - expected.length,
                        response.length));
                seen.append(RawHttp.digest(response)).append(' ');
            }
        }
        return seen.toString().strip();
    }

    /** 1 MiB echoed, then {@link #ECHO_CLIENTS} at once; each client ends its output, the server then closes. */
    private static List<String> echo(final int port) throws Exception {
        // A thread for each reader and each writer: none may wait for a pool's thread that another holds.
        final ExecutorService threads = Executors.newFixedThreadPool(2 * ECHO_CLIENTS);
        try {
            final List<String> seen = new ArrayList<>();
            seen.add("echo: " + echoOnce(port, HttpTraffic.BIG_BYTES, threads));
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
        final byte[] sent = HttpTraffic.pattern(length);
        try (Socket s = HttpTraffic.connect(port)) {
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

    /**
     * Netty's NIO Unix domain socket transport ({@link NettyUnixEchoMain}), unmodified, in a child JVM: echoes what
     * this JVM's own Unix socket sends (a line, then 1 MiB), in net0's {@code net.unix} directory through vos and in
     * a directory of its own natively, the same both ways; Netty complains of nothing, and closes and ends.
     */
    @Test
    void nettyNioUnixSockets_throughNet0_echoAsOnTheDefaultProvider() throws Exception {
        final Path nativeDir = Files.createDirectories(dir.resolve("netty-unix"));
        final List<String> plain = unixEcho(false, nativeDir.resolve("echo.sock"));
        final List<String> vos = unixEcho(true, domain.unixDir().resolve("echo.sock"));
        assertEquals("provider " + VosSelectorProvider.class.getName(), vos.getFirst());
        assertEquals(plain.subList(1, plain.size()), vos.subList(1, vos.size()));
        assertEquals(List.of("listening on echo.sock", "echo: hello over netty", "1 MiB back: true", "closed"),
                vos.subList(1, vos.size()));
    }

    private List<String> unixEcho(final boolean throughVos, final Path path) throws Exception {
        final Path err = dir.resolve("NettyUnixEchoMain" + (throughVos ? "-vos" : "-default") + ".err");
        final Process p = child(throughVos, NettyUnixEchoMain.class, err, path.toString());
        try {
            final BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            final List<String> seen = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                final String line = out.readLine();
                assertNotNull(line, "stderr: " + Files.readString(err));
                seen.add(line);
            }
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                seen.add("echo: " + echoed(c, "hello over netty".getBytes(StandardCharsets.UTF_8)));
                final byte[] big = HttpTraffic.pattern(1 << 20);
                seen.add("1 MiB back: " + Arrays.equals(big,
                        echoed(c, big).getBytes(StandardCharsets.ISO_8859_1)));
            }
            p.getOutputStream().close(); // the child's signal to close and end
            seen.add(out.readLine());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ended");
            assertEquals(0, p.exitValue(), "exit; stderr: " + Files.readString(err));
            final String complaints = Files.readString(err);
            assertTrue(NETTY_COMPLAINTS.stream().noneMatch(complaints::contains), complaints);
            return seen;
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** Writes {@code bytes} on {@code c} while reading their echo; the echo, one char per byte. */
    private static String echoed(final SocketChannel c, final byte[] bytes) throws IOException {
        final ByteBuffer back = ByteBuffer.allocate(bytes.length);
        final Thread writer = Thread.ofPlatform().start(() -> {
            try {
                c.write(ByteBuffer.wrap(bytes));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        while (back.hasRemaining() && c.read(back) >= 0) {
            // until every byte came back
        }
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new String(back.array(), 0, back.position(), StandardCharsets.ISO_8859_1);
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
            assertEquals(List.of(), ChildLog.warnings(errFile(throughVos)), throughVos ? "through net0" : "default");
        }
    }
}
