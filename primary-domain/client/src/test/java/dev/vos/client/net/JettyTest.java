package dev.vos.client.net;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Jetty's server, unmodified ({@link JettyServerMain}: a {@code ServerConnector}, its blocking acceptor and its
 * {@code ManagedSelector}), in a child JVM whose only vos is the provider flag, driven from outside by
 * {@link HttpTraffic} (curl, 8 connections of 50 kept-alive requests, 1 MiB each way, closes by either side) and
 * stopped by a request: every byte the clients saw is what the same program served on the default provider, and
 * Jetty logged no warning on either.
 */
@Timeout(300)
class JettyTest {

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

    private static Path errFile(final boolean throughVos) {
        return dir.resolve("JettyServerMain" + (throughVos ? "-vos" : "-default") + ".err");
    }

    private static String line(final BufferedReader out, final boolean throughVos) throws IOException {
        final String line = out.readLine();
        assertNotNull(line, "stderr: " + Files.readString(errFile(throughVos)));
        return line;
    }

    private List<String> run(final boolean throughVos) throws Exception {
        final List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m", "-XX:-UsePerfData"));
        if (throughVos) {
            command.add(FLAG);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), JettyServerMain.class.getName()));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectError(errFile(throughVos).toFile());
        builder.environment().put("VOS_STATE_DIR", domain.stateDir().toString());
        final Process p = builder.start();
        try {
            final BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            final String provider = line(out, throughVos);
            assertEquals(throughVos, provider.equals("provider=" + VosSelectorProvider.class.getName()), provider);
            final int port = Integer.parseInt(line(out, throughVos).substring("http=".length()));
            assertEquals("ready", line(out, throughVos));
            final List<String> seen = new ArrayList<>();
            if (HttpTraffic.hasCurl()) {
                seen.addAll(HttpTraffic.curl(port, dir));
            }
            seen.addAll(HttpTraffic.concurrent(port));
            seen.addAll(HttpTraffic.closedByClient(port));
            seen.addAll(HttpTraffic.closedByServer(port));
            try (Socket s = HttpTraffic.connect(port)) {
                s.getOutputStream().write(RawHttp.get("/quit", ""));
                seen.add("quit: " + new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            }
            seen.add(line(out, throughVos));
            assertEquals("stopped", line(out, throughVos));
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ended after /quit");
            assertEquals(0, p.exitValue(), "exit; stderr: " + Files.readString(errFile(throughVos)));
            return seen;
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void jetty_throughNet0_servesTheBytesOfTheDefaultProvider() throws Exception {
        final List<String> plain = run(false);
        final List<String> vos = run(true);
        assertEquals(plain, vos);
        assertTrue(vos.get(vos.size() - 1).startsWith("requests="), vos.toString());
        assertTrue(vos.stream().anyMatch(l -> l.startsWith("close: HTTP/1.1 200 OK") && l.endsWith(" then -1")),
                vos.toString());
        for (boolean throughVos : new boolean[] {false, true}) {
            assertEquals(List.of(), ChildLog.warnings(errFile(throughVos)), throughVos ? "through net0" : "default");
        }
    }
}
