import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;

/**
 * UDP through a net domain, runnable as it stands ({@code java UdpEcho.java}, see the README): a
 * {@code DatagramChannel}, whose socket lives in net0 when the command line names vos's {@code SelectorProvider},
 * echoes one datagram that a plain {@code java.net.DatagramSocket} sends it (a {@code DatagramSocket} never goes
 * through a provider: it stays on the host's own stack). Prints what each side saw, then exits; gives up after 10 s.
 */
public class UdpEcho {

    public static void main(String[] args) throws Exception {
        String text = args.length > 0 ? args[0] : "hello through net0";
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (DatagramChannel echo = DatagramChannel.open(StandardProtocolFamily.INET);
             DatagramSocket host = new DatagramSocket(0, loopback)) {
            echo.bind(new InetSocketAddress(loopback, 0));
            host.setSoTimeout(10_000);
            System.out.println("provider " + SelectorProvider.provider().getClass().getName());
            System.out.println("echo channel bound to " + echo.getLocalAddress());

            byte[] sent = text.getBytes(StandardCharsets.UTF_8);
            host.send(new DatagramPacket(sent, sent.length, echo.getLocalAddress()));
            ByteBuffer datagram = ByteBuffer.allocate(1500);
            SocketAddress from = echo.receive(datagram); // blocking: waits until the datagram is there
            datagram.flip();
            System.out.println("the channel received " + datagram.remaining() + " bytes from the host's socket: "
                    + from.equals(host.getLocalSocketAddress()));
            echo.send(datagram, from);

            DatagramPacket back = new DatagramPacket(new byte[1500], 1500);
            host.receive(back);
            System.out.println("the host's socket got back: "
                    + new String(back.getData(), 0, back.getLength(), StandardCharsets.UTF_8));
        }
    }
}
