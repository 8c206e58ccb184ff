package dev.vos.client.net;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain {@code java.net.Socket} program run with {@code -DsocksProxyHost}, unmodified but for its first line
 * ({@link VosSockets#install()} when its first argument is {@code vos}): a {@code new Socket()}, which goes through the
 * proxy, and a {@code new Socket(Proxy.NO_PROXY)}, which must not, each say a line to the server on the port given
 * and print its answer. Both stay open until a line arrives on standard input.
 */
public final class SocksClientMain {

    private SocksClientMain() {
    }

    public static void main(final String[] args) throws Exception {
        if ("vos".equals(args[0])) {
            VosSockets.install();
        }
        final InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(args[1]));
        try (Socket proxied = new Socket(); Socket direct = new Socket(Proxy.NO_PROXY)) {
            proxied.connect(server, 30_000);
            System.out.println("new Socket(): " + say(proxied, "one") + " remote port ok="
                    + (proxied.getPort() == server.getPort()));
            direct.connect(server, 30_000);
            System.out.println("new Socket(Proxy.NO_PROXY): " + say(direct, "two"));
            System.out.println("ready");
            System.in.read();
        }
    }

    private static String say(final Socket s, final String text) throws Exception {
        s.setSoTimeout(30_000);
        final PrintStream out = new PrintStream(s.getOutputStream(), true, StandardCharsets.US_ASCII);
        out.println(text);
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }
}
