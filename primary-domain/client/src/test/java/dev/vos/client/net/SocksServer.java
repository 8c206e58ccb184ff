package dev.vos.client.net;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A SOCKS 4 and 5 proxy for tests, on the default provider and loopback: it records what each connection asked (the
 * methods offered, the credentials, the CONNECT request), answers as its {@link Answer} says, and relays the bytes
 * of a granted connection both ways. Names in a CONNECT are looked up in the map it is given, never in DNS.
 */
final class SocksServer implements AutoCloseable {

    /** How the proxy answers. */
    enum Answer {
        /** SOCKS 5 without authentication, or SOCKS 4: the connection is made. */
        GRANT,
        /** SOCKS 5 with a user name and password (RFC 1929): "secret" is the one password it takes. */
        PASSWORD,
        /** The CONNECT refused: SOCKS 5 status 5 (connection refused), SOCKS 4 status 91. */
        REFUSE,
        /** SOCKS 5: none of the offered methods is acceptable (0xFF). */
        NO_METHODS,
        /** Reads the greeting and never answers. */
        SILENT,
        /** Answers a SOCKS 5 greeting as a server that does not speak 5 would, then takes a SOCKS 4 request. */
        ONLY_V4,
        /** Grants the CONNECT with an address type that does not exist (9). */
        BAD_ADDRESS_TYPE
    }

    private final ServerSocket listener;
    private final Answer answer;
    private final Map<String, InetSocketAddress> names;
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());
    private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> peerPorts = Collections.synchronizedList(new ArrayList<>());

    SocksServer(final Answer answer, final Map<String, InetSocketAddress> names) throws IOException {
        this.answer = answer;
        this.names = names;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("socks-accept").start(this::acceptAll);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** What the connections asked so far, in order. */
    List<String> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** The client ports of the connections accepted so far. */
    List<Integer> peerPorts() {
        synchronized (peerPorts) {
            return List.copyOf(peerPorts);
        }
    }

    private void acceptAll() {
        while (!listener.isClosed()) {
            try {
                final Socket s = listener.accept();
                open.add(s);
                peerPorts.add(s.getPort());
                Thread.ofVirtual().name("socks-serve").start(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(final Socket client) {
        try (client) {
            final DataInputStream in = new DataInputStream(client.getInputStream());
            final OutputStream out = client.getOutputStream();
            final int version = in.readUnsignedByte();
            if (version == 4) {
                serveV4(client, in, out);
                return;
            }
            final byte[] methods = in.readNBytes(in.readUnsignedByte());
            seen.add("v" + version + " methods " + Arrays.toString(methods));
            switch (answer) {
                case NO_METHODS -> {
                    out.write(new byte[] {5, (byte) 0xFF});
                    return;
                }
                case SILENT -> {
                    in.readAllBytes(); // until the client gives up
                    return;
                }
                case ONLY_V4 -> {
                    out.write(new byte[] {0, 91}); // not a SOCKS 5 answer
                    if (in.readUnsignedByte() == 4) {
                        serveV4(client, in, out);
                    }
                    return;
                }
                case PASSWORD -> {
                    out.write(new byte[] {5, 2});
                    final int subVersion = in.readUnsignedByte();
                    final String user = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.ISO_8859_1);
                    final String password = new String(in.readNBytes(in.readUnsignedByte()),
                            StandardCharsets.ISO_8859_1);
                    seen.add("auth v" + subVersion + " " + user + ":" + password);
                    final boolean ok = password.equals("secret");
                    out.write(new byte[] {1, (byte) (ok ? 0 : 1)});
                    if (!ok) {
                        return;
                    }
                }
                default -> out.write(new byte[] {5, 0});
            }
            final int v = in.readUnsignedByte();
            final int command = in.readUnsignedByte();
            in.readUnsignedByte();
            final int type = in.readUnsignedByte();
            final String host = switch (type) {
                case 1 -> InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
                case 4 -> InetAddress.getByAddress(in.readNBytes(16)).getHostAddress();
                case 3 -> "name " + new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.ISO_8859_1);
                default -> "address type " + type;
            };
            final int port = in.readUnsignedShort();
            seen.add("v" + v + " command " + command + " to " + host + ":" + port);
            if (answer == Answer.REFUSE) {
                out.write(new byte[] {5, 5, 0, 1, 0, 0, 0, 0, 0, 0});
                return;
            }
            if (answer == Answer.BAD_ADDRESS_TYPE) {
                out.write(new byte[] {5, 0, 0, 9});
                in.readAllBytes();
                return;
            }
            try (Socket up = new Socket(Proxy.NO_PROXY)) { // not through the selector the test set
                up.connect(resolve(host, port), 5_000);
                final byte[] bound = ByteBuffer.allocate(10).put(new byte[] {5, 0, 0, 1})
                        .put(up.getLocalAddress().getAddress()).putShort((short) up.getLocalPort()).array();
                out.write(bound);
                relay(client, up);
            }
        } catch (IOException e) {
            seen.add("ended: " + e.getClass().getSimpleName());
        }
    }

    private void serveV4(final Socket client, final DataInputStream in, final OutputStream out) throws IOException {
        final int command = in.readUnsignedByte();
        final int port = in.readUnsignedShort();
        final String host = InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
        final ByteBuffer user = ByteBuffer.allocate(256);
        for (int b = in.readUnsignedByte(); b != 0; b = in.readUnsignedByte()) {
            user.put((byte) b);
        }
        seen.add("v4 command " + command + " to " + host + ":" + port + " user "
                + new String(user.array(), 0, user.position(), StandardCharsets.ISO_8859_1));
        if (answer == Answer.REFUSE) {
            out.write(new byte[] {0, 91, 0, 0, 0, 0, 0, 0});
            return;
        }
        try (Socket up = new Socket(Proxy.NO_PROXY)) {
            up.connect(resolve(host, port), 5_000);
            out.write(new byte[] {0, 90, 0, 0, 0, 0, 0, 0});
            relay(client, up);
        }
    }

    private InetSocketAddress resolve(final String host, final int port) throws IOException {
        if (host.startsWith("name ")) {
            final InetSocketAddress known = names.get(host.substring("name ".length()));
            if (known == null) {
                throw new IOException("unknown name " + host);
            }
            return known;
        }
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    /** Both directions until each side ends its output. */
    private static void relay(final Socket client, final Socket up) throws IOException {
        final Thread back = Thread.ofVirtual().start(() -> pump(up, client));
        pump(client, up);
        try {
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pump(final Socket from, final Socket to) {
        try {
            final InputStream in = from.getInputStream();
            final byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                to.getOutputStream().write(buffer, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // one side went: the other's close ends the rest
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        synchronized (open) {
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
