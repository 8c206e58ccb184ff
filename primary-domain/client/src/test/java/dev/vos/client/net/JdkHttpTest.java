package dev.vos.client.net;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The JDK's {@code HttpServer} serving and its {@code HttpClient} fetching, unmodified, in a child JVM whose only vos
 * is the provider flag: both run on net0's sockets and a {@code Selector} of the provider. The client's responses,
 * a {@code java.net.Socket}'s raw bytes and curl's (if installed) are those of the same program on the default
 * provider, byte for byte but the {@code Date} header's value, which is the clock's. The same again over TLS: the
 * JDK's {@code HttpsServer} and its client's handshakes and records on net0's sockets.
 */
@Timeout(240)
class JdkHttpTest {

    private static final String FLAG = "-Djava.nio.channels.spi.SelectorProvider="
            + VosSelectorProvider.class.getName();
    private static final int FETCHES = 5;
    private static final String STORE_PASSWORD = "vos-test";

    @TempDir
    static Path dir;
    private static NetDomain domain;
    private static Path keyStore;

    @BeforeAll
    static void start() throws Exception {
        domain = NetDomain.start(dir.resolve("state"));
        keyStore = dir.resolve("server.p12");
        // A throwaway EC key for 127.0.0.1, made by the JDK's keytool: the server's key and the clients' trust.
        final Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD)
                .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.out").toFile()).start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, keytool.exitValue(), Files.readString(dir.resolve("keytool.out")));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        domain.close();
    }

    private static Path errFile(final boolean throughVos, final boolean tls) {
        return dir.resolve("JdkHttpMain" + (throughVos ? "-vos" : "-default") + (tls ? "-tls" : "") + ".err");
    }

    /** A connection to the program's server: plain, or TLS trusting the test's key store. */
    private static Socket connect(final int port, final boolean tls) throws Exception {
        if (!tls) {
            return new Socket(InetAddress.getLoopbackAddress(), port);
        }
        final SSLSocket s = (SSLSocket) JdkHttpMain.tls(keyStore, STORE_PASSWORD.toCharArray()).getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), port);
        s.startHandshake();
        return s;
    }

    /** The Date header's value is the clock's: the only bytes that differ between two runs. */
    private static String masked(final String response) {
        return response.replaceAll("(?m)^Date: [^\r\n]*", "Date: (masked)");
    }

    /** What the program's HttpClient saw and what a Socket and curl fetched from its HttpServer (or HttpsServer). */
    private List<String> run(final boolean throughVos, final boolean tls) throws Exception {
        final List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(), "-Xmx128m", "-XX:-UsePerfData"));
        if (throughVos) {
            command.add(FLAG);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), JdkHttpMain.class.getName(),
                Integer.toString(FETCHES)));
        if (tls) {
            command.addAll(List.of(keyStore.toString(), STORE_PASSWORD));
        }
        final ProcessBuilder builder = new ProcessBuilder(command).redirectError(errFile(throughVos, tls).toFile());
        builder.environment().put("VOS_STATE_DIR", domain.stateDir().toString());
        final Process p = builder.start();
        try {
            final BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            final List<String> seen = new ArrayList<>();
            final String provider = out.readLine();
            assertNotNull(provider, "stderr: " + Files.readString(errFile(throughVos, tls)));
            assertEquals(throughVos, provider.equals("provider=" + VosSelectorProvider.class.getName()), provider);
            final String portLine = out.readLine();
            assertNotNull(portLine, "stderr: " + Files.readString(errFile(throughVos, tls)));
            final int port = Integer.parseInt(portLine.substring("port=".length()));
            for (String line = out.readLine(); !"ready".equals(line); line = out.readLine()) {
                assertNotNull(line, "stderr: " + Files.readString(errFile(throughVos, tls)));
                seen.add(line);
            }
            try (Socket s = connect(port, tls)) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write("GET /by-socket HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                seen.add(masked(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)));
            }
            if (Files.isExecutable(Path.of("/usr/bin/curl"))) {
                seen.add(masked(curl(port, "/by-curl", tls)));
            }
            quit(port, tls);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the program ended after /quit");
            assertEquals(0, p.exitValue(), "exit; stderr: " + Files.readString(errFile(throughVos, tls)));
            return seen;
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    private static String curl(final int port, final String path, final boolean tls) throws Exception {
        final List<String> command = new ArrayList<>(List.of("/usr/bin/curl", "-s", "-i", "--max-time", "30"));
        if (tls) {
            command.add("--insecure"); // the throwaway certificate; curl still speaks TLS to the server
        }
        command.add((tls ? "https" : "http") + "://127.0.0.1:" + port + path);
        final Process c = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            final ByteArrayOutputStream body = new ByteArrayOutputStream();
            c.getInputStream().transferTo(body);
            assertTrue(c.waitFor(40, TimeUnit.SECONDS));
            assertEquals(0, c.exitValue(), "curl's exit");
            return body.toString(StandardCharsets.UTF_8);
        } finally {
            c.destroyForcibly().waitFor();
        }
    }

    private static void quit(final int port, final boolean tls) throws Exception {
        try (Socket s = connect(port, tls)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write("GET /quit HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getInputStream().readAllBytes();
        }
    }

    @Test
    void httpServerAndHttpClient_throughNet0_giveTheBytesOfTheDefaultProvider() throws Exception {
        final List<String> plain = run(false, false);
        final List<String> vos = run(true, false);
        assertEquals(plain, vos);
        assertEquals(FETCHES, vos.stream().filter(l -> l.startsWith("status=200 ")).count(), vos.toString());
        assertTrue(vos.get(FETCHES).startsWith("HTTP/1.1 200 OK\r\n"), vos.get(FETCHES));
        assertTrue(vos.get(FETCHES).contains("you asked for /by-socket\n"));
    }

    @Test
    void httpsServerAndHttpClient_overTlsThroughNet0_giveTheBytesOfTheDefaultProvider() throws Exception {
        final List<String> plain = run(false, true);
        final List<String> vos = run(true, true);
        assertEquals(plain, vos);
        assertEquals(FETCHES, vos.stream().filter(l -> l.startsWith("status=200 ") && l.endsWith(" tls=TLSv1.3"))
                .count(), vos.toString());
        assertTrue(vos.get(FETCHES).startsWith("HTTP/1.1 200 OK\r\n"), vos.get(FETCHES));
        assertTrue(vos.get(FETCHES).contains("you asked for /by-socket\n"));
    }
}
