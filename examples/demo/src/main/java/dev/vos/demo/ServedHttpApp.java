package dev.vos.demo;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The network step's application ({@link NetworkDemo}): the JDK's {@code HttpServer} and a small loop around it,
 * nothing of vos in it; the JVM's {@code SelectorProvider} decides where its sockets live. It serves {@code GET /}
 * on 127.0.0.1 ({@code args[0]}: the port, 0 for any) and checks every 50 ms that its own listening socket still
 * accepts, by connecting to it. When that fails, the network stack under the server is gone (with vos: its net
 * domain died, and the listening socket with it; the JDK's server has no way to say so), so the loop stops the
 * server and creates a new one on the same port, retrying until the bind succeeds (with vos: once the domain's next
 * generation serves). It prints one line per event ({@code serving}, {@code lost}, {@code serving again}) and ends
 * when its standard input closes.
 */
public final class ServedHttpApp {

    /** The body every {@code GET} answers: a first line, then filler to 1 KiB. */
    static final String BODY_FIRST_LINE = "hello from the JDK's HttpServer";
    private static final long CHECK_EVERY_MS = 50;
    private static final long REBIND_EVERY_MS = 20;
    private static final long REBIND_FOR_MS = 60_000;

    private ServedHttpApp() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Thread.ofPlatform().daemon().start(ServedHttpApp::exitWhenStdinCloses);
        byte[] body = body();
        ExecutorService handlers = Executors.newFixedThreadPool(4);
        long lostAt = 0;
        for (int generation = 1; ; generation++) {
            HttpServer server = bindUntil(port, body, handlers);
            port = server.getAddress().getPort();
            if (generation == 1) {
                say("serving port=" + port + " provider=" + SelectorProvider.provider().getClass().getName());
            } else {
                say("serving again port=" + port + " " + (System.nanoTime() - lostAt) / 1_000_000
                        + " ms after the loss was seen");
            }
            while (accepts(port)) {
                Thread.sleep(CHECK_EVERY_MS);
            }
            lostAt = System.nanoTime();
            say("lost: the listening socket no longer accepts; stopping the server and creating a new one");
            server.stop(0);
        }
    }

    private static byte[] body() {
        StringBuilder text = new StringBuilder(BODY_FIRST_LINE).append('\n');
        while (text.length() < 1023) {
            text.append('.');
        }
        return text.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A started server on {@code port}, retrying a failed bind (the stack below not back yet) for a minute. */
    private static HttpServer bindUntil(int port, byte[] body, ExecutorService handlers) throws Exception {
        long deadline = System.nanoTime() + REBIND_FOR_MS * 1_000_000;
        while (true) {
            try {
                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                        64);
                server.createContext("/", exchange -> {
                    exchange.getResponseHeaders().set("Content-Type", "text/plain");
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                });
                server.setExecutor(handlers);
                server.start();
                return server;
            } catch (BindException e) {
                throw e; // the port is another's: retrying would not help
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(REBIND_EVERY_MS);
            }
        }
    }

    /** Whether a connection to our own listening socket is made. */
    private static boolean accepts(int port) {
        try (SocketChannel probe = SocketChannel.open()) {
            probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void exitWhenStdinCloses() {
        try {
            while (System.in.read() >= 0) {
                // nothing is sent: the parent only closes it
            }
        } catch (IOException e) {
            // closed either way
        }
        System.exit(0);
    }
}
