package dev.vos.client.net;

import dev.vos.client.DomainClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A selector with more keys than one call's payload has entries: a client whose ring gives each slot 4 KiB (256
 * entries of 16 bytes) registers 300 channels, so that a select's watch goes out in two calls and a ready answers
 * at most 256 at a time. Every channel whose peer wrote is selected, and only those still registered.
 */
@Timeout(120)
class SelectorScaleTest {

    private static final int CHANNELS = 300;
    private static final int ENTRIES_PER_CALL = 4096 / 16;
    private static final long BOUND_NS = TimeUnit.SECONDS.toNanos(30);

    private static Path dir;
    private static NetDomain domain;
    private static DomainClient client;
    private static VosSelectorProvider provider;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("vos-net0-scale");
        domain = NetDomain.start(dir);
        RingGeometry small = new RingGeometry(8, 4096, Duration.ofSeconds(1).toNanos());
        client = DomainClient.forDomain(dir, NetDomain.NAME, new DomainClient.Options(small, WaitStrategy.standard(),
                Duration.ofSeconds(5), Duration.ofMillis(20), null));
        provider = new VosSelectorProvider(client);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            client.close();
            domain.close();
        } finally {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void moreKeysThanOnePayloadHolds_areAllWatched_andAllSelected_andCancelledOnesNoLonger() throws Exception {
        assertTrue(CHANNELS > ENTRIES_PER_CALL, "the test must overflow one call's entries");
        List<SocketChannel> peers = new ArrayList<>();
        List<SocketChannel> accepted = new ArrayList<>();
        try (ServerSocketChannel server = provider.openServerSocketChannel();
             Selector selector = provider.openSelector()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            List<SelectionKey> keys = new ArrayList<>();
            for (int i = 0; i < CHANNELS; i++) {
                peers.add(SocketChannel.open(server.getLocalAddress())); // the JDK's own: the other end
                SocketChannel c = server.accept();
                accepted.add(c);
                c.configureBlocking(false);
                keys.add(c.register(selector, SelectionKey.OP_READ, i));
            }
            assertEquals(0, selector.selectNow(), "nothing written yet");

            writeAll(peers);
            assertEquals(allOf(CHANNELS), selectUntil(selector, CHANNELS), "every channel whose peer wrote");

            for (int i = 0; i < CHANNELS; i += 2) {
                keys.get(i).cancel();
            }
            writeAll(peers);
            Set<Integer> odd = new HashSet<>();
            for (int i = 1; i < CHANNELS; i += 2) {
                odd.add(i);
            }
            assertEquals(odd, selectUntil(selector, odd.size()), "the cancelled keys are no longer selected");
            selector.selectNow(); // the even channels' bytes are still there: still not selected
            assertTrue(selector.selectedKeys().isEmpty(), "a cancelled member left the set: "
                    + selector.selectedKeys().size() + " selected");
        } finally {
            for (SocketChannel c : accepted) {
                c.close();
            }
            for (SocketChannel c : peers) {
                c.close();
            }
        }
    }

    private static void writeAll(List<SocketChannel> peers) throws IOException {
        for (SocketChannel p : peers) {
            p.write(ByteBuffer.wrap(new byte[] {1}));
        }
    }

    private static Set<Integer> allOf(int n) {
        Set<Integer> all = new HashSet<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        return all;
    }

    /**
     * Selects until {@code count} distinct keys were selected (bounded), reading each selected channel's byte so that
     * it is ready no more; their attachments.
     */
    private static Set<Integer> selectUntil(Selector selector, int count) throws IOException {
        Set<Integer> seen = new HashSet<>();
        long start = System.nanoTime();
        ByteBuffer one = ByteBuffer.allocate(16);
        while (seen.size() < count && System.nanoTime() - start < BOUND_NS) {
            selector.select(100);
            for (SelectionKey key : selector.selectedKeys()) {
                seen.add((Integer) key.attachment());
                one.clear();
                ((SocketChannel) key.channel()).read(one);
            }
            selector.selectedKeys().clear();
        }
        return seen;
    }
}
