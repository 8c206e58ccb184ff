package dev.vos.client.net;

import jdk.net.ExtendedSocketOptions;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.TreeSet;

/**
 * A plain {@code ServerSocket} echo server, unmodified but for its first line ({@link VosSockets#install()} when its
 * first argument is {@code vos}). Prints, a line each: a refused connect to the port given second, an accept timed
 * out, its own port; then, for the one connection it serves, the options the server socket and it serve (and one the
 * accepted socket reads), a read timed out, then a line read from stdin (the
 * test's go) before it echoes everything to the end and prints the count.
 */
public final class SocketServerMain {

    private SocketServerMain() {
    }

    private static String names(final Set<SocketOption<?>> options) {
        return new TreeSet<>(options.stream().map(SocketOption::name).toList()).toString();
    }

    public static void main(final String[] args) throws Exception {
        if ("vos".equals(args[0])) {
            VosSockets.install();
        }
        try (Socket refused = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]))) {
            System.out.println("refused: none " + refused);
        } catch (Exception e) {
            System.out.println("refused: " + e.getClass().getName());
        }
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(200);
            try {
                server.accept().close();
                System.out.println("accept: no timeout");
            } catch (SocketTimeoutException e) {
                System.out.println("accept: " + e.getClass().getName() + ": " + e.getMessage());
            }
            server.setSoTimeout(0);
            System.out.println("port=" + server.getLocalPort() + " bound=" + server.isBound());
            try (Socket s = server.accept()) {
                System.out.println("accepted local=" + s.getLocalAddress() + " connected=" + s.isConnected());
                System.out.println("options: server " + names(server.supportedOptions()) + ", accepted "
                        + names(s.supportedOptions()) + ", accepted keep-alive count "
                        + s.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT));
                final InputStream in = s.getInputStream();
                s.setSoTimeout(200);
                try {
                    System.out.println("read: no timeout " + in.read());
                } catch (SocketTimeoutException e) {
                    System.out.println("read: " + e.getClass().getName() + ": " + e.getMessage()
                            + " closed=" + s.isClosed());
                }
                s.setSoTimeout(0);
                System.in.read(); // the test's go: it sends only now, so the read above saw nothing
                final long n = in.transferTo(s.getOutputStream());
                s.shutdownOutput();
                System.out.println("echoed " + n);
            }
        }
        try {
            new ServerSocket().accept();
        } catch (Exception e) {
            System.out.println("unbound accept: " + e.getClass().getName() + ": " + e.getMessage());
        }
    }
}
