package dev.vos.client.net;

import dev.vos.client.DomainClient;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.layout.RingGeometry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Run in a JVM with one carrier ({@code -Djdk.virtualThreadScheduler.parallelism=1}, {@code maxPoolSize=1}, so
 * that a pinned carrier could not be replaced: it would stop every virtual thread): THREADS virtual threads, each
 * with a blocking {@link SocketChannel} of net0, connect to an echo server, write 8 bytes, read them back, close.
 * The server answers no one until every thread has written, so thousands of reads wait in the domain at once, each
 * parking its virtual thread. Prints one line of figures: {@code ok failed peakReading carriers}; the test
 * starts this JVM with a JFR recording of {@code jdk.VirtualThreadPinned} (threshold 0) and reads it after.
 *
 * <p>Arguments: the state directory, the echo server's port, THREADS, SESSIONS (net0 sessions the threads share:
 * each holds at most 1024 sockets, and a ring as many calls in flight as it has slots).
 */
public final class ManyVirtualThreadsMain {

    /** Slots of each session's ring: a call waiting in the domain holds its slot. */
    static final int SLOTS = 1024;

    private ManyVirtualThreadsMain() {
    }

    public static void main(final String[] args) throws Exception {
        final Path stateDir = Path.of(args[0]);
        final InetSocketAddress echo = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]));
        final int threads = Integer.parseInt(args[2]);
        final int sessions = Integer.parseInt(args[3]);
        final DomainClient.Options options = new DomainClient.Options(new RingGeometry(SLOTS, RingGeometry.PAGE,
                RingGeometry.DEFAULT.livenessTimeoutNs()), DomainClient.Options.DEFAULT.waitStrategy(),
                Duration.ofSeconds(30), Duration.ofMillis(20), null);
        final List<DomainClient> clients = new ArrayList<>();
        final List<VosSelectorProvider> providers = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            final DomainClient client = DomainClient.forDomain(stateDir, NetDomain.NAME, options);
            clients.add(client);
            providers.add(new VosSelectorProvider(client));
            // Attached here, on this platform thread: the handshake's raw socket calls block the thread that makes
            // them, which on a virtual thread would be the one carrier.
            client.call(CoreCalls.NOP);
        }
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger reading = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final AtomicReference<String> firstFailure = new AtomicReference<>();
        final Set<String> carriers = ConcurrentHashMap.newKeySet();
        final List<Thread> started = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            final long id = t;
            final VosSelectorProvider provider = providers.get(t % sessions);
            started.add(Thread.ofVirtual().start(() -> {
                try (SocketChannel channel = provider.openSocketChannel()) {
                    channel.connect(echo);
                    carriers.add(carrier());
                    channel.write(ByteBuffer.allocate(Long.BYTES).putLong(0, id));
                    peak.accumulateAndGet(reading.incrementAndGet(), Math::max);
                    final ByteBuffer back = ByteBuffer.allocate(Long.BYTES);
                    while (back.hasRemaining() && channel.read(back) >= 0) {
                        // the echo comes whole or in parts; a blocking read parks until some of it is in
                    }
                    reading.decrementAndGet();
                    carriers.add(carrier());
                    if (back.position() == Long.BYTES && back.getLong(0) == id) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, "thread " + id + " got " + back);
                    }
                } catch (IOException | RuntimeException e) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, "thread " + id + ": " + e);
                }
            }));
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        for (Thread t : started) {
            final long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                System.err.println("not finished in time: ok=" + ok + " failed=" + failed + " reading="
                        + reading);
                System.exit(3);
            }
        }
        if (firstFailure.get() != null) {
            System.err.println("first failure: " + firstFailure.get());
        }
        System.out.println("ok=" + ok + " failed=" + failed + " peakReading=" + peak + " carriers=" + carriers);
        for (DomainClient c : clients) {
            c.close();
        }
    }

    /** The carrier a virtual thread runs on, from its name ({@code ...@ForkJoinPool-1-worker-1}). */
    private static String carrier() {
        final String name = Thread.currentThread().toString();
        return name.substring(name.indexOf('@') + 1);
    }
}
