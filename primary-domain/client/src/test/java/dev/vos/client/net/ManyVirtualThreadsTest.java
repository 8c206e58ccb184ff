package dev.vos.client.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * 10,000 virtual threads on blocking sockets through net0, in a child JVM with one carrier that cannot be
 * replaced ({@link ManyVirtualThreadsMain}): every thread's connect, write, read and close completes, the echo
 * server holds every answer until all 10,000 have written (so thousands of reads wait in the domain at once), the
 * one carrier ran them all, and JFR saw no virtual thread pinned. The echo server is here, outside vos.
 */
@Timeout(300)
class ManyVirtualThreadsTest {

    private static final int THREADS = 10_000;
    /** Sessions of net0 the threads share: 834 sockets each, under the 1024 a session may hold. */
    private static final int SESSIONS = 12;

    @TempDir
    Path dir;

    @Test
    void tenThousandVirtualThreads_onOneCarrier_allFinish_noneStuck() throws Exception {
        try (NetDomain domain = NetDomain.start(dir.resolve("state"));
             ServerSocket server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress())) {
            final CountDownLatch allWrote = new CountDownLatch(THREADS);
            final Thread acceptor = Thread.ofPlatform().daemon().start(() -> accept(server, allWrote));
            final Path err = dir.resolve("child.err");
            final Path jfr = dir.resolve("child.jfr");
            final Process child = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElseThrow(),
                    "-Djdk.virtualThreadScheduler.parallelism=1", "-Djdk.virtualThreadScheduler.maxPoolSize=1",
                    "-Xmx512m", "-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED",
                    "-XX:StartFlightRecording:filename=" + jfr + ",settings=none,+jdk.VirtualThreadPinned#enabled=true,"
                            + "+jdk.VirtualThreadPinned#threshold=0ms",
                    "-cp", System.getProperty("java.class.path"), ManyVirtualThreadsMain.class.getName(),
                    domain.stateDir().toString(), Integer.toString(server.getLocalPort()), Integer.toString(THREADS),
                    Integer.toString(SESSIONS))).redirectError(err.toFile()).start();
            try {
                assertTrue(child.waitFor(200, TimeUnit.SECONDS), "the child finished; stderr: " + stderr(err));
                final String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                assertEquals(0, child.exitValue(), out + "\nstderr: " + stderr(err));
                final Matcher m = Pattern.compile("ok=(\\d+) failed=(\\d+) peakReading=(\\d+) carriers=\\[(.*)]")
                        .matcher(out.lines().reduce((a, b) -> b).orElse(""));
                assertTrue(m.matches(), out);
                assertEquals(THREADS, Integer.parseInt(m.group(1)), out + "\nstderr: " + stderr(err));
                assertEquals(0, Integer.parseInt(m.group(2)), out);
                assertEquals(1, m.group(4).split(", ").length, "one carrier ran every thread: " + out);
                assertEquals(0, pinnedEvents(jfr), "no virtual thread was pinned (jfr print --events"
                        + " jdk.VirtualThreadPinned " + jfr + ")");
                assertTrue(Integer.parseInt(m.group(3)) >= THREADS / 2, "thousands of reads waited at once: "
                        + out);
            } finally {
                child.destroyForcibly().waitFor();
                server.close();
                acceptor.join(10_000);
            }
        }
    }

    /** Accepts until the server closes; each connection is echoed on a virtual thread once everyone wrote. */
    private static void accept(final ServerSocket server, final CountDownLatch allWrote) {
        while (!server.isClosed()) {
            try {
                final Socket s = server.accept();
                Thread.ofVirtual().start(() -> echoWhenAllWrote(s, allWrote));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void echoWhenAllWrote(final Socket s, final CountDownLatch allWrote) {
        try (s; InputStream in = s.getInputStream()) {
            s.setSoTimeout(180_000);
            final byte[] eight = in.readNBytes(Long.BYTES);
            allWrote.countDown();
            allWrote.await(150, TimeUnit.SECONDS); // bounded: a child that lost threads still gets its answers
            s.getOutputStream().write(eight);
            in.read(); // until the child closes
        } catch (IOException | InterruptedException e) {
            // the child went away; its own figures say what happened
        }
    }

    /** How many {@code jdk.VirtualThreadPinned} events the recording holds, as the JDK's {@code jfr} tool counts. */
    private static long pinnedEvents(final Path recording) throws Exception {
        final Path tool = Path.of(System.getProperty("java.home"), "bin", "jfr");
        final Process p = new ProcessBuilder(tool.toString(), "summary", recording.toString())
                .redirectErrorStream(true).start();
        final String summary = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), summary);
        return summary.lines().map(String::strip).filter(l -> l.startsWith("jdk.VirtualThreadPinned "))
                .mapToLong(l -> Long.parseLong(l.split("\\s+")[1])).findFirst()
                .orElseThrow(() -> new AssertionError("no pinned-event line in the summary:\n" + summary));
    }

    private static String stderr(final Path err) throws IOException {
        return Files.exists(err) ? Files.readString(err) : "";
    }
}
