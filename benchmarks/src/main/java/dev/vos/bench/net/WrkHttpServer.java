package dev.vos.bench.net;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server {@code run-net-benchmarks.sh} points {@code wrk} at (issue 12's figures): the JDK's own
 * {@code com.sun.net.httpserver.HttpServer} on 127.0.0.1 (an ephemeral port), one context {@code /} answering
 * {@code --bytes} (1024) fixed bytes with status 200, its handlers run by an executor of {@code --threads} (2)
 * platform threads; the dispatcher is the server's own thread. Nothing in it knows about vos: whose sockets it uses
 * is the JVM's {@link SelectorProvider}, the default one or, started with
 * {@code -Djava.nio.channels.spi.SelectorProvider=dev.vos.client.net.VosSelectorProvider -Dvos.net.socket=AGENT},
 * net0's. {@code --expect-provider CLASS} makes it fail at start if the JVM's provider is another.
 * <p>
 * Prints {@code wrk http server listening on port N, provider P} when ready, then serves until killed; it also
 * exits when its parent process is gone (checked every 500 ms), so a killed script leaves no server behind.
 * <pre>usage: WrkHttpServer [--bytes 1024] [--threads 2] [--backlog 1024] [--expect-provider CLASS]</pre>
 */
public final class WrkHttpServer {

    private WrkHttpServer() {
    }

    public static void main(String[] args) throws Exception {
        int bytes = 1024;
        int threads = 2;
        int backlog = 1024;
        String expect = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bytes" -> bytes = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--backlog" -> backlog = Integer.parseInt(args[++i]);
                case "--expect-provider" -> expect = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String provider = SelectorProvider.provider().getClass().getName();
        if (expect != null && !expect.equals(provider)) {
            throw new IllegalStateException("the JVM's SelectorProvider is " + provider + ", not " + expect);
        }
        byte[] body = new byte[bytes];
        Arrays.fill(body, (byte) 'x');
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(threads,
                r -> Thread.ofPlatform().name("wrk-http-" + n.incrementAndGet()).daemon().unstarted(r));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backlog);
        server.createContext("/", exchange -> respond(exchange, body));
        server.setExecutor(executor);
        server.start();
        System.out.printf(Locale.ROOT, "wrk http server listening on port %d, provider %s, %d B responses,"
                + " %d handler threads%n", server.getAddress().getPort(), provider, bytes, threads);
        System.out.flush();
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        while (parent == null || parent.isAlive()) {
            Thread.sleep(500);
        }
        System.err.println("wrk http server: parent process gone; stopping");
        server.stop(0);
        executor.shutdownNow();
        System.exit(0);
    }

    private static void respond(HttpExchange exchange, byte[] body) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
