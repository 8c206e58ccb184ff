package dev.vos.client.net;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JDK's own {@code HttpServer} and {@code HttpClient}, unmodified, nothing of vos in it: run in a child JVM with
 * and without the net domain's provider. Serves a fixed response (8 KiB and the path asked) on 127.0.0.1, prints the
 * provider and its port, fetches itself {@code args[0]} times with {@code HttpClient} (status, headers but Date,
 * body: one line each), prints "ready", then serves whoever fetches until a request for {@code /quit}. Given a
 * PKCS12 key store and its password ({@code args[1]}, {@code args[2]}), it serves and fetches over TLS instead: an
 * {@code HttpsServer}, and a client that trusts that store's certificate and prints the session's protocol too.
 */
public final class JdkHttpMain {

    private JdkHttpMain() {
    }

    public static void main(final String[] args) throws Exception {
        final int fetches = Integer.parseInt(args[0]);
        final CountDownLatch quit = new CountDownLatch(1);
        final ExecutorService handlers = Executors.newFixedThreadPool(2);
        final InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        final SSLContext tls = args.length > 1 ? tls(Path.of(args[1]), args[2].toCharArray()) : null;
        final HttpServer server;
        if (tls == null) {
            server = HttpServer.create(loopback, 0);
        } else {
            final HttpsServer https = HttpsServer.create(loopback, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        server.createContext("/", exchange -> {
            final String path = exchange.getRequestURI().getPath();
            final byte[] body = ("you asked for " + path + "\n" + "0123456789abcdef".repeat(512))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            if (path.equals("/quit")) {
                quit.countDown();
            }
        });
        server.setExecutor(handlers);
        server.start();
        System.out.println("provider=" + SelectorProvider.provider().getClass().getName());
        System.out.println("port=" + server.getAddress().getPort());
        final HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
        if (tls != null) {
            builder.sslContext(tls);
        }
        final String scheme = tls == null ? "http" : "https";
        try (HttpClient client = builder.build()) {
            for (int i = 0; i < fetches; i++) {
                final HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:"
                        + server.getAddress().getPort() + "/by-httpclient/" + i)).build(),
                        HttpResponse.BodyHandlers.ofString());
                final TreeMap<String, Object> headers = new TreeMap<>(r.headers().map());
                headers.remove("date");
                final String body = r.body();
                System.out.println("status=" + r.statusCode() + " headers=" + headers + " body=" + body.length()
                        + ":" + body.hashCode() + " " + body.lines().findFirst().orElse("")
                        + r.sslSession().map(ssl -> " tls=" + ssl.getProtocol()).orElse(""));
            }
        }
        System.out.println("ready");
        System.out.flush();
        quit.await();
        server.stop(0);
        handlers.shutdown();
    }

    /** A context that serves the store's key and trusts its certificate: both ends of the test's connections. */
    static SSLContext tls(final Path store, final char[] password) throws Exception {
        final KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, password);
        }
        final KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        km.init(keys, password);
        final TrustManagerFactory tm = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tm.init(keys);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(km.getKeyManagers(), tm.getTrustManagers(), null);
        return context;
    }
}
