package dev.vos.controlplane.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The control plane's only door: a Unix-domain socket that only its owner can open (mode 0600, in a 0700
 * directory); there is no network listener for control. One request line per connection, answered by body lines
 * each prefixed with ". " and then one status line, {@code OK} or {@code ERROR <CODE> <message>}.
 *
 * <p>Even its owner's clients are held to bounds, so that a broken or hostile one cannot take the control plane's
 * memory or its door: a request line of at most {@value #MAX_REQUEST_BYTES} bytes, sent within
 * {@link #IDLE_TIMEOUT} of connecting; at most {@value #MAX_CONNECTIONS} connections at once (one more is answered
 * {@code ERROR BUSY} at once and closed); an answer its client reads some of at least every
 * {@link #ANSWER_TIMEOUT}. The command itself may take as long as it needs (a restart waits for its domain's start).
 */
public final class ControlSocket implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlSocket.class.getName());

    /** The longest request line, its newline excluded: a request is a few words. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** The most connections served at once. */
    public static final int MAX_CONNECTIONS = 16;
    /** How long a client has, from connecting, to send its request line. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(5);
    /** How long an answer may wait for its client to read any of it (a pager may sit on a long journal). */
    public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    /** How often each connection's watchdog looks at its deadlines. */
    private static final long WATCH_PERIOD_MS = 100;
    /** How long the acceptor waits after an accept error (out of descriptors) before it tries again. */
    private static final long ACCEPT_BACKOFF_MS = 100;

    /** Carries out one command; returns the body lines. */
    @FunctionalInterface
    public interface Handler {
        List<String> handle(Command command) throws ControlException;
    }

    private final Path path;
    private final ServerSocketChannel listener;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
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

    /** Accepts until closed; an accept error (EMFILE, ECONNABORTED) is logged and survived. */
    private void accept(Handler handler) {
        while (open) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                if (!open) {
                    return;
                }
                LOG.log(Level.WARNING, "control socket {0}: accept failed, retrying: {1}", path, e.toString());
                sleep(ACCEPT_BACKOFF_MS);
                continue;
            }
            if (!slots.tryAcquire()) {
                // A short line into a fresh socket's buffer: written at once, whatever the client does.
                refuse(channel, "ERROR " + ControlError.BUSY + " " + MAX_CONNECTIONS + " control connections are open"
                        + " already; try again\n");
                continue;
            }
            Thread.ofVirtual().name("vos-control-request").start(() -> {
                try {
                    new Connection(channel).serve(handler);
                } finally {
                    slots.release();
                }
            });
        }
    }

    private static void refuse(SocketChannel channel, String line) {
        try (channel) {
            channel.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // the client left already
        }
    }

    /**
     * One client's exchange, with a watchdog beside it: while the request is awaited, the watchdog ends the read
     * at {@link #IDLE_TIMEOUT} (shutting the input down wakes it with an end of stream, and the client is told
     * why); while the answer is written, it closes the connection once {@link #ANSWER_TIMEOUT} passes with
     * nothing taken.
     */
    private static final class Connection {
        private final SocketChannel channel;
        private final long acceptedNs = System.nanoTime();
        private volatile boolean waitingForRequest = true;
        private volatile boolean idle;
        private volatile long lastWriteNs;
        private volatile boolean writing;
        private volatile boolean done;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        void serve(Handler handler) {
            Thread watchdog = Thread.ofVirtual().name("vos-control-watchdog").start(this::watch);
            try (channel) {
                String request = readRequest();
                if (request == null) {
                    return;
                }
                answer(handler, request);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "control connection: {0}", e.getMessage());
            } finally {
                done = true;
                watchdog.interrupt();
            }
        }

        /** The request line; null when the client left; an answer of its own when the line is refused. */
        private String readRequest() throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(MAX_REQUEST_BYTES + 1);
            int scanned = 0;
            while (true) {
                int n = channel.read(buffer);
                for (; scanned < buffer.position(); scanned++) {
                    if (buffer.get(scanned) == '\n') {
                        waitingForRequest = false;
                        return decode(buffer, scanned);
                    }
                }
                if (n < 0) {
                    if (!idle && buffer.position() > 0) { // the last line needs no newline: 'printf ps | nc -U'
                        waitingForRequest = false;
                        return decode(buffer, buffer.position());
                    }
                    if (idle) {
                        write("ERROR " + ControlError.BAD_REQUEST + " no request within " + IDLE_TIMEOUT.toMillis()
                                + " ms\n");
                    }
                    return null;
                }
                if (!buffer.hasRemaining()) {
                    waitingForRequest = false;
                    write("ERROR " + ControlError.BAD_REQUEST + " the request line is longer than "
                            + MAX_REQUEST_BYTES + " bytes\n");
                    return null;
                }
            }
        }

        private String decode(ByteBuffer buffer, int length) throws IOException {
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(buffer.array(), 0, length))
                        .toString();
            } catch (CharacterCodingException e) {
                write("ERROR " + ControlError.BAD_REQUEST + " the request is not UTF-8 text\n");
                return null;
            }
        }

        private void answer(Handler handler, String request) throws IOException {
            StringBuilder out = new StringBuilder();
            try {
                for (String line : handler.handle(Command.parse(request))) {
                    out.append(". ").append(line).append('\n');
                }
                out.append("OK\n");
            } catch (ControlException e) {
                out.append("ERROR ").append(e.error()).append(' ').append(e.getMessage().replace('\n', ' '))
                        .append('\n');
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "control request '" + request + "' failed", e);
                out.append("ERROR ").append(ControlError.INTERNAL).append(' ').append(e).append('\n');
            }
            write(out.toString());
        }

        private void write(String text) throws IOException {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            lastWriteNs = System.nanoTime();
            writing = true;
            while (bytes.hasRemaining()) {
                if (channel.write(bytes) > 0) {
                    lastWriteNs = System.nanoTime();
                }
            }
            writing = false;
        }

        private void watch() {
            while (!done) {
                try {
                    Thread.sleep(WATCH_PERIOD_MS);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                try {
                    if (waitingForRequest && now - acceptedNs > IDLE_TIMEOUT.toNanos()) {
                        waitingForRequest = false;
                        idle = true;
                        channel.shutdownInput(); // the blocked read returns end of stream
                    } else if (writing && now - lastWriteNs > ANSWER_TIMEOUT.toNanos()) {
                        channel.close();
                        return;
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }
    }

    /**
     * Sends one command to the control plane listening on {@code path} and returns its body lines.
     *
     * @throws ControlException with the control plane's error, or INTERNAL if none is listening there or this user
     *                          may not talk to it
     */
    public static List<String> send(Path path, Command command) throws ControlException {
        try {
            Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new ControlException(ControlError.INTERNAL, "no control plane is running with state directory "
                    + path.getParent() + " (no " + path.getFileName() + "); start one with 'vos up SPEC', or pass"
                    + " --state-dir");
        } catch (AccessDeniedException e) {
            throw permissionDenied(path);
        } catch (IOException e) {
            throw new ControlException(ControlError.INTERNAL, "cannot look at " + path + ": " + e.getMessage());
        }
        if (!Files.isWritable(path)) { // connect(2) needs write permission on the socket
            throw permissionDenied(path);
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

    private static ControlException permissionDenied(Path path) {
        return new ControlException(ControlError.INTERNAL, "permission denied on " + path + ": only the user"
                + " running 'vos up' (and root) may talk to its control plane");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        listener.close();
        Files.deleteIfExists(path);
    }
}
