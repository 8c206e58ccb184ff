package dev.vos.client.net;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.nio.ByteBuffer;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Jetty's server, unmodified, nothing of vos in it: run in a child JVM with and without the net domain's provider.
 * One {@code ServerConnector} on 127.0.0.1 (an acceptor thread in a blocking accept, a {@code ManagedSelector} for
 * the connections), serving the routes {@link HttpTraffic} drives: {@code /fixed/...} a fixed text naming the path,
 * {@code /big} {@link HttpTraffic#BIG_BYTES} of its pattern, {@code POST /echo} the body back, {@code /close}
 * answered with {@code Connection: close}. No {@code Date} or {@code Server} header: two runs answer the same bytes.
 * Prints the provider, the port and "ready"; serves until {@code /quit}, stops the server and prints what it served.
 */
public final class JettyServerMain {

    private static final AtomicInteger REQUESTS = new AtomicInteger();

    private JettyServerMain() {
    }

    public static void main(final String[] args) throws Exception {
        final CountDownLatch quit = new CountDownLatch(1);
        final QueuedThreadPool threads = new QueuedThreadPool(16, 4);
        threads.setName("jetty");
        final Server server = new Server(threads);
        final HttpConfiguration config = new HttpConfiguration();
        config.setSendDateHeader(false);
        config.setSendServerVersion(false);
        final ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Routes(quit));
        server.setStopTimeout(10_000);
        server.start();
        System.out.println("provider=" + SelectorProvider.provider().getClass().getName());
        System.out.println("http=" + connector.getLocalPort());
        System.out.println("ready");
        System.out.flush();
        quit.await();
        server.stop();
        server.join();
        System.out.println("requests=" + REQUESTS.get());
        System.out.println("stopped");
    }

    /** The routes of the class comment. */
    private static final class Routes extends Handler.Abstract {
        private final CountDownLatch quit;

        Routes(final CountDownLatch quit) {
            this.quit = quit;
        }

        @Override
        public boolean handle(final Request request, final Response response, final Callback callback)
                throws Exception {
            REQUESTS.incrementAndGet();
            final String path = Request.getPathInContext(request);
            final byte[] body;
            if (path.equals("/big")) {
                body = HttpTraffic.pattern(HttpTraffic.BIG_BYTES);
            } else if (path.equals("/echo")) {
                body = Content.Source.asByteArrayAsync(request, HttpTraffic.BIG_BYTES).get();
            } else {
                body = ("you asked for " + path + "\n").getBytes(StandardCharsets.UTF_8);
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            if (path.equals("/close") || path.equals("/quit")) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            final Callback then = path.equals("/quit") ? Callback.from(callback, quit::countDown) : callback;
            response.write(true, ByteBuffer.wrap(body), then);
            return true;
        }
    }
}
