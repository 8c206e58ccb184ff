package dev.vos.ring.agent;

import dev.vos.ring.RingHeader;
import dev.vos.ring.RingSegment;
import dev.vos.ring.SegmentFiles;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerCall;
import dev.vos.ring.server.ServerOptions;
import dev.vos.ring.server.ServerStats;
import dev.vos.sys.Errno;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * A service domain's agent: listens on a Unix-domain socket (owner-only), and for each client that attaches
 * serves the client's ring segment with a {@link RingServer} until the client leaves (see {@link AgentProtocol}).
 * One agent per domain generation; each client session runs on a virtual thread that blocks on the socket.
 */
public final class DomainAgent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DomainAgent.class.getName());

    /** What an agent is and how it serves. */
    public record Config(String domain, String kind, long generation, Path socket, CallTable table,
                         ServerOptions serverOptions, boolean exitWithSupervisor) {
    }

    private final Config config;
    private final ServerSocketChannel listener;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    /** The final figures of sessions that ended, so that the agent's counts never go down. */
    private volatile ServerStats retired;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean open = true;

    private DomainAgent(Config config, ServerSocketChannel listener) {
        this.config = config;
        this.listener = listener;
        this.retired = ServerStats.empty(config.table().size());
    }

    /**
     * Binds the socket (replacing a stale one from a dead generation) and starts accepting sessions. The socket is
     * bound under a temporary name and renamed into place once it listens, owner-only: whoever sees the path can
     * connect at once (a path that exists but refuses connections would make readiness checks racy).
     */
    public static DomainAgent start(Config config) throws IOException {
        Files.createDirectories(config.socket().toAbsolutePath().getParent());
        Path bound = config.socket().resolveSibling(config.socket().getFileName() + ".binding-"
                + ProcessHandle.current().pid());
        Files.deleteIfExists(bound);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listener.bind(UnixDomainSocketAddress.of(bound));
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            Files.move(bound, config.socket(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(bound);
            listener.close();
            throw new IOException("cannot listen on " + config.socket() + ": " + e.getMessage(), e);
        }
        DomainAgent agent = new DomainAgent(config, listener);
        Thread.ofPlatform().name("vos-agent-accept").daemon().start(agent::accept);
        return agent;
    }

    /**
     * The agent's figures since it started: every session being served, plus the final figures of those that
     * ended (a session that ends while this runs may be missed once, never counted twice).
     */
    public ServerStats stats() {
        ServerStats sum = retired;
        for (Session s : sessions) {
            RingServer server = s.server;
            if (server != null) {
                try {
                    sum = sum.plus(server.stats());
                } catch (IllegalStateException e) {
                    // that session closed its mapping meanwhile
                }
            }
        }
        return sum;
    }

    /**
     * The handler of {@code CoreCalls.STATS} for the agent in {@code agent} (set once the agent runs): writes
     * {@link DomainStats} into the caller's payload.
     */
    public static long statsCall(Supplier<DomainAgent> agent, ServerCall call) {
        MemorySegment out = call.data(call.arg(0), call.arg(1));
        if (out == null) {
            return -Errno.EFAULT;
        }
        DomainAgent self = agent.get();
        if (self == null) {
            return -Errno.EAGAIN;
        }
        long written = DomainStats.encode(self.sessions(), self.stats(), self.config.table(), out);
        return written < 0 ? -Errno.EOVERFLOW : written;
    }

    /** Sessions being served right now. */
    public int sessions() {
        return sessions.size();
    }

    /** Blocks until the agent has closed. */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    private void accept() {
        while (open) {
            try {
                SocketChannel channel = listener.accept();
                Thread.ofVirtual().name("vos-agent-session").start(() -> serve(channel));
            } catch (IOException e) {
                if (open) {
                    LOG.log(Level.ERROR, "accept on " + config.socket() + " failed; the agent stops", e);
                    close();
                }
                return;
            }
        }
    }

    /** One client's session: handshake, serve its segment, and tear down when either side leaves. */
    private void serve(SocketChannel channel) {
        Session session = new Session(channel);
        sessions.add(session);
        try (channel) {
            AgentProtocol.writeLine(channel, new AgentProtocol.Greeting(config.domain(), config.kind(),
                    config.generation()).line());
            String request = AgentProtocol.readLine(channel);
            String refusal = attach(session, request);
            AgentProtocol.writeLine(channel, refusal == null ? "OK" : "ERR " + refusal);
            if (refusal != null) {
                return;
            }
            // The session is now the lifeline: nothing more is read but end-of-file (the client left or died).
            while (AgentProtocol.readLine(channel) != null) {
                // a client has nothing more to say; extra lines are ignored
            }
        } catch (EOFException e) {
            // the client left
        } catch (IOException e) {
            LOG.log(Level.WARNING, "session on {0} ended: {1}", config.socket(), e.getMessage());
        } finally {
            ServerStats last = session.end();
            synchronized (this) {
                sessions.remove(session);
                retired = retired.plus(last);
            }
            if (session.supervisor && config.exitWithSupervisor() && open) {
                LOG.log(Level.WARNING, "the supervisor's session ended; the agent of {0} stops", config.domain());
                close();
            }
        }
    }

    /** Attaches {@code session} to the segment named in {@code request}; returns null, or why it refused. */
    private String attach(Session session, String request) {
        String[] f = request.split(" ");
        if (f.length < 2 || f.length > 3 || !f[0].equals("ATTACH") || (f.length == 3 && !f[2].equals("SUPERVISOR"))) {
            return "expected 'ATTACH <segment path> [SUPERVISOR]', got '" + request + "'";
        }
        Path segment = Path.of(f[1]);
        if (!SegmentFiles.isSegmentPath(segment)) {
            return "segment " + segment + " must be " + SegmentFiles.pattern();
        }
        if (!Files.isRegularFile(segment, LinkOption.NOFOLLOW_LINKS)) {
            return "segment " + segment + " is not a regular file";
        }
        try (RingSegment peek = RingSegment.open(segment)) {
            RingHeader.validate(peek);
            long generation = RingHeader.generation(peek);
            if (generation != config.generation()) {
                return "segment " + segment + " is for generation " + generation + ", this is generation "
                        + config.generation() + " of " + config.domain();
            }
        } catch (IOException e) {
            return e.getMessage();
        }
        try {
            session.server = RingServer.attach(segment, config.table(), config.serverOptions());
            session.segment = segment;
            session.supervisor = f.length == 3;
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /** Stops accepting, ends every session, removes the socket. */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing {0}: {1}", config.socket(), e.getMessage());
        }
        for (Session s : sessions) {
            s.end();
        }
        try {
            Files.deleteIfExists(config.socket());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "removing {0}: {1}", config.socket(), e.getMessage());
        }
        closed.countDown();
    }

    /** A client's session: its lifeline socket and the server of its segment. */
    private static final class Session {
        private final SocketChannel channel;
        volatile RingServer server;
        volatile Path segment;
        volatile boolean supervisor;

        Session(SocketChannel channel) {
            this.channel = channel;
        }

        /**
         * Stops serving the segment and removes it (the client has gone; nobody else may use it). Returns the
         * server's final figures, once; empty ones after that.
         */
        synchronized ServerStats end() {
            ServerStats last = ServerStats.empty(0);
            if (server != null) {
                server.close();
                last = server.stats();
                server = null;
                try {
                    Files.deleteIfExists(segment);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "removing {0}: {1}", segment, e.getMessage());
                }
            }
            try {
                channel.close();
            } catch (IOException e) {
                // already closed
            }
            return last;
        }
    }
}
