package dev.vos.client.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.vos.client.net.Outcomes.attempt;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Non-blocking channels and the {@code Selector}, the same scenarios on the JDK's default provider and on the net
 * domain's over loopback, the two records compared (as {@link NetDifferentialTest}): what each call returned, or
 * the class of what it threw. No scenario depends on time: a wait is for an event that is sure to come, bounded
 * only by the class's timeout.
 */
@Timeout(120)
class SelectorDifferentialTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** How long a scenario waits for an event that is sure to come: a bound against a hang, not a measurement. */
    private static final long EVENT_BOUND_NS = TimeUnit.SECONDS.toNanos(30);

    @RegisterExtension
    static final Net0Fixture NET0 = new Net0Fixture();

    /** A scenario: what it saw, one line per step. */
    private interface Scenario {
        void run(SelectorProvider provider, List<String> seen) throws Exception;
    }

    private static void same(final Scenario scenario) throws Exception {
        final List<String> expected = new ArrayList<>();
        scenario.run(SelectorProvider.provider(), expected);
        final List<String> actual = new ArrayList<>();
        scenario.run(NET0.provider(), actual);
        assertEquals(expected, actual, "the default provider saw " + expected + ", the net domain's " + actual);
    }

    private static ServerSocketChannel listener(final SelectorProvider provider) throws IOException {
        final ServerSocketChannel server = provider.openServerSocketChannel();
        server.bind(new InetSocketAddress(LOOPBACK, 0));
        return server;
    }

    /**
     * Selects until {@code key} is ready for {@code ops}; its ready set then. Other keys selected meanwhile are let go
     * (their channels stay ready, and a later wait for them selects them again).
     */
    private static int until(final Selector selector, final SelectionKey key, final int ops) throws IOException {
        final long start = System.nanoTime();
        while (System.nanoTime() - start < EVENT_BOUND_NS) {
            selector.select(1000);
            final boolean selected = selector.selectedKeys().contains(key);
            selector.selectedKeys().clear();
            if (selected && (key.readyOps() & ops) != 0) {
                return key.readyOps();
            }
        }
        throw new AssertionError(key + " never became ready for " + ops);
    }

    @Test
    void nonBlockingAcceptConnectReadWrite_throughOneSelector() throws Exception {
        same((provider, seen) -> {
            try (Selector selector = provider.openSelector();
                 ServerSocketChannel server = listener(provider);
                 SocketChannel c = provider.openSocketChannel()) {
                server.configureBlocking(false);
                seen.add("accept with none waiting: " + server.accept());
                final SelectionKey acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
                seen.add("selectNow with nothing ready: " + selector.selectNow());
                c.configureBlocking(false);
                final boolean at = c.connect(server.getLocalAddress());
                seen.add("connected or pending: " + (at ? c.isConnected() : c.isConnectionPending()));
                final SelectionKey connectKey = c.register(selector, at ? 0 : SelectionKey.OP_CONNECT);
                if (!at) {
                    seen.add("connectable: " + until(selector, connectKey, SelectionKey.OP_CONNECT));
                    seen.add("finishConnect: " + c.finishConnect());
                } else {
                    seen.add("connectable: " + SelectionKey.OP_CONNECT);
                    seen.add("finishConnect: " + c.finishConnect());
                }
                seen.add("pending after: " + c.isConnectionPending() + ", connected: " + c.isConnected());
                seen.add("acceptable: " + until(selector, acceptKey, SelectionKey.OP_ACCEPT));
                try (SocketChannel s = server.accept()) {
                    seen.add("accepted, blocking: " + s.isBlocking());
                    s.configureBlocking(false);
                    seen.add("read with nothing there: " + s.read(ByteBuffer.allocate(8)));
                    final SelectionKey readKey = s.register(selector, SelectionKey.OP_READ, "attachment");
                    connectKey.interestOps(SelectionKey.OP_WRITE);
                    seen.add("writable: " + until(selector, connectKey, SelectionKey.OP_WRITE));
                    seen.add("wrote: " + c.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8))));
                    seen.add("readable: " + until(selector, readKey, SelectionKey.OP_READ) + " "
                            + readKey.attachment());
                    final ByteBuffer got = ByteBuffer.allocate(16);
                    seen.add("read: " + s.read(got) + " " + new String(got.array(), 0, got.position(),
                            StandardCharsets.UTF_8));
                    seen.add("read again: " + s.read(got.clear()));
                    c.close();
                    seen.add("closing deregisters at the next select: " + connectKey.isValid() + " "
                            + selector.keys().contains(connectKey));
                    seen.add("end of stream readable: " + until(selector, readKey, SelectionKey.OP_READ));
                    seen.add("then reads " + s.read(got.clear()));
                    seen.add("keys: " + selector.keys().size() + ", closed key gone: "
                            + !selector.keys().contains(connectKey));
                }
            }
        });
    }

    @Test
    void wakeup_beforeASelect_makesItReturnAtOnce_andSelectNowClearsIt() throws Exception {
        same((provider, seen) -> {
            try (Selector selector = provider.openSelector(); ServerSocketChannel server = listener(provider)) {
                server.configureBlocking(false);
                server.register(selector, SelectionKey.OP_ACCEPT);
                selector.wakeup();
                selector.wakeup();
                seen.add("select after two wakeups: " + selector.select());
                selector.wakeup();
                seen.add("selectNow: " + selector.selectNow());
                seen.add("select(100) after selectNow: " + selector.select(100));
                seen.add("select(Consumer, 50): " + selector.select(k -> seen.add("never " + k), 50));
            }
        });
    }

    @Test
    void wakeupFromAnotherThread_andAnInterrupt_endABlockedSelect() throws Exception {
        same((provider, seen) -> {
            try (Selector selector = provider.openSelector(); ServerSocketChannel server = listener(provider)) {
                server.configureBlocking(false);
                server.register(selector, SelectionKey.OP_ACCEPT);
                final Thread[] selecting = new Thread[1];
                final CompletableFuture<String> woken = new CompletableFuture<>();
                selecting[0] = Thread.ofVirtual().start(() -> woken.complete(attempt(selector::select)));
                awaitParked(selecting[0]);
                selector.wakeup();
                seen.add("woken select: " + woken.get(30, TimeUnit.SECONDS));
                final CompletableFuture<String> interrupted = new CompletableFuture<>();
                final Thread t = Thread.ofVirtual().start(() -> interrupted.complete(
                        attempt(selector::select) + " interrupted=" + Thread.currentThread().isInterrupted()));
                awaitParked(t);
                t.interrupt();
                seen.add("interrupted select: " + interrupted.get(30, TimeUnit.SECONDS));
                seen.add("selector open: " + selector.isOpen());
                final CompletableFuture<String> closed = new CompletableFuture<>();
                final Thread c = Thread.ofVirtual().start(() -> closed.complete(attempt(selector::select)));
                awaitParked(c);
                selector.close();
                seen.add("select ended by close: " + closed.get(30, TimeUnit.SECONDS));
            }
        });
    }

    /** Waits until {@code t} parks: in a select, since it has nothing else to wait for. */
    private static void awaitParked(final Thread t) throws InterruptedException {
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(5);
        }
        Thread.sleep(50); // parked in the ring's wait (or a lock on the way): either way the wakeup must end it
    }

    @Test
    void misuse_isTheJdksExceptions() throws Exception {
        same((provider, seen) -> {
            final Selector selector = provider.openSelector();
            try (SocketChannel c = provider.openSocketChannel(); ServerSocketChannel server = listener(provider)) {
                seen.add("register blocking: " + attempt(() -> c.register(selector, SelectionKey.OP_READ)));
                c.configureBlocking(false);
                seen.add("register bad ops: " + attempt(() -> c.register(selector, SelectionKey.OP_ACCEPT)));
                seen.add("finishConnect, none pending: " + attempt(c::finishConnect));
                seen.add("read unconnected: " + attempt(() -> c.read(ByteBuffer.allocate(1))));
                final SelectionKey key = c.register(selector, SelectionKey.OP_CONNECT);
                seen.add("register again, same key: " + (c.register(selector, SelectionKey.OP_READ) == key)
                        + " interest " + key.interestOps());
                seen.add("blocking while registered: " + attempt(() -> c.configureBlocking(true).isBlocking()));
                seen.add("selectedKeys().add: " + attempt(() -> selector.selectedKeys().add(key)));
                seen.add("keys().add: " + attempt(() -> selector.keys().add(key)));
                seen.add("select(-1): " + attempt(() -> selector.select(-1)));
                key.cancel();
                seen.add("cancelled: valid " + key.isValid() + ", interestOps " + attempt(key::interestOps)
                        + ", readyOps " + attempt(key::readyOps));
                seen.add("register while cancelled: " + attempt(() -> c.register(selector, SelectionKey.OP_READ)));
                selector.selectNow();
                seen.add("after the select: registered " + c.isRegistered() + ", blocking again "
                        + attempt(() -> c.configureBlocking(true).isBlocking()));
                server.configureBlocking(false);
                final SelectionKey serverKey = server.register(selector, SelectionKey.OP_ACCEPT);
                selector.close();
                seen.add("closed selector: key valid " + serverKey.isValid() + ", registered "
                        + server.isRegistered());
                seen.add("select: " + attempt(selector::select));
                seen.add("selectNow: " + attempt(selector::selectNow));
                seen.add("keys: " + attempt(selector::keys));
                seen.add("selectedKeys: " + attempt(selector::selectedKeys));
                seen.add("register: " + attempt(() -> server.register(selector, SelectionKey.OP_ACCEPT)));
                seen.add("wakeup: " + (selector.wakeup() == selector));
                selector.close();
                seen.add("closed twice: fine");
            }
            final SocketChannel closed = provider.openSocketChannel();
            closed.configureBlocking(false);
            closed.close();
            try (Selector other = provider.openSelector()) {
                seen.add("register closed: " + attempt(() -> closed.register(other, SelectionKey.OP_READ)));
                seen.add("configureBlocking closed: " + attempt(() -> closed.configureBlocking(true)));
            }
        });
    }

    @Test
    void aPipeAndASocket_inOneSelector_theSinkWakingASelectThatWaits() throws Exception {
        same((provider, seen) -> {
            final Pipe pipe = provider.openPipe();
            try (Selector selector = provider.openSelector();
                 ServerSocketChannel server = listener(provider);
                 Pipe.SourceChannel source = pipe.source();
                 Pipe.SinkChannel sink = pipe.sink()) {
                source.configureBlocking(false);
                server.configureBlocking(false);
                seen.add("read from an empty pipe: " + source.read(ByteBuffer.allocate(4)));
                final SelectionKey readKey = source.register(selector, SelectionKey.OP_READ);
                final SelectionKey acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
                seen.add("selectNow: " + selector.selectNow());
                final CompletableFuture<String> selected = new CompletableFuture<>();
                final Thread t = Thread.ofVirtual().start(() -> selected.complete(attempt(selector::select) + " "
                        + readKey.isReadable()));
                awaitParked(t);
                seen.add("sink wrote: " + sink.write(ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8))));
                seen.add("select woken by the pipe: " + selected.get(30, TimeUnit.SECONDS));
                final ByteBuffer got = ByteBuffer.allocate(8);
                seen.add("read: " + source.read(got) + " " + (char) got.get(0));
                selector.selectedKeys().clear();
                try (SocketChannel c = provider.openSocketChannel()) {
                    c.connect(server.getLocalAddress());
                    seen.add("acceptable beside the pipe: " + until(selector, acceptKey, SelectionKey.OP_ACCEPT));
                    try (SocketChannel s = server.accept()) {
                        seen.add("accepted: " + (s != null));
                    }
                }
                sink.close();
                seen.add("the pipe's end readable: " + until(selector, readKey, SelectionKey.OP_READ));
                seen.add("read at the end: " + source.read(got.clear()));
            }
            final Pipe broken = provider.openPipe();
            broken.source().close();
            try (Pipe.SinkChannel sink = broken.sink()) {
                seen.add("write, source closed: " + attempt(() -> sink.write(ByteBuffer.allocate(1))));
                sink.close();
                seen.add("write, closed: " + attempt(() -> sink.write(ByteBuffer.allocate(1))));
            }
            final Pipe blocking = provider.openPipe();
            try (Pipe.SourceChannel source = blocking.source();
                 Pipe.SinkChannel sink = blocking.sink()) {
                final CompletableFuture<String> read = new CompletableFuture<>();
                final Thread reader = Thread.ofVirtual().start(() -> read.complete(attempt(
                        () -> source.read(ByteBuffer.allocate(4)))));
                awaitParked(reader);
                sink.write(ByteBuffer.wrap(new byte[] {1, 2}));
                seen.add("a blocked read: " + read.get(30, TimeUnit.SECONDS));
                final CompletableFuture<String> closedUnder = new CompletableFuture<>();
                final Thread second = Thread.ofVirtual().start(() -> closedUnder.complete(attempt(
                        () -> source.read(ByteBuffer.allocate(4)))));
                awaitParked(second);
                source.close();
                seen.add("a blocked read, closed under it: " + closedUnder.get(30, TimeUnit.SECONDS));
            }
        });
    }

    @Test
    void channelsOfAnotherProvider_areRefused_withIllegalSelectorException() throws Exception {
        final SelectorProvider jdk = SelectorProvider.provider();
        try (Selector vosSelector = NET0.provider().openSelector(); Selector jdkSelector = jdk.openSelector();
             SocketChannel jdkChannel = jdk.openSocketChannel();
             SocketChannel vosChannel = NET0.provider().openSocketChannel()) {
            jdkChannel.configureBlocking(false);
            vosChannel.configureBlocking(false);
            assertThrows(IllegalSelectorException.class, () -> jdkChannel.register(vosSelector, SelectionKey.OP_READ));
            assertThrows(IllegalSelectorException.class, () -> vosChannel.register(jdkSelector, SelectionKey.OP_READ));
            final Pipe pipe = jdk.openPipe();
            try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
                source.configureBlocking(false);
                assertThrows(IllegalSelectorException.class, () -> source.register(vosSelector,
                        SelectionKey.OP_READ), "a pipe of the JDK's is no descriptor of the domain");
                assertFalse(sink.isRegistered());
            }
        }
    }
}
