package dev.vos.bench.unix;

import dev.vos.bench.support.ParentWatch;
import dev.vos.bench.support.Pinning;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Unix-socket baseline's server: binds an AF_UNIX stream socket at {@code SOCKET}, prints
 * {@code listening SOCKET}, accepts one connection and echoes fixed-size messages on it, on its main thread pinned
 * to {@code CPU}, until the client disconnects. Exits too when its parent JVM is gone.
 *
 * <pre>usage: UnixEchoServerMain SOCKET CPU [MESSAGE_BYTES (64)]</pre>
 */
public final class UnixEchoServerMain {

    private UnixEchoServerMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: UnixEchoServerMain SOCKET CPU [MESSAGE_BYTES]");
            System.exit(2);
        }
        Path socket = Path.of(args[0]);
        int cpu = Integer.parseInt(args[1]);
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        ParentWatch.exitWhenParentDies(() -> {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                // the parent's cleanup deletes it too
            }
        });
        Pinning.pinCurrentThread(cpu); // throws if it cannot: the figures would not mean what they claim
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            System.out.println("listening " + socket);
            System.out.flush();
            try (SocketChannel channel = server.accept()) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(size);
                while (true) {
                    buffer.clear();
                    while (buffer.hasRemaining()) {
                        if (channel.read(buffer) < 0) {
                            return; // the client left
                        }
                    }
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }
            }
        } finally {
            Files.deleteIfExists(socket);
        }
    }
}
