package dev.vos.client.net;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The JDK's {@code HttpServer} serving and its {@code HttpClient} fetching, unmodified, in a child JVM whose only vos
 * is the provider flag: both run on net0's sockets and a {@code Selector} of the provider. The client's responses,
 * a {@code java.net.Socket}'s raw bytes and curl's (if installed) are those of the same program on the default
 * provider, byte for byte but the {@code Date} header's value, which is the clock's.
 */
@Timeout(240)
class JdkHttpTest {

    private static final String FLAG = "-Djava.nio.channels.spi.SelectorProvider="
            + VosSelectorProvider.class.getName();
    private static final int FETCHES = 5;

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
        return dir.resolve("JdkHttpMain" + (throughVos ? "-vos" : "-default") + ".err");
    }

    /** The Date header's value is the clock's: the only bytes that differ between two runs. */
    private static String masked(final String response) {
        return response.replaceAll("(?m)^Date: [^\r\n]*", "Date: (masked)");
    }

    /** What the program's HttpClient saw and what a Socket and curl fetched from its HttpServer. */
    private List<String> run(final boolean throughVos) throws Exception {
        final List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(), "-Xmx128m", "-XX:-UsePerfData"));
        if (throughVos) {
            command.add(FLAG);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), JdkHttpMain.class.getName(),
                Integer.toString(FETCHES)));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectError(errFile(throughVos).toFile());
        builder.environment().put("VOS_STATE_DIR", domain.stateDir().toString());
        final Process p = builder.start();
        try {
            final BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            final List<String> seen = new ArrayList<>();
            final String provider = out.readLine();
            assertNotNull(provider, "stderr: " + Files.readString(errFile(throughVos)));
            assertEquals(throughVos, provider.equals("provider=" + VosSelectorProvider.class.getName()), provider);
            final String portLine = out.readLine();
            assertNotNull(portLine, "stderr: " + Files.readString(errFile(throughVos)));
            final int port = Integer.parseInt(portLine.substring("port=".length()));
            for (String line = out.readLine(); !"ready".equals(line); line = out.readLine()) {
                assertNotNull(line, "stderr: " + Files.readString(errFile(throughVos)));
                seen.add(line);
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write("GET /by-socket HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                seen.add(masked(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)));
            }
            if (Files.isExecutable(Path.of("/usr/bin/curl"))) {
                seen.add(masked(curl(port, "/by-curl")));
            }
            quit(port);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the program ended after /quit");
            assertEquals(0, p.exitValue(), "exit; stderr: " + Files.readString(errFile(throughVos)));
            return seen;
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    private static String curl(final int port, final String path) throws Exception {
        final Process c = new ProcessBuilder("/usr/bin/curl", "-s", "-i", "--max-time", "30",
                "http://127.0.0.1:" + port + path).redirectError(ProcessBuilder.Redirect.DISCARD).start();
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

    private static void quit(final int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write("GET /quit HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getInputStream().readAllBytes();
        }
    }

    @Test
    void httpServerAndHttpClient_throughNet0_giveTheBytesOfTheDefaultProvider() throws Exception {
        final List<String> plain = run(false);
        final List<String> vos = run(true);
        assertEquals(plain, vos);
        assertEquals(FETCHES, vos.stream().filter(l -> l.startsWith("status=200 ")).count(), vos.toString());
        assertTrue(vos.get(FETCHES).startsWith("HTTP/1.1 200 OK\r\n"), vos.get(FETCHES));
        assertTrue(vos.get(FETCHES).contains("you asked for /by-socket\n"));
    }
}
