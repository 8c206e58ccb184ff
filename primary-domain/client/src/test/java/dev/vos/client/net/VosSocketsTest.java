package dev.vos.client.net;

import dev.vos.client.fs.mount.MountTableAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Plain {@code java.net.Socket} and {@code ServerSocket} programs in a child JVM whose only vos is the
 * {@link VosSockets#install()} their main calls first, against peers here on the default provider: the same lines and
 * bytes as the same program without it, and their sockets held by the net0 agent's process, not the program's.
 */
@Timeout(180)
class VosSocketsTest {

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

    /** {@code how}: "vos" (main installs), "default" (nothing), "agent" (the agent installs, main does not). */
    private Process child(final String how, final Class<?> main, final String... args) throws IOException {
        return child(how, main.getName(), errFile(main.getSimpleName(), how), args);
    }

    /** A child JVM running {@code entry}, a main class or a source file, its first argument {@code how}. */
    private Process child(final String how, final String entry, final Path err, final String... args)
            throws IOException {
        return child(how, entry, err, List.of(), args);
    }

    /** As {@link #child(String, String, Path, String...)}, with {@code jvmOptions} (system properties) too. */
    private Process child(final String how, final String entry, final Path err, final List<String> jvmOptions,
                          final String... args) throws IOException {
        final List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-Xmx96m", "-XX:-UsePerfData"));
        command.addAll(jvmOptions);
        if (how.equals("agent")) {
            command.addAll(List.of("-javaagent:" + agentJar(), "-D" + VosSockets.AGENT_PROPERTY + "=true"));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), entry,
                how.equals("vos") ? "vos" : "default"));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
        builder.environment().put("VOS_STATE_DIR", domain.stateDir().toString());
        return builder.start();
    }

    private static Path errFile(final String name, final String how) {
        return dir.resolve(name + "-" + how + ".err");
    }

    private static BufferedReader lines(final Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The next {@code n} lines a child printed, each required (else its standard error says why). */
    private static List<String> firstLines(final BufferedReader lines, final int n, final Path err)
            throws IOException {
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final String line = lines.readLine();
            assertNotNull(line, "line " + i + "; stderr: " + Files.readString(err));
            out.add(line);
        }
        return out;
    }

    private static String stderr(final Class<?> main, final String how) throws IOException {
        return Files.readString(errFile(main.getSimpleName(), how));
    }

    /** The README's urgent data example ({@code examples/net/UrgentData.java}): its lines, run {@code how}. */
    private List<String> urgentDataExample(final String how) throws Exception {
        final Path example = Path.of("../../examples/net/UrgentData.java").toAbsolutePath().normalize();
        final Path err = errFile("UrgentData", how);
        return ChildLog.output(child(how, example.toString(), err), err);
    }

    @Test
    void theReadmesUrgentDataExample_throughTheAgent_readsAsOnTheHostsStack() throws Exception {
        final List<String> plain = urgentDataExample("default");
        final List<String> agent = urgentDataExample("agent");
        assertEquals(List.of("not inline (the default), the server read: abcd", "inline, the server read: ab!cd"),
                agent);
        assertEquals(plain, agent);
    }

    /** A jar of the client jar's agent manifest alone ({@code Premain-Class}); the class is on the class path. */
    private static Path agentJar() throws IOException {
        final Path jar = dir.resolve("agent.jar");
        if (!Files.exists(jar)) {
            final Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), MountTableAgent.class.getName());
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
                out.finish();
            }
        }
        return jar;
    }

    /** The echo client's lines, against an echo server here; the bytes it sent are those it got back. */
    private List<String> echoClient(final String how) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(60_000);
            final Process p = child(how, SocketEchoClientMain.class, Integer.toString(server.getLocalPort()));
            try {
                try (Socket s = server.accept(); InputStream in = s.getInputStream();
                     OutputStream out = s.getOutputStream()) {
                    s.setSoTimeout(60_000);
                    if (!how.equals("default")) {
                        assertHeldByNet0(s.getPort(), p);
                    }
                    in.transferTo(out);
                }
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the echo client ended");
                final List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        .lines().toList();
                assertEquals(0, p.exitValue(), "exit; stderr: " + stderr(SocketEchoClientMain.class, how));
                return lines;
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aSocketEchoClient_seesTheSameBytesThroughNet0() throws Exception {
        final List<String> plain = echoClient("default");
        final List<String> vos = echoClient("vos");
        assertEquals(3, plain.size(), plain.toString());
        assertTrue(plain.get(1).startsWith("echoed 262144 bytes"), plain.toString());
        assertEquals(plain, vos);
        assertTrue(vos.getFirst().endsWith(" port ok=true"), vos.getFirst());
    }

    /** The server's lines, fed by a client here: a connection kept silent until the server's read timed out. */
    private List<String> server(final boolean throughVos, final byte[] sent, final byte[] echoed) throws Exception {
        final int refusedPort;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusedPort = gone.getLocalPort(); // closed at once: nothing listens there (loopback, no reuse window)
        }
        final String how = throughVos ? "vos" : "default";
        final Process p = child(how, SocketServerMain.class, Integer.toString(refusedPort));
        try {
            final BufferedReader lines = lines(p);
            final List<String> out = firstLines(lines, 3, errFile(SocketServerMain.class.getSimpleName(), how));
            final int port = Integer.parseInt(out.getLast().substring("port=".length(), out.getLast().indexOf(' ')));
            if (throughVos) {
                assertHeldByNet0(port, p);
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(60_000);
                out.add(lines.readLine()); // accepted
                out.add(lines.readLine()); // the options served
                out.add(lines.readLine()); // its read timed out: nothing was sent yet
                p.getOutputStream().write('\n');
                p.getOutputStream().flush();
                final Thread writer = Thread.ofPlatform().start(() -> {
                    try {
                        s.getOutputStream().write(sent);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                });
                final byte[] got = s.getInputStream().readAllBytes();
                writer.join();
                System.arraycopy(got, 0, echoed, 0, Math.min(got.length, echoed.length));
                assertEquals(sent.length, got.length, "echoed length");
            }
            String line;
            while ((line = lines.readLine()) != null) {
                out.add(line);
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the server ended");
            assertEquals(0, p.exitValue(), "exit; stderr: " + stderr(SocketServerMain.class, how));
            return out;
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /**
     * A program given {@code -DsocksProxyHost}: its {@code new Socket()} goes through the proxy, and its
     * {@code new Socket(Proxy.NO_PROXY)} straight to the server, with {@code install()} as without it. Through vos,
     * both its connections, the one to the proxy and the direct one, are net0's. Before {@link SocksConnect}, the
     * program's {@code new Socket()} went straight to the server from net0 and the proxy saw nothing.
     */
    @Test
    void aProgramGivenASocksProxy_goesThroughIt_andNoProxyGoesStraight() throws Exception {
        final List<String> plain = socksClient("default");
        final List<String> vos = socksClient("vos");
        assertEquals(List.of("new Socket(): heard one remote port ok=true", "new Socket(Proxy.NO_PROXY): heard two",
                "ready", "the proxy was asked [v5 methods [0, 2], v5 command 1 to 127.0.0.1:SERVER]"), plain);
        assertEquals(plain, vos);
    }

    private List<String> socksClient(final String how) throws Exception {
        final List<Integer> peers = Collections.synchronizedList(new ArrayList<>());
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
             SocksServer proxy = new SocksServer(SocksServer.Answer.GRANT, Map.of())) {
            final Thread answering = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2; i++) {
                    try {
                        final Socket s = server.accept();
                        peers.add(s.getPort());
                        Thread.ofVirtual().start(() -> {
                            try (s) {
                                final String line = new BufferedReader(new InputStreamReader(s.getInputStream(),
                                        StandardCharsets.US_ASCII)).readLine();
                                s.getOutputStream().write(("heard " + line + "\n").getBytes(StandardCharsets.US_ASCII));
                                s.getInputStream().read(); // until the program closes
                            } catch (IOException e) {
                                // the program went
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            final Path err = errFile(SocksClientMain.class.getSimpleName(), how);
            final InetSocketAddress at = proxy.address();
            final Process p = child(how, SocksClientMain.class.getName(), err,
                    // socksNonProxyHosts empty: the JDK's default leaves loopback, where the server is, unproxied
                    List.of("-DsocksProxyHost=" + at.getHostString(), "-DsocksProxyPort=" + at.getPort(),
                            "-DsocksNonProxyHosts="),
                    Integer.toString(server.getLocalPort()));
            try {
                final List<String> out = firstLines(lines(p), 3, err);
                answering.join(10_000);
                assertEquals(2, peers.size(), "two connections reached the server: " + peers);
                if (how.equals("vos")) {
                    assertEquals(1, proxy.peerPorts().size(), proxy.peerPorts().toString());
                    assertHeldByNet0(proxy.peerPorts().getFirst(), p); // the program's connection to the proxy
                    assertHeldByNet0(peers.get(1), p);                 // and its direct one
                }
                p.getOutputStream().write('\n');
                p.getOutputStream().flush();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the program ended");
                assertEquals(0, p.exitValue(), "exit; stderr: " + Files.readString(err));
                out.add("the proxy was asked " + proxy.seen().toString()
                        .replace(":" + server.getLocalPort() + "]", ":SERVER]"));
                return out;
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aServerSocketServer_answersAsTheDefaultOneThroughNet0() throws Exception {
        final byte[] sent = new byte[200_000];
        new Random(7).nextBytes(sent);
        final byte[] plainEcho = new byte[sent.length];
        final byte[] vosEcho = new byte[sent.length];
        final List<String> plain = server(false, sent, plainEcho);
        final List<String> vos = server(true, sent, vosEcho);
        assertArrayEquals(sent, plainEcho);
        assertArrayEquals(sent, vosEcho, "byte-identical echo through net0");
        assertEquals("refused: java.net.ConnectException", plain.getFirst());
        assertEquals("accept: java.net.SocketTimeoutException: Accept timed out", plain.get(1));
        assertTrue(plain.get(4).startsWith("options: server [IP_TOS, SO_INCOMING_NAPI_ID, SO_RCVBUF,"),
                plain.toString());
        assertTrue(plain.get(5).startsWith("read: java.net.SocketTimeoutException: Read timed out closed=false"),
                plain.toString());
        assertEquals(plain.subList(0, 2), vos.subList(0, 2));
        assertEquals(plain.subList(3, plain.size()), vos.subList(3, vos.size()), "after the port line");
        assertTrue(vos.get(2).endsWith(" bound=true"), vos.toString());
    }

    /**
     * The TCP socket on local or peer port {@code port} of this host is the net0 agent's: its inode (from
     * {@code /proc/net/tcp}, loopback, one network namespace) is among the agent's descriptors and not the program's.
     */
    private static void assertHeldByNet0(final int port, final Process program) throws IOException {
        assertHeldByNet0(port, program, "/proc/net/tcp");
    }

    /** As {@link #assertHeldByNet0(int, Process)}, for the sockets listed in {@code table} (tcp or udp). */
    private static void assertHeldByNet0(final int port, final Process program, final String table)
            throws IOException {
        final String hexPort = String.format(":%04X", port);
        final List<String> inodes = new ArrayList<>();
        final List<String> rows = Files.readAllLines(Path.of(table));
        for (String row : rows.subList(1, rows.size())) {
            final String[] f = row.trim().split("\\s+");
            if (f[1].endsWith(hexPort) || f[2].endsWith(hexPort)) {
                inodes.add("socket:[" + f[9] + "]");
            }
        }
        assertFalse(inodes.isEmpty(), "a socket on port " + port);
        final List<String> agent = links(domain.process().pid());
        final List<String> app = links(program.pid());
        assertTrue(inodes.stream().anyMatch(agent::contains), "net0 (pid " + domain.process().pid() + ") holds one of "
                + inodes + "; it holds " + agent);
        assertTrue(inodes.stream().noneMatch(app::contains), "the program holds none of " + inodes);
    }

    private static List<String> links(final long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    return ""; // closed since the listing
                }
            }).filter(l -> l.startsWith("socket:")).toList();
        }
    }

    /**
     * The datagram program's lines, against an echo socket and a group's sender here on the default provider; with
     * vos, its DatagramSocket (seen by the echo's sender port) and its MulticastSocket are net0's sockets.
     */
    private List<String> datagrams(final String how) throws Exception {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        final InetAddress group = InetAddress.ofLiteral("239.255.78.3");
        try (DatagramSocket echo = new DatagramSocket(new InetSocketAddress(loopback, 0));
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            echo.setSoTimeout(60_000);
            sender.setOption(StandardSocketOptions.IP_MULTICAST_IF, NetworkInterface.getByInetAddress(loopback));
            final Process p = child(how, DatagramSocketMain.class, Integer.toString(echo.getLocalPort()),
                    group.getHostAddress());
            try {
                final DatagramPacket in = new DatagramPacket(new byte[100], 100);
                echo.receive(in);
                if (!how.equals("default")) {
                    assertHeldByNet0(in.getPort(), p, "/proc/net/udp");
                }
                echo.send(new DatagramPacket(in.getData(), in.getLength(), in.getSocketAddress()));
                final BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                final List<String> out = new ArrayList<>();
                out.add(lines.readLine());
                final String joined = lines.readLine();
                assertNotNull(joined, "joined; stderr: " + stderr(DatagramSocketMain.class, how));
                final int port = Integer.parseInt(joined.substring("joined on port ".length()));
                if (!how.equals("default")) {
                    assertHeldByNet0(port, p, "/proc/net/udp");
                }
                final byte[] text = "to the group".getBytes(StandardCharsets.UTF_8);
                sender.send(new DatagramPacket(text, text.length, group, port));
                out.add(lines.readLine());
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the program ended");
                assertEquals(0, p.exitValue(), "exit; stderr: " + stderr(DatagramSocketMain.class, how));
                return out;
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aDatagramSocketAndAMulticastSocketProgram_seesTheSameThroughNet0() throws Exception {
        final List<String> plain = datagrams("default");
        final List<String> vos = datagrams("vos");
        assertEquals(List.of("echoed hello from the echo port=true", "the group carried to the group"), plain);
        assertEquals(plain, vos);
    }

    @Test
    void install_aSecondTime_isIllegalState() throws Exception {
        echoClient("vos");
        assertTrue(stderr(SocketEchoClientMain.class, "vos").contains(
                "second install: java.lang.IllegalStateException: VosSockets.install() was called already"),
                stderr(SocketEchoClientMain.class, "vos"));
    }

    @Test
    void theClientJarsAgent_withTheProperty_putsAnUnchangedProgramsSocketsInNet0() throws Exception {
        final List<String> plain = echoClient("default");
        final List<String> agent = echoClient("agent"); // its main installs nothing; the echo's socket checked
        assertEquals(plain, agent);
    }
}
