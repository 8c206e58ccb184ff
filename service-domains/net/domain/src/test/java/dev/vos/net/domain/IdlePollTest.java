package dev.vos.net.domain;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.SegmentFiles;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.vos.net.domain.NetRing.LOOPBACK;
import static dev.vos.net.domain.NetRing.expectOk;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A busy-polling worker completes the calls parked on its domain's epoll by itself, between polls of its empty
 * queue: here the readiness loop has no thread, so every parked receive and accept answered proves it.
 */
@Timeout(60)
class IdlePollTest {

    @Test
    void withNoReadinessThread_aBusyPollingWorker_answersParkedCalls_andTheParkedCountReturnsToZero()
            throws Exception {
        Readiness readiness = new Readiness(false);
        CallTable.Builder b = CoreCallHandlers.register(CallTable.builder());
        new NetHandlers(BindPolicy.parse("127.0.0.1"), UnixPaths.none(), 64, readiness).register(b);
        Path file = SegmentFiles.path("test", "net-idle-poll-" + ProcessHandle.current().pid());
        Files.deleteIfExists(file);
        RingClient client = RingClient.create(file, RingGeometry.DEFAULT, 1, WaitStrategy.sleeping());
        RingServer server = RingServer.attach(file, b.build(), ServerOptions.DEFAULT.busyPolling());
        try {
            client.awaitServer(Duration.ofSeconds(10));
            NetRing ring = new NetRing(client, server);
            long listener = ring.listener();
            int port = ring.localAddress(listener).getPort();
            CompletableFuture<NetRing.Accepted> accepting = CompletableFuture.supplyAsync(() -> {
                try {
                    return ring.accept(listener, 0);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, Thread::startVirtualThread);
            try (Socket peer = new Socket(LOOPBACK, port)) {
                long fd = expectOk(accepting.get(20, TimeUnit.SECONDS).fd(), "accept");
                for (int i = 0; i < 20; i++) {
                    String word = "w" + i;
                    CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                        try {
                            return ring.recv(fd, 100, 0);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, Thread::startVirtualThread);
                    while (readiness.current().parked() == 0 && !received.isDone()) {
                        Thread.sleep(1); // the receive parks (or, rarely, finds bytes of no one: it cannot)
                    }
                    assertEquals(1, readiness.current().parked(), "one receive parked");
                    peer.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
                    assertEquals(word, received.get(20, TimeUnit.SECONDS));
                }
                assertEquals(0, readiness.current().parked(), "nothing parked once every call is answered");
                assertEquals(0, client.call(CoreCalls.NOP));
            }
        } finally {
            client.close();
            server.awaitTermination();
        }
    }
}
