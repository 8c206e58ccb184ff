package dev.vos.bench.net;

import dev.vos.bench.support.Pinning;
import dev.vos.client.net.VosSelectorProvider;
import dev.vos.ring.client.WaitStrategy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * TCP over loopback through net0 against the JDK's own sockets, measured interleaved in one sitting (issue 12's
 * figures): the request/response round trip of {@code --bytes} (64) with one connection, and a bulk transfer of
 * {@code --bulk-mib} (1024) MiB over one connection.
 * <ul>
 *   <li>The domain is a real net agent in a child JVM ({@code DomainAgentMain --kind net --option bind=127.0.0.1}),
 *       one busy-polling worker pinned to CPU 1, this process's session with it as its supervisor (the agent exits
 *       with this JVM). The client thread is pinned to CPU 0; the echo and sink servers are the JDK's sockets on
 *       platform threads of this JVM, not pinned unless {@code --peer-cpu} says: they run on whichever CPU is
 *       free, in both cases alike. On 2 CPUs no CPU is free of both the client and net0's busy-polling worker (which
 *       polls through the native windows too), so where the kernel puts the echo decides much of each figure:
 *       {@code --peer-cpu 0} and {@code 1} show both placements.</li>
 *   <li>Round trips alternate windows of {@code --window-ms} (250): native, then vos, the order swapped every pair,
 *       so that a change of the machine's state (vCPU placement moves a cache line's cost between about 100 and
 *       600 ns for seconds at a time) falls on both; each pair gives a ratio, and the report is their median and
 *       quartiles. With {@code --gather N} each request is written as N views of its buffer in one gathering write,
 *       as Netty and Jetty write a header and a body.</li>
 *   <li>Bulk: {@code --bulk-runs} (3) transfers each way, alternating; the sink acknowledges the last byte, so a
 *       transfer ends when the bytes are in the receiver, not in a send buffer.</li>
 *   <li>With {@code --unix} the same over Unix domain sockets: the echo and the sink listen in a directory of
 *       their own, which the agent is given as its {@code net.unix}, and both providers connect there.</li>
 * </ul>
 * Run it on a quiet machine, with {@code ../shared/tools/floors} in the same sitting (the trap cost explains the
 * ratio: every call through net0 is a system call in the domain, plus two cache-line crossings).
 * <pre>usage: NetRoundTrip [--pairs 40] [--window-ms 250] [--bytes 64] [--bulk-mib 1024] [--bulk-runs 3]
 *                     [--wait busy|spin|sleeping] [--peer-cpu N] [--gather N] [--unix]</pre>
 */
public final class NetRoundTrip {

    private NetRoundTrip() {
    }

    record Pair(double nativeNs, double vosNs) {
        double ratio() {
            return vosNs / nativeNs;
        }
    }

    public static void main(String[] args) throws Exception {
        int pairs = 40;
        long windowMs = 250;
        int bytes = 64;
        long bulkMib = 1024;
        int bulkRuns = 3;
        int peerCpu = -1;
        int gather = 1;
        boolean unix = false;
        WaitStrategy wait = WaitStrategy.busyPoll();
        String waitName = "busy";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--window-ms" -> windowMs = Long.parseLong(args[++i]);
                case "--bytes" -> bytes = Integer.parseInt(args[++i]);
                case "--bulk-mib" -> bulkMib = Long.parseLong(args[++i]);
                case "--bulk-runs" -> bulkRuns = Integer.parseInt(args[++i]);
                case "--peer-cpu" -> peerCpu = Integer.parseInt(args[++i]);
                case "--gather" -> gather = Integer.parseInt(args[++i]);
                case "--unix" -> unix = true;
                case "--wait" -> {
                    waitName = args[++i];
                    wait = switch (waitName) {
                        case "busy" -> WaitStrategy.busyPoll();
                        case "sleeping" -> WaitStrategy.sleeping();
                        case "spin" -> WaitStrategy.standard(); // a DomainClient's
                        default -> throw new IllegalArgumentException("--wait busy|spin|sleeping, not " + waitName);
                    };
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (gather < 1 || gather > bytes) {
            // no view, or an empty one: a request that sends nothing would wait for its echo for ever
            throw new IllegalArgumentException("--gather " + gather + ": from 1 to --bytes (" + bytes + ")");
        }
        Path unixDir = unix ? Files.createTempDirectory("vos-bench-unix") : null;
        String[] options = unix ? new String[] {"unix=" + unixDir} : new String[0];
        try (NetAgent agent = NetAgent.start(wait, options);
             Servers servers = Servers.start(bytes, peerCpu, unixDir)) {
            SelectorProvider vos = new VosSelectorProvider("net0", agent.session().ring());
            SelectorProvider jdk = SelectorProvider.provider();
            int clientTid = Pinning.pinCurrentThread(0);
            System.out.printf(Locale.ROOT, "net round trip: %d B, %d pairs of %d ms windows; bulk %d MiB x %d;"
                    + " client wait %s; domain worker busy-polls on CPU %d; client pinned to CPU 0 (tid %d);"
                    + " echo and sink peers %s; %s%n", bytes, pairs, windowMs, bulkMib, bulkRuns, waitName,
                    NetAgent.SERVER_CPU, clientTid, peerCpu < 0 ? "unpinned" : "pinned to CPU " + peerCpu,
                    unix ? "Unix domain sockets in " + unixDir : "TCP over loopback");
            if (gather > 1) {
                System.out.printf(Locale.ROOT, "each request written as %d buffers in one gathering write%n", gather);
            }
            roundTrips(jdk, vos, servers.echo(), bytes, gather, pairs, windowMs);
            if (bulkMib > 0) {
                bulk(jdk, vos, servers.sink(), bulkMib << 20, bulkRuns);
            }
        } finally {
            if (unixDir != null) {
                Files.deleteIfExists(unixDir);
            }
        }
    }

    private static void roundTrips(SelectorProvider jdk, SelectorProvider vos, SocketAddress echo, int bytes,
                                   int gather, int pairs, long windowMs) throws IOException {
        try (SocketChannel a = connect(jdk, echo); SocketChannel b = connect(vos, echo)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(bytes);
            ByteBuffer[] slices = new ByteBuffer[gather];
            for (int i = 0; i < gather; i++) { // the request in gather views, as a header and a body are written
                int from = i * bytes / gather;
                int to = (i + 1) * bytes / gather;
                slices[i] = buffer.slice(from, to - from);
            }
            Request request = new Request(buffer, slices);
            window(a, request, 2_000); // warm-up: the JIT, the domain's handlers, both connections
            window(b, request, 2_000);
            List<Pair> results = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                double n;
                double v;
                if (i % 2 == 0) {
                    n = window(a, request, windowMs);
                    v = window(b, request, windowMs);
                } else {
                    v = window(b, request, windowMs);
                    n = window(a, request, windowMs);
                }
                results.add(new Pair(n, v));
            }
            double[] nativeNs = results.stream().mapToDouble(Pair::nativeNs).sorted().toArray();
            double[] vosNs = results.stream().mapToDouble(Pair::vosNs).sorted().toArray();
            double[] ratios = results.stream().mapToDouble(Pair::ratio).sorted().toArray();
            System.out.printf(Locale.ROOT, "round trip %d B, native: median %.0f ns [p25 %.0f, p75 %.0f]%n", bytes,
                    q(nativeNs, 0.5), q(nativeNs, 0.25), q(nativeNs, 0.75));
            System.out.printf(Locale.ROOT, "round trip %d B, vos:    median %.0f ns [p25 %.0f, p75 %.0f]%n", bytes,
                    q(vosNs, 0.5), q(vosNs, 0.25), q(vosNs, 0.75));
            System.out.printf(Locale.ROOT, "latency ratio vos/native, pair by pair: median %.2f [p25 %.2f, p75 %.2f,"
                    + " min %.2f, max %.2f] over %d pairs%n", q(ratios, 0.5), q(ratios, 0.25), q(ratios, 0.75),
                    ratios[0], ratios[ratios.length - 1], ratios.length);
        }
    }

    /** The request's buffer, and its views for a gathering write (one view: a plain write). */
    private record Request(ByteBuffer whole, ByteBuffer[] slices) {
        void write(SocketChannel channel) throws IOException {
            if (slices.length == 1) {
                whole.clear();
                while (whole.hasRemaining()) {
                    channel.write(whole);
                }
                return;
            }
            long left = 0;
            for (ByteBuffer slice : slices) {
                left += slice.clear().remaining();
            }
            while (left > 0) {
                left -= channel.write(slices);
            }
        }
    }

    /** Round trips on {@code channel} for {@code ms}; the mean in ns. */
    private static double window(SocketChannel channel, Request request, long ms) throws IOException {
        ByteBuffer buffer = request.whole();
        long start = System.nanoTime();
        long end = start + ms * 1_000_000;
        long count = 0;
        long now;
        do {
            request.write(channel);
            buffer.clear();
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new IOException("the echo server closed the connection");
                }
            }
            count++;
            now = System.nanoTime();
        } while (now < end);
        return (now - start) / (double) count;
    }

    private static void bulk(SelectorProvider jdk, SelectorProvider vos, SocketAddress sink, long total,
                             int runs) throws IOException {
        double[] nativeMibs = new double[runs];
        double[] vosMibs = new double[runs];
        for (int i = 0; i < runs; i++) {
            nativeMibs[i] = transfer(jdk, sink, total);
            vosMibs[i] = transfer(vos, sink, total);
        }
        java.util.Arrays.sort(nativeMibs);
        java.util.Arrays.sort(vosMibs);
        System.out.printf(Locale.ROOT, "bulk %d MiB, native: median %.0f MiB/s [min %.0f, max %.0f]%n", total >> 20,
                q(nativeMibs, 0.5), nativeMibs[0], nativeMibs[runs - 1]);
        System.out.printf(Locale.ROOT, "bulk %d MiB, vos:    median %.0f MiB/s [min %.0f, max %.0f]%n", total >> 20,
                q(vosMibs, 0.5), vosMibs[0], vosMibs[runs - 1]);
        System.out.printf(Locale.ROOT, "bulk ratio vos/native (medians): %.2f%n", q(vosMibs, 0.5) / q(nativeMibs,
                0.5));
    }

    /** Sends {@code total} bytes in 64 KiB writes and waits for the sink's acknowledgement; MiB/s. */
    private static double transfer(SelectorProvider provider, SocketAddress sink, long total) throws IOException {
        try (SocketChannel channel = connect(provider, sink)) {
            ByteBuffer length = ByteBuffer.allocate(Long.BYTES).putLong(total).flip();
            while (length.hasRemaining()) {
                channel.write(length);
            }
            ByteBuffer chunk = ByteBuffer.allocateDirect(64 << 10);
            long start = System.nanoTime();
            long sent = 0;
            while (sent < total) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), total - sent));
                sent += channel.write(chunk);
            }
            ByteBuffer ack = ByteBuffer.allocate(1);
            while (ack.hasRemaining()) {
                if (channel.read(ack) < 0) {
                    throw new IOException("the sink closed before acknowledging");
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return total / (double) (1 << 20) / seconds;
        }
    }

    private static SocketChannel connect(SelectorProvider provider, SocketAddress to) throws IOException {
        if (to instanceof UnixDomainSocketAddress) {
            SocketChannel channel = provider.openSocketChannel(StandardProtocolFamily.UNIX);
            channel.connect(to);
            return channel;
        }
        SocketChannel channel = provider.openSocketChannel();
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.connect(to);
        return channel;
    }

    private static double q(double[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }

    /** The peers outside vos: an echo server of {@code bytes}-sized messages and a sink, the JDK's own sockets. */
    private record Servers(ServerSocketChannel echoServer, ServerSocketChannel sinkServer, List<Thread> threads)
            implements AutoCloseable {

        /**
         * Starts both, on loopback TCP, or in {@code unixDir} when it is not null; their threads run on
         * {@code peerCpu}, or wherever the kernel puts them when it is -1.
         */
        static Servers start(int bytes, int peerCpu, Path unixDir) throws IOException {
            ServerSocketChannel echo;
            ServerSocketChannel sink;
            if (unixDir == null) {
                InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
                echo = ServerSocketChannel.open().bind(loopback);
                sink = ServerSocketChannel.open().bind(loopback);
            } else {
                echo = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                        .bind(UnixDomainSocketAddress.of(unixDir.resolve("echo.sock")));
                sink = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                        .bind(UnixDomainSocketAddress.of(unixDir.resolve("sink.sock")));
            }
            List<Thread> threads = new ArrayList<>();
            threads.add(acceptLoop(echo, peerCpu, c -> echo(c, bytes)));
            threads.add(acceptLoop(sink, peerCpu, Servers::sink));
            return new Servers(echo, sink, threads);
        }

        SocketAddress echo() throws IOException {
            return echoServer.getLocalAddress();
        }

        SocketAddress sink() throws IOException {
            return sinkServer.getLocalAddress();
        }

        interface Serve {
            void serve(SocketChannel channel) throws IOException;
        }

        private static Thread acceptLoop(ServerSocketChannel server, int peerCpu, Serve serve) {
            return Thread.ofPlatform().daemon().name("net-bench-accept").start(() -> {
                while (server.isOpen()) {
                    try {
                        SocketChannel c = server.accept();
                        if (c.getLocalAddress() instanceof InetSocketAddress) {
                            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        }
                        Thread.ofPlatform().daemon().name("net-bench-peer").start(() -> {
                            if (peerCpu >= 0) {
                                Pinning.pinCurrentThread(peerCpu);
                            }
                            try (c) {
                                serve.serve(c);
                            } catch (IOException e) {
                                // the client's end: its connection closed, nothing to report
                            }
                        });
                    } catch (IOException e) {
                        return; // closed at the end of the run
                    }
                }
            });
        }

        private static void echo(SocketChannel c, int bytes) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocateDirect(bytes);
            while (true) {
                buffer.clear();
                while (buffer.hasRemaining()) {
                    if (c.read(buffer) < 0) {
                        return;
                    }
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    c.write(buffer);
                }
            }
        }

        private static void sink(SocketChannel c) throws IOException {
            ByteBuffer length = ByteBuffer.allocate(Long.BYTES);
            while (length.hasRemaining()) {
                if (c.read(length) < 0) {
                    return;
                }
            }
            long left = length.flip().getLong();
            ByteBuffer buffer = ByteBuffer.allocateDirect(256 << 10);
            while (left > 0) {
                buffer.clear();
                int n = c.read(buffer);
                if (n < 0) {
                    return;
                }
                left -= n;
            }
            c.write(ByteBuffer.wrap(new byte[] {1}));
        }

        @Override
        public void close() throws IOException {
            for (ServerSocketChannel server : List.of(echoServer, sinkServer)) {
                SocketAddress bound = server.getLocalAddress();
                server.close();
                if (bound instanceof UnixDomainSocketAddress unix) {
                    Files.deleteIfExists(unix.getPath()); // a Unix socket's file outlives it
                }
            }
        }
    }
}
