package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Listen;
import dev.vos.net.protocol.NetCalls.Recvfrom;
import dev.vos.net.protocol.NetCalls.Socket;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.agent.AgentSession;
import dev.vos.ring.agent.DomainAgentMain;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.vos.net.domain.NetRing.LOOPBACK;
import static dev.vos.net.domain.NetRing.expectOk;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The net kind in a real domain process, as the control plane runs it (DomainAgentMain, the kind found by
 * ServiceLoader, net.bind passed as an option), killed with SIGKILL while a receive waits in it: the waiting call
 * fails at once, its peer outside sees the connection end rather than hang, and a new generation serves new sockets.
 */
@Timeout(90)
class DomainKilledTest {

    private static final RingGeometry GEOMETRY = new RingGeometry(8, 4096, 200_000_000L);

    @TempDir
    Path dir;

    @Test
    void aWaitingReceive_failsWhenTheDomainIsKilled_andGeneration2ServesNewSockets() throws Exception {
        Process first = start(dir.resolve("net0-1.sock"), 1);
        try (AgentSession session = attach(dir.resolve("net0-1.sock"))) {
            RingClient ring = session.ring();
            long listener = listener(ring);
            InetSocketAddress address = localAddress(ring, listener);
            try (java.net.Socket peer = new java.net.Socket(LOOPBACK, address.getPort())) {
                peer.setSoTimeout(10_000);
                long fd = expectOk(NetCalls.Accept.call(ring, listener, 0, 0, 0), "accept");
                CompletableFuture<Long> waiting = new CompletableFuture<>();
                Thread.startVirtualThread(() -> {
                    try (CallSlot slot = ring.acquire()) {
                        waiting.complete(Recvfrom.call(slot, fd, slot.dataOffset(), 100, 0, 0, 0));
                    } catch (DomainFailedException e) {
                        waiting.completeExceptionally(e);
                    }
                });
                Thread.sleep(200);
                assertFalse(waiting.isDone(), "the receive waits for its peer");

                long killedAt = System.nanoTime();
                Linux.kill(first.pid(), Linux.SIGKILL);
                ExecutionException failed = assertThrows(ExecutionException.class,
                        () -> waiting.get(5, TimeUnit.SECONDS));
                assertInstanceOf(DomainFailedException.class, failed.getCause());
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                assertTrue(ms < 3_000, "the waiting call failed " + ms + " ms after the kill");
                assertThrows(DomainFailedException.class, () -> NetCalls.Close.call(ring, fd),
                        "a later call on the dead generation's socket fails too");
                int end;
                try {
                    end = peer.getInputStream().read();
                } catch (SocketException reset) {
                    end = -1; // reset: as good as the end, and not a hang
                }
                assertEquals(-1, end, "the peer outside sees its connection end");
            }
        } finally {
            first.destroyForcibly().waitFor();
        }
        Process second = start(dir.resolve("net0-2.sock"), 2);
        try (AgentSession session = attach(dir.resolve("net0-2.sock"))) {
            long listener = listener(session.ring());
            try (java.net.Socket peer = new java.net.Socket(LOOPBACK, localAddress(session.ring(), listener)
                    .getPort())) {
                assertTrue(NetCalls.Accept.call(session.ring(), listener, 0, 0, 0) >= 0, "generation 2 serves");
                assertTrue(peer.isConnected());
            }
        } finally {
            second.destroyForcibly().waitFor();
        }
    }

    private static Process start(Path socket, long generation) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process process = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx128m",
                "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), DomainAgentMain.class.getName(),
                "--name", "net0", "--kind", "net", "--generation", Long.toString(generation),
                "--socket", socket.toString(), "--hang-timeout-ms", "10000", "--option", "bind=127.0.0.1"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(process.getInputStream())).readLine();
        assertNotNull(line, "the agent exited before listening");
        assertTrue(line.startsWith("agent net0 generation " + generation + " listening on"), line);
        return process;
    }

    private static AgentSession attach(Path socket) throws IOException {
        return AgentSession.attach(socket, GEOMETRY, WaitStrategy.sleeping(), Duration.ofSeconds(10));
    }

    private static long listener(RingClient ring) throws Exception {
        long fd = expectOk(Socket.call(ring, SockaddrLayout.AF_INET, NetCalls.SOCK_STREAM), "socket");
        try (CallSlot slot = ring.acquire()) {
            int n = SockaddrLayout.encode(new InetSocketAddress(LOOPBACK, 0), slot.data());
            expectOk(NetCalls.Bind.call(slot, fd, slot.dataOffset(), n), "bind");
        }
        expectOk(Listen.call(ring, fd, 4), "listen");
        return fd;
    }

    private static InetSocketAddress localAddress(RingClient ring, long fd) throws Exception {
        try (CallSlot slot = ring.acquire()) {
            long n = expectOk(NetCalls.Getsockname.call(slot, fd, slot.dataOffset(), SockaddrLayout.MAX_BYTES),
                    "getsockname");
            return SockaddrLayout.decode(slot.data(), n);
        }
    }
}
