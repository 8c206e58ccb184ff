package dev.vos.client.net;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Unmodified programs in a child JVM whose only vos is the command line's
 * {@code -Djava.nio.channels.spi.SelectorProvider=dev.vos.client.net.VosSelectorProvider} (the domain found by
 * {@code VOS_STATE_DIR}, as any domain is): a blocking echo client against a server outside vos, and a blocking
 * HTTP server fetched by curl and by a plain {@code java.net.Socket}; byte for byte what the same program gives on
 * the default provider.
 */
@Timeout(180)
class UnmodifiedProgramTest {

    private static final String FLAG = "-Djava.nio.channels.spi.SelectorProvider="
            + VosSelectorProvider.class.getName();

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

    private Process child(final boolean throughVos, final Class<?> main, final String... args) throws IOException {
        return child(throughVos, main.getName(), errFile(main, throughVos), args);
    }

    /** A child JVM running {@code entry}, a main class or a source file, stderr to {@code err}. */
    private Process child(final boolean throughVos, final String entry, final Path err, final String... args)
            throws IOException {
        final List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(), "-Xmx96m", "-XX:-UsePerfData"));
        if (throughVos) {
            command.add(FLAG);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), entry));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
        builder.environment().put("VOS_STATE_DIR", domain.stateDir().toString());
        return builder.start();
    }

    private static String expectedProvider(final boolean throughVos) {
        return "provider=" + (throughVos ? VosSelectorProvider.class.getName() : "sun.nio.ch.PollSelectorProvider");
    }

    /** The echo client's output, through vos or not, against an echo server here (outside vos). */
    private List<String> echoClient(final boolean throughVos) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(60_000);
            final Process p = child(throughVos, EchoClientMain.class, Integer.toString(server.getLocalPort()));
            try {
                try (Socket s = server.accept(); InputStream in = s.getInputStream();
                     OutputStream out = s.getOutputStream()) {
                    s.setSoTimeout(60_000);
                    in.transferTo(out); // echo until the client shuts its output
                }
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the echo client ended");
                final List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        .lines().toList();
                assertEquals(0, p.exitValue(), "exit; stderr: " + stderr(EchoClientMain.class, throughVos));
                return lines;
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
    }

    private static String stderr(final Class<?> main, final boolean throughVos) throws IOException {
        return Files.readString(errFile(main, throughVos));
    }

    private static Path errFile(final Class<?> main, final boolean throughVos) {
        return dir.resolve(main.getSimpleName() + (throughVos ? "-vos" : "-default") + ".err");
    }

    @Test
    void aBlockingEchoClient_seesTheSameBytesThroughNet0() throws Exception {
        final List<String> plain = echoClient(false);
        final List<String> vos = echoClient(true);
        assertTrue(plain.getFirst().startsWith("provider=sun.nio.ch."), plain.getFirst());
        assertEquals("provider=" + VosSelectorProvider.class.getName(), vos.getFirst());
        assertEquals(5, plain.size(), plain.toString());
        assertEquals(plain.subList(1, plain.size()), vos.subList(1, vos.size()));
        assertEquals("then -1", vos.getLast());
    }

    /**
     * One of the README's examples ({@code examples/net/NAME.java}, launched as a source file, as the README's command
     * does), through vos or not: its output.
     */
    private List<String> example(final String name, final boolean throughVos, final String... args)
            throws Exception {
        final Path example = Path.of("../../examples/net/" + name + ".java").toAbsolutePath().normalize();
        assertTrue(Files.exists(example), example.toString());
        final Path err = dir.resolve(name + (throughVos ? "-vos" : "-default") + ".err");
        return ChildLog.output(child(throughVos, example.toString(), err, args), err);
    }

    @Test
    void theReadmesUdpExample_echoesThroughNet0AsOnTheDefaultProvider() throws Exception {
        final List<String> plain = example("UdpEcho", false);
        final List<String> vos = example("UdpEcho", true);
        assertEquals(4, vos.size(), vos.toString());
        assertEquals("provider " + VosSelectorProvider.class.getName(), vos.getFirst());
        assertTrue(plain.getFirst().startsWith("provider sun.nio.ch."), plain.getFirst());
        assertTrue(vos.get(1).startsWith("echo channel bound to /127.0.0.1:"), vos.get(1));
        assertEquals(plain.subList(2, plain.size()), vos.subList(2, vos.size()));
        assertEquals(List.of("the channel received 18 bytes from the host's socket: true",
                "the host's socket got back: hello through net0"), vos.subList(2, 4));
    }

    @Test
    void theReadmesMulticastExample_receivesTheGroupsDatagramThroughNet0AsOnTheDefaultProvider() throws Exception {
        final List<String> plain = example("MulticastReceive", false);
        final List<String> vos = example("MulticastReceive", true);
        assertEquals("provider " + VosSelectorProvider.class.getName(), vos.getFirst());
        assertTrue(plain.getFirst().startsWith("provider sun.nio.ch."), plain.getFirst());
        assertEquals(List.of("joined 239.255.0.7 on lo",
                "received 'to every member of the group' from the host's socket: true", "left the group: true"),
                vos.subList(1, vos.size()));
        assertEquals(plain.subList(1, plain.size()), vos.subList(1, vos.size()));
    }

    @Test
    void theReadmesKeepAliveExample_setsTheExtendedOptionsInNet0AsOnTheDefaultProvider() throws Exception {
        final List<String> plain = example("KeepAlive", false);
        final List<String> vos = example("KeepAlive", true);
        assertEquals("provider " + VosSelectorProvider.class.getName(), vos.getFirst());
        assertTrue(plain.getFirst().startsWith("provider sun.nio.ch."), plain.getFirst());
        assertEquals(List.of("client: SO_KEEPALIVE true, idle 30 s, every 5 s, 4 probes",
                "accepted: SO_KEEPALIVE false, idle 60 s, every 10 s, 3 probes",
                "1000 probes refused: SocketException"), vos.subList(1, vos.size()));
        assertEquals(plain.subList(1, plain.size()), vos.subList(1, vos.size()));
    }

    @Test
    void theReadmesUnixSocketExample_echoesThroughNet0AsOnTheDefaultProvider() throws Exception {
        final Path nativeDir = Files.createDirectories(dir.resolve("native-unix"));
        final List<String> plain = example("UnixEcho", false, nativeDir.toString());
        final List<String> vos = example("UnixEcho", true, domain.unixDir().toString());
        assertEquals("provider " + VosSelectorProvider.class.getName(), vos.getFirst());
        assertTrue(plain.getFirst().startsWith("provider sun.nio.ch."), plain.getFirst());
        assertEquals(List.of("listening on echo.sock", "accepted a connection from an unnamed socket",
                "its peer's user: " + System.getProperty("user.name"),
                "the client got back: hello over a Unix socket"), vos.subList(1, vos.size()));
        assertEquals(plain.subList(1, plain.size()), vos.subList(1, vos.size()));
    }

    /** Two fetches from the HTTP server, through vos or not: curl's (if installed) and a java.net.Socket's. */
    private List<String> httpServer(final boolean throughVos) throws Exception {
        final boolean curl = Files.isExecutable(Path.of("/usr/bin/curl"));
        final Process p = child(throughVos, HttpChannelServerMain.class, curl ? "2" : "1");
        try {
            final BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            final String provider = out.readLine();
            final String portLine = out.readLine();
            assertNotNull(portLine, "the server printed its port; stderr: "
                    + stderr(HttpChannelServerMain.class, throughVos));
            assertTrue(provider.startsWith(throughVos ? expectedProvider(true) : "provider=sun.nio.ch."), provider);
            final int port = Integer.parseInt(portLine.substring("port=".length()));
            final List<String> fetched = new ArrayList<>();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write("GET /by-socket HTTP/1.1\r\nHost: x\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                fetched.add(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            if (curl) {
                final Process c = new ProcessBuilder("/usr/bin/curl", "-s", "-i", "--max-time", "30",
                        "http://127.0.0.1:" + port + "/by-curl").redirectError(ProcessBuilder.Redirect.DISCARD).start();
                try {
                    final ByteArrayOutputStream body = new ByteArrayOutputStream();
                    c.getInputStream().transferTo(body);
                    assertTrue(c.waitFor(40, TimeUnit.SECONDS));
                    assertEquals(0, c.exitValue(), "curl's exit");
                    fetched.add(body.toString(StandardCharsets.UTF_8));
                } finally {
                    c.destroyForcibly().waitFor();
                }
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the server served its connections and ended");
            assertEquals(0, p.exitValue(), "exit; stderr: " + stderr(HttpChannelServerMain.class, throughVos));
            return fetched;
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aBlockingServerSocketChannelServer_servesTheSameBytesThroughNet0() throws Exception {
        final List<String> plain = httpServer(false);
        final List<String> vos = httpServer(true);
        assertEquals(plain, vos);
        assertTrue(vos.getFirst().startsWith("HTTP/1.1 200 OK\r\n"), vos.getFirst());
        assertTrue(vos.getFirst().contains("you asked for /by-socket\n"));
        assertEquals(8192 + "you asked for /by-socket\n".length(),
                vos.getFirst().length() - vos.getFirst().indexOf("\r\n\r\n") - 4, "the whole body arrived");
    }
}
