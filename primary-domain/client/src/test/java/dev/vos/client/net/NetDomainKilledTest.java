package dev.vos.client.net;

import dev.vos.client.DomainClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * net0 killed with SIGKILL under a channel blocked in read: the read fails with an IOException at once (well within
 * the storage domain's bound), the channel's later calls fail too, its peer outside sees the connection end, and a
 * new channel works once the next generation serves, without a new provider; a Unix listener's path is bound again
 * there.
 */
@Timeout(120)
class NetDomainKilledTest {

    @TempDir
    Path dir;

    @Test
    void aBlockedRead_failsWhenNet0IsKilled_andTheNextGenerationServesNewChannels() throws Exception {
        try (NetDomain domain = NetDomain.start(dir);
             DomainClient client = domain.client();
             ServerSocket outside = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            outside.setSoTimeout(30_000);
            final VosSelectorProvider vos = new VosSelectorProvider(client);
            final SocketChannel channel = vos.openSocketChannel();
            channel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), outside.getLocalPort()));
            try (Socket peer = outside.accept()) {
                peer.setSoTimeout(10_000);
                final CompletableFuture<Integer> read = new CompletableFuture<>();
                Thread.ofPlatform().start(() -> {
                    try {
                        read.complete(channel.read(ByteBuffer.allocate(16)));
                    } catch (IOException | RuntimeException e) {
                        read.completeExceptionally(e);
                    }
                });
                Thread.sleep(300);
                assertFalse(read.isDone(), "the read waits for its peer");

                final long killedAt = System.nanoTime();
                domain.kill();
                final ExecutionException failed = assertThrows(ExecutionException.class,
                        () -> read.get(10, TimeUnit.SECONDS));
                final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                assertInstanceOf(IOException.class, failed.getCause());
                assertTrue(ms < 3_000, "the blocked read failed " + ms + " ms after the kill: " + failed.getCause());
                assertThrows(IOException.class, () -> channel.write(ByteBuffer.wrap(new byte[] {1})),
                        "a later call on the dead generation's socket fails too");
                channel.close(); // quietly: the socket died with the domain
                assertFalse(channel.isOpen());
                assertEquals(-1, endSeenBy(peer.getInputStream()), "the peer outside sees its connection end");
            }

            domain.startGeneration();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                try (SocketChannel again = vos.openSocketChannel()) {
                    again.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), outside.getLocalPort()));
                    try (Socket peer = outside.accept()) {
                        again.write(ByteBuffer.wrap(new byte[] {42}));
                        assertEquals(42, peer.getInputStream().read(), "generation 2 carries bytes");
                    }
                    assertEquals(2, client.generation());
                    break;
                } catch (dev.vos.client.DomainUnavailableException notYet) {
                    // the client's retry interval after the failure: try again shortly
                    assertTrue(System.nanoTime() < deadline, "generation 2 never served: " + notYet);
                    Thread.sleep(50);
                }
            }
        }
    }

    /**
     * A Unix listener's file outlives a killed net0 (no one removed it), and a server re-created on the next
     * generation binds the same path: the domain takes back a name no one listens on.
     */
    @Test
    void aUnixListenersPath_isBoundAgainOnTheNextGeneration() throws Exception {
        try (NetDomain domain = NetDomain.start(dir); DomainClient client = domain.client()) {
            final VosSelectorProvider vos = new VosSelectorProvider(client);
            final UnixDomainSocketAddress path = UnixDomainSocketAddress.of(domain.unixDir().resolve("server.sock"));
            final ServerSocketChannel first = vos.openServerSocketChannel(StandardProtocolFamily.UNIX).bind(path);
            domain.kill();
            first.close(); // quietly: the socket died with the domain
            assertTrue(Files.exists(path.getPath()), "a dead generation's name is left behind");

            domain.startGeneration();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                try (ServerSocketChannel again = vos.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
                    again.bind(path);
                    try (SocketChannel outside = SocketChannel.open(path); SocketChannel served = again.accept()) {
                        outside.write(ByteBuffer.wrap(new byte[] {42}));
                        final ByteBuffer got = ByteBuffer.allocate(1);
                        served.read(got);
                        assertEquals(42, got.get(0), "generation 2 serves the same path");
                    }
                    break;
                } catch (dev.vos.client.DomainUnavailableException notYet) {
                    assertTrue(System.nanoTime() < deadline, "generation 2 never served: " + notYet);
                    Thread.sleep(50);
                }
            }
            assertFalse(Files.exists(path.getPath()), "and its name goes with its socket");
        }
    }

    private static int endSeenBy(final InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketException reset) {
            return -1; // a reset: as good as the end, and not a hang
        }
    }
}
