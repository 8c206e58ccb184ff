package dev.vos.cli;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A hostile local user's program: opens COUNT connections to 127.0.0.1:PORT, sends nothing, holds them for
 * SECONDS, prints "holding" once they are all opened (or pending), and exits.
 */
public final class SlowClients {

    private SlowClients() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        List<SocketChannel> held = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SocketChannel c = SocketChannel.open();
            c.configureBlocking(false); // a full listen queue leaves the rest pending: they are held all the same
            c.connect(new InetSocketAddress("127.0.0.1", port));
            held.add(c);
        }
        System.out.println("holding " + held.size());
        System.out.flush();
        Thread.sleep(seconds * 1000);
    }
}
