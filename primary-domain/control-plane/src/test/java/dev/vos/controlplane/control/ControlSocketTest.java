package dev.vos.controlplane.control;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The control socket with real Unix sockets and hostile clients: whatever a client sends, or does not send, it
 * costs the control plane a bounded amount of memory, a bounded number of connections, for a bounded time. The
 * review sent one 256 MiB line (the control plane went from 114 to 905 MiB RSS) and left connections idle forever.
 */
@Timeout(60)
class ControlSocketTest {

    @TempDir
    Path dir;
    private ControlSocket socket;
    private final List<SocketChannel> clients = new ArrayList<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void close() throws IOException {
        for (SocketChannel c : clients) {
            c.close();
        }
        if (socket != null) {
            socket.close();
        }
        threads.shutdownNow();
    }

    private Path listen(ControlSocket.Handler handler) throws IOException {
        Path path = dir.resolve("control.sock");
        socket = ControlSocket.listen(path, handler);
        return path;
    }

    @Test
    void aLineLongerThanTheBound_isRefusedOnceTheBoundIsRead_withoutWaitingForItsEnd() throws Exception {
        Path path = listen(c -> List.of("never"));
        SocketChannel client = connect(path);
        // 4 MiB and no newline: the old server buffered it all and waited for the end of the line forever.
        threads.submit(() -> {
            ByteBuffer chunk = ByteBuffer.wrap("x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 64; i++) {
                chunk.rewind();
                client.write(chunk);
            }
            return null;
        });
        String answer = readAll(client, Duration.ofSeconds(10));
        assertEquals("ERROR BAD_REQUEST the request line is longer than " + ControlSocket.MAX_REQUEST_BYTES
                + " bytes\n", answer);
    }

    @Test
    void anIdleConnection_isClosedAfterTheIdleTimeout() throws Exception {
        Path path = listen(c -> List.of());
        SocketChannel idle = connect(path);
        long t0 = System.nanoTime();
        String answer = readAll(idle, ControlSocket.IDLE_TIMEOUT.plusSeconds(5));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("ERROR BAD_REQUEST no request within " + ControlSocket.IDLE_TIMEOUT.toMillis() + " ms\n",
                answer);
        assertTrue(ms >= ControlSocket.IDLE_TIMEOUT.toMillis() - 100, "not before the timeout: " + ms + " ms");
    }

    @Test
    void connectionsOverTheBound_areRefusedAtOnce_andTheDoorOpensAgainWhenTheyGo() throws Exception {
        Path path = listen(c -> List.of("row"));
        for (int i = 0; i < ControlSocket.MAX_CONNECTIONS; i++) {
            clients.add(connect(path));
        }
        SocketChannel extra = connect(path);
        long t0 = System.nanoTime();
        String answer = readAll(extra, Duration.ofSeconds(3));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 2_000, "refused at once, not after the idle timeout");
        assertEquals("ERROR BUSY " + ControlSocket.MAX_CONNECTIONS + " control connections are open already; try"
                + " again\n", answer);
        for (SocketChannel c : clients) {
            c.close();
        }
        clients.clear();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                assertEquals(List.of("row"), ControlSocket.send(path, new Command.Ps()));
                break;
            } catch (ControlException e) {
                assertEquals(ControlError.BUSY, e.error(), e.getMessage());
                assertTrue(System.nanoTime() < deadline, "still busy 5 s after the clients left");
                Thread.sleep(20);
            }
        }
    }

    @Test
    void aSlowCommand_isAnsweredEvenAfterTheIdleTimeout() throws Exception {
        long slowMs = ControlSocket.IDLE_TIMEOUT.toMillis() + 1_000;
        Path path = listen(c -> {
            try {
                Thread.sleep(slowMs); // a restart may take its domain's start timeout
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of("done");
        });
        assertEquals(List.of("done"), ControlSocket.send(path, new Command.Restart("storage0")));
    }

    @Test
    void bytesThatAreNoCommand_getAClearError_andTheSocketServesOthers() throws Exception {
        Path path = listen(c -> List.of(c.line()));
        for (String hostile : List.of("\u0000\u0001\u0002\n", "kill storage0 99999999999999\n", "\n",
                "\u00ff\u00fe\n", "ps ps ps\n")) {
            SocketChannel c = connect(path);
            c.write(ByteBuffer.wrap(hostile.getBytes(StandardCharsets.ISO_8859_1)));
            String answer = readAll(c, Duration.ofSeconds(10));
            assertTrue(answer.startsWith("ERROR BAD_REQUEST "), hostile + " -> " + answer);
            assertEquals(1, answer.lines().count(), answer);
        }
        assertEquals(List.of("ps"), ControlSocket.send(path, new Command.Ps()));
    }

    // ---------------------------------------------------------------------------------------------------------

    private static SocketChannel connect(Path path) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(path));
        return c;
    }

    /** Everything the server sends until it closes, or what came until {@code within} ran out (then it fails). */
    private String readAll(SocketChannel channel, Duration within) throws Exception {
        Future<String> read = threads.submit(() -> {
            ByteBuffer in = ByteBuffer.allocate(1 << 16);
            try {
                while (channel.read(in) >= 0 && in.hasRemaining()) {
                    // until EOF
                }
            } catch (IOException e) {
                // reset after the answer: what came is the answer
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        });
        try {
            return read.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            channel.close();
            return fail("no answer and no close within " + within.toMillis() + " ms");
        }
    }
}
