package dev.vos.bench.net;

import dev.vos.bench.support.Pinning;
import dev.vos.client.net.VosSelectorProvider;
import dev.vos.ring.client.WaitStrategy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What one pass of a selector-driven server costs through net0, against the JDK's own sockets, by the number of
 * channels registered: a {@code selectNow()} with {@code n} idle connections registered for reading (none ready, as
 * in a server whose clients think), and an {@code accept()} of a connection already in the listen queue. These are
 * the two calls of each pass of the JDK's {@code HttpServer} dispatcher; at 1,000 connections their sum decides how
 * fast the listen queue drains (docs/network.md, "Why 1,000 connections have a tail of seconds").
 * <ul>
 *   <li>The domain is a real net agent ({@link NetAgent}: a child JVM, one busy-polling worker pinned to CPU 1). The
 *       client thread is pinned to CPU 0 and waits as an application's does ({@link WaitStrategy#standard()}). The
 *       peers are the JDK's sockets in this JVM, idle.</li>
 *   <li>For each count, windows of {@code --calls} (2,000) selects alternate native and vos, the order swapped
 *       every pair, {@code --pairs} (8) pairs; then {@code --accepts} (200) accepts each way, the same number of
 *       times. Each figure is a window's mean per call; the report gives the median of the windows and the ratio of
 *       the medians.</li>
 * </ul>
 * Run it on a quiet machine, with {@code ../shared/tools/floors} in the same sitting.
 * <pre>usage: SelectCost [--counts 10,100,1000] [--calls 2000] [--pairs 8] [--accepts 200]</pre>
 */
public final class SelectCost {

    private SelectCost() {
    }

    public static void main(String[] args) throws Exception {
        int[] counts = {10, 100, 1000};
        int calls = 2000;
        int pairs = 8;
        int accepts = 200;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--counts" -> counts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--accepts" -> accepts = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int most = Arrays.stream(counts).max().orElse(0);
        int perWindow = calls;
        int queued = accepts;
        try (NetAgent agent = NetAgent.start(WaitStrategy.standard(),
                "maxSocketsPerSession=" + Math.max(1024, most + accepts + 16))) {
            SelectorProvider vos = new VosSelectorProvider("net0", agent.session().ring());
            SelectorProvider jdk = SelectorProvider.provider();
            int tid = Pinning.pinCurrentThread(0);
            System.out.printf(Locale.ROOT, "select and accept cost: %d pairs of %d selectNow and of %d accepts;"
                    + " domain worker busy-polls on CPU %d; client pinned to CPU 0 (tid %d)%n", pairs, calls,
                    accepts, NetAgent.SERVER_CPU, tid);
            for (int n : counts) {
                try (Fixture a = Fixture.open(jdk, n); Fixture b = Fixture.open(vos, n)) {
                    a.selectWindow(calls); // warm-up: the JIT, and the domain's handlers
                    b.selectWindow(calls);
                    double[][] select = alternate(pairs, () -> a.selectWindow(perWindow),
                            () -> b.selectWindow(perWindow));
                    report("selectNow, " + n + " registered", select);
                }
            }
            try (Fixture a = Fixture.open(jdk, 0); Fixture b = Fixture.open(vos, 0)) {
                a.acceptWindow(accepts);
                b.acceptWindow(accepts);
                report("accept of a queued connection", alternate(pairs, () -> a.acceptWindow(queued),
                        () -> b.acceptWindow(queued)));
            }
        }
    }

    @FunctionalInterface
    private interface Window {
        double run() throws IOException;
    }

    /** {@code pairs} windows of each, native first in even pairs and vos first in odd ones: {native[], vos[]}. */
    private static double[][] alternate(int pairs, Window jdk, Window vos) throws IOException {
        double[] n = new double[pairs];
        double[] v = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            if (i % 2 == 0) {
                n[i] = jdk.run();
                v[i] = vos.run();
            } else {
                v[i] = vos.run();
                n[i] = jdk.run();
            }
        }
        return new double[][] {n, v};
    }

    private static void report(String what, double[][] windows) {
        double[] n = windows[0].clone();
        double[] v = windows[1].clone();
        Arrays.sort(n);
        Arrays.sort(v);
        System.out.printf(Locale.ROOT, "%-32s native %8.2f us [%.2f..%.2f]   vos %8.2f us [%.2f..%.2f]   %.1fx%n",
                what, median(n) / 1e3, n[0] / 1e3, n[n.length - 1] / 1e3, median(v) / 1e3, v[0] / 1e3,
                v[v.length - 1] / 1e3, median(v) / median(n));
    }

    private static double median(double[] sorted) {
        return sorted[sorted.length / 2];
    }

    /**
     * One provider's listener, {@code n} accepted connections registered for reading with its selector, and their
     * peers (the JDK's sockets, idle: nothing is ever ready).
     */
    private record Fixture(SelectorProvider provider, ServerSocketChannel listener, Selector selector,
                           List<SocketChannel> open) implements AutoCloseable {

        static Fixture open(SelectorProvider provider, int n) throws IOException {
            ServerSocketChannel listener = provider.openServerSocketChannel();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            Fixture fixture = new Fixture(provider, listener, provider.openSelector(), new ArrayList<>());
            for (int i = 0; i < n; i++) {
                fixture.open.add(SocketChannel.open(listener.getLocalAddress()));
                SocketChannel accepted = listener.accept();
                fixture.open.add(accepted);
                accepted.configureBlocking(false);
                accepted.register(fixture.selector, SelectionKey.OP_READ);
            }
            return fixture;
        }

        /** {@code calls} selectNow; the mean per call in ns. A ready channel would make it a different figure. */
        double selectWindow(int calls) throws IOException {
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                if (selector.selectNow() != 0) {
                    throw new IllegalStateException("an idle connection was reported ready");
                }
            }
            return (System.nanoTime() - start) / (double) calls;
        }

        /**
         * Queues {@code count} connections (the JDK's connects complete in the kernel, before any accept), then
         * accepts them; the mean per accept in ns. Every connection is closed before it returns.
         */
        double acceptWindow(int count) throws IOException {
            List<SocketChannel> peers = new ArrayList<>(count);
            List<SocketChannel> accepted = new ArrayList<>(count);
            try {
                for (int i = 0; i < count; i++) {
                    peers.add(SocketChannel.open(listener.getLocalAddress()));
                }
                long start = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    accepted.add(listener.accept());
                }
                return (System.nanoTime() - start) / (double) count;
            } finally {
                for (SocketChannel c : accepted) {
                    c.close();
                }
                for (SocketChannel c : peers) {
                    c.close();
                }
            }
        }

        @Override
        public void close() throws IOException {
            selector.close();
            for (SocketChannel c : open) {
                c.close();
            }
            listener.close();
        }
    }
}
