import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

import jdk.net.ExtendedSocketOptions;

/**
 * TCP keep-alive tuned through the JDK's extended options, runnable as it stands ({@code java KeepAlive.java}, see
 * the README): a listener and a connection, both in net0 when the command line names vos's
 * {@code SelectorProvider}. The listener's keep-alive times are set before the connection comes, and the socket it
 * accepts inherits them, as the kernel copies them; the client sets its own. Prints what each socket reads back, then
 * exits.
 */
public class KeepAlive {

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocketChannel listener = ServerSocketChannel.open();
             SocketChannel client = SocketChannel.open()) {
            System.out.println("provider " + SelectorProvider.provider().getClass().getName());
            listener.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 60);
            listener.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 10);
            listener.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
            listener.bind(new InetSocketAddress(loopback, 0));

            client.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            client.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 30);
            client.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 5);
            client.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 4);
            client.connect(listener.getLocalAddress());
            try (SocketChannel accepted = listener.accept()) {
                System.out.println("client: " + keepAlive(client));
                System.out.println("accepted: " + keepAlive(accepted));
            }
            try {
                client.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 1000);
            } catch (java.net.SocketException e) {
                System.out.println("1000 probes refused: " + e.getClass().getSimpleName());
            }
        }
    }

    private static String keepAlive(SocketChannel channel) throws Exception {
        return "SO_KEEPALIVE " + channel.getOption(StandardSocketOptions.SO_KEEPALIVE)
                + ", idle " + channel.getOption(ExtendedSocketOptions.TCP_KEEPIDLE) + " s"
                + ", every " + channel.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL) + " s"
                + ", " + channel.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT) + " probes";
    }
}
