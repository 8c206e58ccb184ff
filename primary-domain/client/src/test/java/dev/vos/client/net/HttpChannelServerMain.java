package dev.vos.client.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;

/**
 * A plain blocking ServerSocketChannel server answering HTTP/1.1 requests with a fixed response, nothing of vos in
 * it: run in a child JVM with and without the net domain's provider, fetched from outside. Prints the provider and
 * its port, serves {@code args[0]} connections, and exits.
 */
public final class HttpChannelServerMain {

    private HttpChannelServerMain() {
    }

    public static void main(final String[] args) throws IOException {
        final int connections = Integer.parseInt(args[0]);
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            System.out.println("provider=" + SelectorProvider.provider().getClass().getName());
            System.out.println("port=" + ((InetSocketAddress) server.getLocalAddress()).getPort());
            System.out.flush();
            for (int i = 0; i < connections; i++) {
                try (SocketChannel c = server.accept()) {
                    final String request = readHead(c);
                    final String path = request.split(" ", 3)[1];
                    final byte[] body = ("you asked for " + path + "\n" + "0123456789abcdef".repeat(512))
                            .getBytes(StandardCharsets.UTF_8);
                    final String head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                            + body.length + "\r\nConnection: close\r\n\r\n";
                    c.write(new ByteBuffer[] {ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)),
                        ByteBuffer.wrap(body)});
                }
            }
        }
    }

    private static String readHead(final SocketChannel c) throws IOException {
        final StringBuilder head = new StringBuilder();
        final ByteBuffer one = ByteBuffer.allocate(1);
        while (!head.toString().endsWith("\r\n\r\n") && head.length() < 8192) {
            if (c.read(one.clear()) < 0) {
                break;
            }
            head.append((char) one.get(0));
        }
        return head.toString();
    }
}
