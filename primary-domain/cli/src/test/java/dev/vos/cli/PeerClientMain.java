package dev.vos.cli;

import dev.vos.client.DomainClient;
import dev.vos.client.net.VosSelectorProvider;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A client of net0 in a process of its own (run as another user by {@link AsNobody}): connects to a Unix socket
 * through net0 and prints whom SO_PEERCRED names at the other end, as {@code peer UID GID}, then sends a byte and
 * waits for the server to close before it closes its end. Arguments: the control plane's state directory, the
 * socket's path.
 */
public final class PeerClientMain {

    private PeerClientMain() {
    }

    public static void main(String[] args) throws Exception {
        try (DomainClient net0 = DomainClient.forDomain(Path.of(args[0]), "net0", DomainClient.Options.DEFAULT);
             SocketChannel c = new VosSelectorProvider(net0).openSocketChannel(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(args[1]));
            UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
            // The JDK's principals hash as their number.
            System.out.println("peer " + peer.user().hashCode() + " " + peer.group().hashCode());
            System.out.flush();
            // Tell the server this side has read, and stay connected until it has read its side and closed: net0
            // cannot name a peer that has closed.
            c.write(ByteBuffer.wrap(new byte[1]));
            c.read(ByteBuffer.allocate(1));
        }
    }
}
