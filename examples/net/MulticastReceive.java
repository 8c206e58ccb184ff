import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;

/**
 * Multicast through a net domain, runnable as it stands ({@code java MulticastReceive.java}, see the README): a
 * {@code DatagramChannel}, whose socket lives in net0 when the command line names vos's {@code SelectorProvider},
 * binds a group's address, joins the group on the loopback interface, and receives what a plain
 * {@code java.net.DatagramSocket} of the host's own stack sends to the group. Prints what it saw, leaves the group,
 * then exits; gives up after 10 s.
 */
public class MulticastReceive {

    public static void main(String[] args) throws Exception {
        InetAddress group = InetAddress.getByName(args.length > 0 ? args[0] : "239.255.0.7");
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        NetworkInterface lo = NetworkInterface.getByInetAddress(loopback);
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("no datagram for the group in 10 s");
            System.exit(1);
        });
        try (DatagramChannel member = DatagramChannel.open(StandardProtocolFamily.INET);
             DatagramSocket host = new DatagramSocket(0, loopback)) {
            member.bind(new InetSocketAddress(group, 0)); // a group's address: it receives that group's datagrams
            MembershipKey key = member.join(group, lo);
            System.out.println("provider " + SelectorProvider.provider().getClass().getName());
            System.out.println("joined " + key.group().getHostAddress() + " on " + key.networkInterface().getName());

            int port = ((InetSocketAddress) member.getLocalAddress()).getPort();
            byte[] sent = "to every member of the group".getBytes(StandardCharsets.UTF_8);
            host.send(new DatagramPacket(sent, sent.length, group, port));
            ByteBuffer datagram = ByteBuffer.allocate(1500);
            SocketAddress from = member.receive(datagram); // blocking: waits until the datagram is there
            datagram.flip();
            System.out.println("received '" + StandardCharsets.UTF_8.decode(datagram) + "' from the host's socket: "
                    + from.equals(host.getLocalSocketAddress()));
            key.drop();
            System.out.println("left the group: " + !key.isValid());
        }
        System.exit(0);
    }
}
