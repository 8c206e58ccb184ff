package dev.vos.controlplane.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The control plane's only door: a Unix-domain socket that only its owner can open (mode 0600, in a 0700
 * directory); there is no network listener for control. One request line per connection, answered by body lines
 * each prefixed with ". " and then one status line, {@code OK} or {@code ERROR <CODE> <message>}.
 */
public final class ControlSocket implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlSocket.class.getName());

    /** Carries out one command; returns the body lines. */
    @FunctionalInterface
    public interface Handler {
        List<String> handle(Command command) throws ControlException;
    }

    private final Path path;
    private final ServerSocketChannel listener;
    private volatile boolean open = true;

    private ControlSocket(Path path, ServerSocketChannel listener) {
        this.path = path;
        this.listener = listener;
    }

    /** Listens on {@code path} (owner-only) and serves requests with {@code handler}, each on a virtual thread. */
    public static ControlSocket listen(Path path, Handler handler) throws IOException {
        Path bound = path.resolveSibling(path.getFileName() + ".binding");
        Files.deleteIfExists(bound);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(bound));
        Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
        Files.move(bound, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        ControlSocket socket = new ControlSocket(path, listener);
        Thread.ofPlatform().name("vos-control-accept").daemon().start(() -> socket.accept(handler));
        return socket;
    }

    private void accept(Handler handler) {
        while (open) {
            try {
                SocketChannel channel = listener.accept();
                Thread.ofVirtual().name("vos-control-request").start(() -> serve(channel, handler));
            } catch (IOException e) {
                if (open) {
                    LOG.log(Level.ERROR, "control socket " + path + " failed", e);
                }
                return;
            }
        }
    }

    private static void serve(SocketChannel channel, Handler handler) {
        try (channel;
             BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                     StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(new OutputStreamWriter(Channels.newOutputStream(channel),
                     StandardCharsets.UTF_8))) {
            String request = in.readLine();
            if (request == null) {
                return;
            }
            try {
                for (String line : handler.handle(Command.parse(request))) {
                    out.print(". " + line + "\n");
                }
                out.print("OK\n");
            } catch (ControlException e) {
                out.print("ERROR " + e.error() + " " + e.getMessage().replace('\n', ' ') + "\n");
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "control request '" + request + "' failed", e);
                out.print("ERROR " + ControlError.INTERNAL + " " + e + "\n");
            }
            out.flush();
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.WARNING, "control connection: {0}", e.getMessage());
        }
    }

    /**
     * Sends one command to the control plane listening on {@code path} and returns its body lines.
     *
     * @throws ControlException with the control plane's error, or INTERNAL if none is listening there
     */
    public static List<String> send(Path path, Command command) throws ControlException {
        if (!Files.exists(path)) {
            throw new ControlException(ControlError.INTERNAL, "no control plane is running with state directory "
                    + path.getParent() + " (no " + path.getFileName() + "); start one with 'vos up SPEC', or pass"
                    + " --state-dir");
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
            PrintWriter out = new PrintWriter(new OutputStreamWriter(Channels.newOutputStream(channel),
                    StandardCharsets.UTF_8));
            out.print(command.line() + "\n");
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                    StandardCharsets.UTF_8));
            List<String> body = new ArrayList<>();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith(". ")) {
                    body.add(line.substring(2));
                } else if (line.equals("OK")) {
                    return body;
                } else if (line.startsWith("ERROR ")) {
                    String[] f = line.split(" ", 3);
                    throw new ControlException(ControlError.valueOf(f[1]), f.length > 2 ? f[2] : "");
                }
            }
            throw new ControlException(ControlError.INTERNAL, "the control plane closed the connection mid-answer");
        } catch (IOException e) {
            throw new ControlException(ControlError.INTERNAL, "cannot reach the control plane at " + path + ": "
                    + e.getMessage() + " (is 'vos up' still running? a stale socket is left by a killed one)");
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        listener.close();
        Files.deleteIfExists(path);
    }
}
