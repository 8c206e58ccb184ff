package dev.vos.client.net;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/**
 * A plain {@code java.net.Socket} echo client, unmodified but for its first line ({@link VosSockets#install()} when
 * its first argument is {@code vos}): connects with a timeout to the port given, sends 256 KiB of seeded bytes,
 * shuts its output, reads the echo to the end and prints what it got.
 */
public final class SocketEchoClientMain {

    private SocketEchoClientMain() {
    }

    public static void main(final String[] args) throws Exception {
        if ("vos".equals(args[0])) {
            VosSockets.install();
            try {
                VosSockets.install();
            } catch (IllegalStateException e) {
                System.err.println("second install: " + e); // stderr: the lines compared are the same without vos
            }
        }
        final byte[] sent = new byte[256 * 1024];
        new Random(12).nextBytes(sent);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1])), 30_000);
            s.setSoTimeout(60_000);
            s.setTcpNoDelay(true);
            System.out.println("connected tcpNoDelay=" + s.getTcpNoDelay() + " remote=" + s.getInetAddress()
                    + " port ok=" + (s.getPort() == Integer.parseInt(args[1])));
            final InputStream in = s.getInputStream();
            final OutputStream out = s.getOutputStream();
            final Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    out.write(sent);
                    s.shutdownOutput();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
            final byte[] got = in.readAllBytes();
            writer.join();
            System.out.println("echoed " + got.length + " bytes sha256="
                    + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(got)));
            System.out.println("then " + in.read());
        }
    }
}
