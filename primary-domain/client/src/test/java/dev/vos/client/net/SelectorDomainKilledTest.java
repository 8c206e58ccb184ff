package dev.vos.client.net;

import dev.vos.client.DomainClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * net0 killed with SIGKILL under a select that waits: the select returns with the dead channel's key ready for its
 * interest, the channel's read then throws, and once generation 2 serves a new channel on the same selector is
 * selected again (the selector makes its waker anew on the new session).
 */
@Timeout(120)
class SelectorDomainKilledTest {

    @TempDir
    Path dir;

    @Test
    void aWaitingSelect_reportsTheDeadChannel_andTheSameSelectorServesGeneration2() throws Exception {
        try (NetDomain domain = NetDomain.start(dir);
             DomainClient client = domain.client();
             ServerSocket outside = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            outside.setSoTimeout(30_000);
            final VosSelectorProvider vos = new VosSelectorProvider(client);
            final InetSocketAddress there = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    outside.getLocalPort());
            try (Selector selector = vos.openSelector(); SocketChannel channel = vos.openSocketChannel()) {
                channel.connect(there);
                try (Socket peer = outside.accept()) {
                    channel.configureBlocking(false);
                    final SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                    final CompletableFuture<Integer> selected = new CompletableFuture<>();
                    Thread.ofVirtual().start(() -> {
                        try {
                            selected.complete(selector.select());
                        } catch (IOException | RuntimeException e) {
                            selected.completeExceptionally(e);
                        }
                    });
                    Thread.sleep(300);
                    assertFalse(selected.isDone(), "the select waits: nothing to read");

                    domain.kill();
                    assertEquals(1, selected.get(10, TimeUnit.SECONDS), "the select reports the dead channel");
                    assertTrue(selector.selectedKeys().contains(key));
                    assertEquals(SelectionKey.OP_READ, key.readyOps());
                    assertThrows(IOException.class, () -> channel.read(ByteBuffer.allocate(8)),
                            "its read meets the failure");
                    selector.selectedKeys().clear();
                    assertEquals(1, selector.selectNow(), "and the next select reports it again at once");
                    selector.selectedKeys().clear();
                    channel.close();
                    assertEquals(0, selector.selectNow(), "closed: nothing to select, and no call to the dead domain");
                    assertTrue(selector.keys().isEmpty(), "closed: deregistered");
                    selector.wakeup();
                    assertEquals(0, selector.select(), "a select of no channel is woken in this JVM");
                }

                domain.startGeneration();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                SocketChannel again = null;
                while (again == null) {
                    try {
                        again = vos.openSocketChannel();
                    } catch (dev.vos.client.DomainUnavailableException notYet) {
                        assertTrue(System.nanoTime() < deadline, "generation 2 never served: " + notYet);
                        Thread.sleep(50);
                    }
                }
                try (SocketChannel second = again) {
                    second.connect(there);
                    try (Socket peer = outside.accept()) {
                        second.configureBlocking(false);
                        final SelectionKey key = second.register(selector, SelectionKey.OP_READ);
                        assertEquals(0, selector.selectNow(), "nothing to read yet on generation 2");
                        peer.getOutputStream().write(7);
                        assertEquals(1, selector.select(30_000), "generation 2's channel selected");
                        assertTrue(key.isReadable());
                        final ByteBuffer one = ByteBuffer.allocate(1);
                        assertEquals(1, second.read(one));
                        assertEquals(7, one.get(0));
                        assertEquals(2, client.generation());
                    }
                }
            }
        }
    }
}
