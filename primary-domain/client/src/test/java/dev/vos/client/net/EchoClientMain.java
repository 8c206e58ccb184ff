package dev.vos.client.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * A plain blocking SocketChannel echo client, nothing of vos in it: run in a child JVM with and without the net
 * domain's provider, against an echo server outside vos. Its first line names the provider (for the test to check
 * which one ran); the rest must be the same bytes either way.
 */
public final class EchoClientMain {

    private EchoClientMain() {
    }

    public static void main(final String[] args) throws IOException {
        System.out.println("provider=" + SelectorProvider.provider().getClass().getName());
        final int port = Integer.parseInt(args[0]);
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            for (String line : new String[] {"alpha", "beta, gamma", "x".repeat(70_000)}) {
                final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                channel.write(ByteBuffer.wrap(bytes));
                final ByteBuffer back = ByteBuffer.allocate(bytes.length);
                while (back.hasRemaining() && channel.read(back) >= 0) {
                    // a blocking read returns what has arrived; loop until the whole echo is in
                }
                final CRC32 crc = new CRC32();
                crc.update(back.flip());
                System.out.println("echoed " + bytes.length + " bytes crc " + crc.getValue()
                        + (bytes.length < 100 ? " " + new String(back.array(), StandardCharsets.UTF_8) : ""));
            }
            channel.shutdownOutput();
            System.out.println("then " + channel.read(ByteBuffer.allocate(1)));
        }
    }
}
