import jdk.net.ExtendedSocketOptions;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An echo over a Unix domain socket, runnable as it stands ({@code java UnixEcho.java [DIR]}, see the README): a
 * listener bound to {@code DIR/echo.sock} (default {@code /tmp/vos-net0}, the directory {@code examples/host.yaml}
 * gives net0's {@code net.unix}) and a client, both in net0 when the command line names vos's
 * {@code SelectorProvider}. Prints what each end sees (the peer's user too, by {@code SO_PEERCRED}), then exits.
 */
public class UnixEcho {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/vos-net0");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("echo.sock"));
        System.out.println("provider " + SelectorProvider.provider().getClass().getName());
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(address);
            System.out.println("listening on " + name(listener.getLocalAddress(), dir));
            client.connect(address);
            try (SocketChannel accepted = listener.accept()) {
                System.out.println("accepted a connection from " + name(accepted.getRemoteAddress(), dir));
                // Who is at the other end, as the kernel recorded it (through net0: the client net0 admitted)
                System.out.println("its peer's user: "
                        + accepted.getOption(ExtendedSocketOptions.SO_PEERCRED).user().getName());
                client.write(ByteBuffer.wrap("hello over a Unix socket".getBytes(StandardCharsets.UTF_8)));
                ByteBuffer got = ByteBuffer.allocate(64);
                accepted.read(got);
                accepted.write(got.flip());
                accepted.shutdownOutput();
                ByteBuffer back = ByteBuffer.allocate(64);
                while (client.read(back) >= 0) {
                    // until the echo's end
                }
                System.out.println("the client got back: " + new String(back.array(), 0, back.position(),
                        StandardCharsets.UTF_8));
            }
        } finally {
            try {
                Files.deleteIfExists(address.getPath()); // a socket's file outlives it (net0 has removed it already)
            } catch (IOException e) {
                // not ours to remove
            }
        }
    }

    /** An address as this program shows it: its name in {@code dir}, or "an unnamed socket". */
    private static String name(java.net.SocketAddress address, Path dir) {
        Path path = ((UnixDomainSocketAddress) address).getPath();
        return path.toString().isEmpty() ? "an unnamed socket" : dir.relativize(path).toString();
    }
}
