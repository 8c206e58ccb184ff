package dev.vos.client.net;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;

/**
 * A plain {@code DatagramSocket} and {@code MulticastSocket} program, unmodified but for its first line
 * ({@link VosSockets#install()} when its first argument is {@code vos}): sends a datagram to the echo port given and
 * prints the echo, then joins the group given on loopback with a {@code MulticastSocket} bound to the group's
 * address, says so on one line, and prints the datagram the group then carries.
 */
public final class DatagramSocketMain {

    private DatagramSocketMain() {
    }

    public static void main(final String[] args) throws Exception {
        if ("vos".equals(args[0])) {
            VosSockets.install();
        }
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            socket.setSoTimeout(60_000);
            final byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(hello, hello.length, loopback, Integer.parseInt(args[1])));
            final DatagramPacket echo = new DatagramPacket(new byte[100], 100);
            socket.receive(echo);
            System.out.println("echoed " + new String(echo.getData(), 0, echo.getLength(), StandardCharsets.UTF_8)
                    + " from the echo port=" + (echo.getPort() == Integer.parseInt(args[1])));
        }
        final InetAddress group = InetAddress.getByName(args[2]);
        try (MulticastSocket member = new MulticastSocket(new InetSocketAddress(group, 0))) {
            member.setSoTimeout(60_000);
            member.joinGroup(new InetSocketAddress(group, 0), NetworkInterface.getByInetAddress(loopback));
            System.out.println("joined on port " + member.getLocalPort());
            final DatagramPacket in = new DatagramPacket(new byte[100], 100);
            member.receive(in);
            System.out.println("the group carried "
                    + new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8));
        }
    }
}
