import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Net traffic for series-count.sh, run with vos's SelectorProvider so that its channels live in net0: every
 * PERIOD_MS, a connection from a channel to a listening channel of its own (net0 accepts and connects), 4 KiB echoed
 * each way, and one connect to a loopback port bound and not listening (refused), for SECONDS. Loopback only.
 *
 *   java -Djava.nio.channels.spi.SelectorProvider=dev.vos.client.net.VosSelectorProvider -cp ... NetLoad.java SECONDS
 */
public final class NetLoad {

    private static final long PERIOD_MS = 2000;

    public static void main(String[] args) throws Exception {
        long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
        InetAddress loopback = InetAddress.getLoopbackAddress();
        long echoes = 0;
        long refused = 0;
        // java.net.Socket does not go through a SelectorProvider: this port is held on the host, never listening.
        try (Socket notListening = new Socket();
             ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(loopback, 0))) {
            notListening.bind(new InetSocketAddress(loopback, 0));
            while (System.nanoTime() < end) {
                try (SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                     SocketChannel served = listener.accept()) {
                    echo(client, served);
                    echo(served, client);
                    echoes++;
                }
                try (SocketChannel doomed = SocketChannel.open()) {
                    doomed.connect(notListening.getLocalSocketAddress());
                } catch (ConnectException e) {
                    refused++;
                }
                Thread.sleep(PERIOD_MS);
            }
        }
        System.out.println("echoes " + echoes + ", refused connects " + refused);
    }

    private static void echo(SocketChannel from, SocketChannel to) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(4096);
        while (out.hasRemaining()) {
            from.write(out);
        }
        ByteBuffer in = ByteBuffer.allocate(4096);
        while (in.hasRemaining()) {
            if (to.read(in) < 0) {
                throw new IOException("the connection ended after " + in.position() + " bytes");
            }
        }
    }
}
