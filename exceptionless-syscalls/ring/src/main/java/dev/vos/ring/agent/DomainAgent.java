package dev.vos.ring.agent;

import dev.vos.ring.RingHeader;
import dev.vos.ring.RingSegment;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.ClientCredentials;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerCall;
import dev.vos.ring.server.ServerOptions;
import dev.vos.ring.server.ServerStats;
import dev.vos.ring.transport.Segment;
import dev.vos.ring.transport.process.ProcessTransport;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;
import dev.vos.sys.UnixSockets;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * A service domain's agent: listens on a Unix-domain socket, and for each client it admits ({@link AgentAccess})
 * serves the sealed segment the client hands over with a {@link RingServer} until the client leaves (see {@link
 * AgentProtocol}). One agent per domain generation.
 *
 * <p>Its sockets are raw ({@link UnixSockets}: the JDK's cannot receive a descriptor), so their calls block OS
 * threads: the accept loop and each connection run on platform threads of their own, and their number is bounded
 * by the per-user caps of {@link AgentAccess} (a refusal is answered from the accept thread, with no thread made).
 * The accept loop survives every error: one that concerns a single connection is skipped, one of resources
 * (EMFILE, ENFILE, ENOBUFS, ENOMEM) is waited out with a back-off from 10 ms to 1 s, and it ends only when the
 * agent closes.
 */
public final class DomainAgent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DomainAgent.class.getName());
    /** The first wait after an accept failed for want of resources; doubled per failure in a row. */
    private static final long FIRST_BACKOFF_MS = 10;
    /** The longest wait between two accepts that fail for want of resources. */
    private static final long MAX_BACKOFF_MS = 1_000;
    /**
     * Made with the class, so that what a refusal and its log line need is loaded before any client comes: a domain
     * out of descriptors (a refusal's likely moment) cannot open a class file, or the time zone file a log line's
     * date needs, then (seen: the JDK's time zone class failed its initialisation for good, and every later log line
     * with it).
     */
    private static final Object LOADED_EARLY = List.of(new Refused(Refusal.BAD_REQUEST, ""), TimeZone.getDefault(),
            ZoneId.systemDefault().getRules());

    /**
     * What an agent is and how it serves.
     *
     * @param hangTimeout        the domain's hang timeout, announced in the greeting: the liveness timeout of its
     *                           clients' rings, so that a client and the control plane judge a silent domain alike
     * @param access             who may attach, and how many sessions each user may hold
     * @param supervisorToken    what proves the control plane's session ({@code null}: no session can be the
     *                           supervisor's)
     * @param exitWithSupervisor the agent closes when the supervisor's session ends (needs a token)
     */
    public record Config(String domain, String kind, long generation, Path socket, CallTable table,
                         ServerOptions serverOptions, Duration hangTimeout, AgentAccess access,
                         SupervisorToken supervisorToken, boolean exitWithSupervisor) {

        /** The hang timeout an agent announces when it is given none: the default ring's liveness timeout. */
        public static final Duration DEFAULT_HANG_TIMEOUT = Duration.ofNanos(RingGeometry.DEFAULT.livenessTimeoutNs());

        public Config {
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(socket, "socket");
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(serverOptions, "serverOptions");
            Objects.requireNonNull(access, "access");
            long ns = hangTimeout.toNanos();
            if (ns < RingGeometry.MIN_LIVENESS_TIMEOUT_NS || ns > RingGeometry.MAX_LIVENESS_TIMEOUT_NS) {
                throw new IllegalArgumentException("hang timeout " + hangTimeout.toMillis() + " ms: must be within "
                        + "the ring's liveness bounds, " + RingGeometry.MIN_LIVENESS_TIMEOUT_NS / 1_000_000 + ".."
                        + RingGeometry.MAX_LIVENESS_TIMEOUT_NS / 1_000_000 + " ms");
            }
            if (exitWithSupervisor && supervisorToken == null) {
                throw new IllegalArgumentException("exiting with the supervisor needs a supervisor token: without"
                        + " one, any client could claim the role and stop the domain");
            }
        }

        /** An agent for everyone of this user (and root), with the default options and no supervisor. */
        public static Config of(String domain, String kind, long generation, Path socket, CallTable table) {
            return new Config(domain, kind, generation, socket, table, ServerOptions.DEFAULT, DEFAULT_HANG_TIMEOUT,
                    AgentAccess.owner(), null, false);
        }

        /** The same config with other server options. */
        public Config withServerOptions(ServerOptions options) {
            return new Config(domain, kind, generation, socket, table, options, hangTimeout, access,
                    supervisorToken, exitWithSupervisor);
        }

        /** The same config with another hang timeout. */
        public Config withHangTimeout(Duration timeout) {
            return new Config(domain, kind, generation, socket, table, serverOptions, timeout, access,
                    supervisorToken, exitWithSupervisor);
        }

        /** The same config with other access rules. */
        public Config withAccess(AgentAccess rules) {
            return new Config(domain, kind, generation, socket, table, serverOptions, hangTimeout, rules,
                    supervisorToken, exitWithSupervisor);
        }

        /** The same config with a supervisor proven by {@code token}; {@code exit}: close when it leaves. */
        public Config withSupervisor(SupervisorToken token, boolean exit) {
            return new Config(domain, kind, generation, socket, table, serverOptions, hangTimeout, access, token,
                    exit);
        }
    }

    private final Config config;
    private final int listener;
    private final Thread acceptor;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    /** Connections per user still in the handshake, and sessions per user being served (supervisor's aside). */
    private final Map<Integer, Integer> handshaking = new HashMap<>();
    private final Map<Integer, Integer> attached = new HashMap<>();
    /** Refusals so far, per cause: logged at the 1st, 2nd, 4th, 8th ... of each, so no client can flood the log. */
    private final AtomicLongArray refusals = new AtomicLongArray(Refusal.values().length);
    /** Guards the listener's descriptor: shut down by close(), closed by the accept loop, never one after the other. */
    private final Object listenerLock = new Object();
    private boolean listenerClosed;
    /** The final figures of sessions that ended, so that the agent's counts never go down. */
    private volatile ServerStats retired;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean open = true;

    private DomainAgent(Config config, int listener) {
        this.config = config;
        this.listener = listener;
        this.retired = ServerStats.empty(config.table().size());
        this.acceptor = Thread.ofPlatform().name("vos-agent-accept").daemon().unstarted(this::acceptLoop);
    }

    /**
     * Binds the socket (replacing a stale one from a dead generation) and starts accepting sessions. The socket is
     * bound under a temporary name and renamed into place once it listens, owner-only (and group-accessible when
     * {@link AgentAccess#group()} names a group): whoever sees the path can connect at once (a path that exists but
     * refuses connections would make readiness checks racy).
     */
    public static DomainAgent start(Config config) throws IOException {
        Files.createDirectories(config.socket().toAbsolutePath().getParent());
        Path bound = config.socket().resolveSibling(config.socket().getFileName() + ".binding-"
                + ProcessHandle.current().pid());
        Files.deleteIfExists(bound);
        int fd = UnixSockets.socket(UnixSockets.AF_UNIX, UnixSockets.SOCK_STREAM | UnixSockets.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("cannot listen on " + config.socket() + ": socket: " + Errno.message(-fd));
        }
        try {
            int r = UnixSockets.bind(fd, bound.toString());
            if (r == 0) {
                r = UnixSockets.listen(fd, 128);
            }
            if (r < 0) {
                throw new IOException(Errno.message(-r) + " (" + Errno.name(-r) + ")");
            }
            restrict(bound, config.access());
            Files.move(bound, config.socket(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(bound);
            Linux.close(fd);
            throw new IOException("cannot listen on " + config.socket() + ": " + e.getMessage(), e);
        }
        DomainAgent agent = new DomainAgent(config, fd);
        agent.acceptor.start();
        return agent;
    }

    /** Owner-only; owner and group when a group is admitted (the kernel checks write access at connect). */
    private static void restrict(Path socket, AgentAccess access) throws IOException {
        if (access.group().isEmpty()) {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            return;
        }
        GroupPrincipal group = socket.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByGroupName(Integer.toString(access.group().getAsInt()));
        Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(group);
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
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
                sum = sum.plus(server.stats());
            }
        }
        return sum;
    }

    /**
     * The handler of {@code CoreCalls.STATS} for the agent in {@code agent} (set once the agent runs): writes
     * {@link DomainStats} into the caller's payload. The supervisor's session gets the whole domain's figures; any
     * other session its own alone (one session, its calls): one client never learns what another does.
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
        RingServer asking = call.server();
        boolean supervisor = self.sessions.stream().anyMatch(s -> s.server == asking && s.supervisor);
        long written = supervisor
                ? DomainStats.encode(self.sessions(), self.stats(), self.config.table().figures(), self.config.table(),
                        out)
                : DomainStats.encode(asking == null ? 0 : 1, asking == null ? ServerStats.empty(0) : asking.stats(),
                        Map.of(), self.config.table(), out); // the kind's figures are domain-wide: not a client's
        return written < 0 ? -Errno.EOVERFLOW : written;
    }

    /**
     * The handler of {@code CoreCalls.SESSIONS} for the agent in {@code agent}: what each client session holds, as
     * its state reports it ({@link dev.vos.ring.server.SessionReport}), one line per row from row {@code arg(2)} on,
     * prefixed with the session's id, its client's pid and uid as the agent sees them (pid 0: outside its pid
     * namespace), and the agent's descriptor of a pidfd of that client, or -1 (see {@link AgentSocket#peerPidfd}).
     * Only the supervisor's session is answered (EPERM for others): the control plane's socket is owner-only, and
     * no client learns another's sockets. Rows are read afresh at each call, sessions in the order they were
     * admitted: a listing longer than one payload is taken in pages, each as things are when it is read (as
     * {@code ss} reads the kernel's tables).
     */
    public static long sessionsCall(Supplier<DomainAgent> agent, ServerCall call) {
        MemorySegment out = call.data(call.arg(0), call.arg(1));
        if (out == null) {
            return -Errno.EFAULT;
        }
        long first = call.arg(2);
        if (first < 0) {
            return -Errno.EINVAL;
        }
        DomainAgent self = agent.get();
        if (self == null) {
            return -Errno.EAGAIN;
        }
        RingServer asking = call.server();
        if (asking == null || self.sessions.stream().noneMatch(s -> s.server == asking && s.supervisor)) {
            return -Errno.EPERM;
        }
        List<Session> admitted = self.sessions.stream().sorted(Comparator.comparingLong(s -> s.id)).toList();
        long row = 0;
        long at = 0;
        for (Session s : admitted) {
            RingServer server = s.server;
            if (server == null || s.supervisor) {
                continue;
            }
            int size = server.sessionReportSize();
            if (row + size <= first) {
                row += size; // the rows of earlier pages: not read from the kernel again
                continue;
            }
            int from = (int) Math.max(0, first - row);
            row += from;
            for (List<String> chunk = server.sessionReport(from, REPORT_CHUNK); !chunk.isEmpty();
                 chunk = server.sessionReport(from, REPORT_CHUNK)) {
                for (String fields : chunk) {
                    String text = String.join("\t", Long.toString(s.id), Integer.toString(s.peer.pid()),
                            Integer.toString(s.peer.uid()), Integer.toString(s.pidfd()), fields) + "\n";
                    byte[] line = text.getBytes(StandardCharsets.UTF_8);
                    if (at + line.length > out.byteSize()) {
                        return at == 0 ? -Errno.EOVERFLOW : at;
                    }
                    MemorySegment.copy(MemorySegment.ofArray(line), 0, out, at, line.length);
                    at += line.length;
                    row++;
                }
                from += chunk.size();
            }
        }
        return at;
    }

    /** Sessions being served right now (and connections in their handshake). */
    public int sessions() {
        return sessions.size();
    }

    /** Connections refused so far for {@code cause}. */
    public long refusals(Refusal cause) {
        return refusals.get(cause.ordinal());
    }

    /** Why the agent refused a connection. */
    public enum Refusal {
        /** The peer's user is not admitted ({@link AgentAccess}). */
        NOT_ADMITTED,
        /** The peer's user is at its cap of connections in the handshake or of sessions. */
        OVER_CAP,
        /** The peer claimed the supervisor's role without the token. */
        NOT_SUPERVISOR,
        /** The request, its descriptor or its segment was not acceptable, or the handshake failed. */
        BAD_REQUEST
    }

    /** Blocks until the agent has closed. */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    private void acceptLoop() {
        long backoffMs = 0;
        long failures = 0;
        try {
            while (open) {
                int errno = acceptOne();
                if (errno == 0) {
                    backoffMs = 0;
                    continue;
                }
                if (!open) {
                    return; // close() shut the listener down
                }
                if (errno == Errno.EINTR || errno == Errno.ECONNABORTED || errno == Errno.EPROTO) {
                    continue; // that one connection is gone; the next is fine
                }
                // EMFILE, ENFILE, ENOBUFS, ENOMEM, or anything unforeseen: wait for resources, never stop.
                backoffMs = backoffMs == 0 ? FIRST_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, 2 * backoffMs);
                if (Long.bitCount(++failures) == 1) { // the 1st, 2nd, 4th ... failure: a log that cannot flood
                    LOG.log(Level.WARNING, "accept on {0} failed with {1} (failure #{2}); retrying in {3} ms",
                            config.socket(), Errno.name(errno), failures, backoffMs);
                }
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        } finally {
            synchronized (listenerLock) {
                listenerClosed = true;
                Linux.close(listener);
            }
        }
    }

    /**
     * Accepts and admits one connection: 0, or the errno of a failed accept. Whatever admitting throws (an error of
     * a process short of memory or descriptors) costs that one connection, never the loop: it counts as ENOMEM.
     */
    private int acceptOne() {
        int fd = UnixSockets.accept4(listener, UnixSockets.SOCK_CLOEXEC);
        if (fd < 0) {
            return -fd;
        }
        AgentSocket socket = AgentSocket.adopt(fd);
        try {
            admit(socket);
            return 0;
        } catch (RuntimeException | Error e) {
            socket.close(); // idempotent: admit may have closed it, or handed it to a session that ended
            return Errno.ENOMEM;
        }
    }

    /** Admits a new connection, or refuses it from this thread without making one for it. */
    private void admit(AgentSocket socket) {
        AgentSocket.Peer peer;
        try {
            peer = socket.peer();
        } catch (IOException e) {
            socket.close();
            return;
        }
        if (!config.access().admits(peer)) {
            refuse(socket, peer, Refusal.NOT_ADMITTED, "permission denied: uid " + peer.uid() + " may not attach to"
                    + " domain " + config.domain());
            return;
        }
        int cap = config.access().maxSessionsPerUid();
        if (!increment(handshaking, peer.uid(), cap)) {
            refuse(socket, peer, Refusal.OVER_CAP, "too many connections: uid " + peer.uid() + " has " + cap
                    + " in the handshake with domain " + config.domain() + " (at most " + cap + ")");
            return;
        }
        Session session = new Session(socket, peer);
        sessions.add(session);
        try {
            Thread.ofPlatform().name("vos-agent-session-" + peer.uid()).daemon().start(() -> serve(session));
        } catch (OutOfMemoryError e) { // no thread to be had: this one connection is refused
            refuse(socket, peer, Refusal.OVER_CAP, "the agent of " + config.domain() + " has no thread for a"
                    + " session now");
            end(session);
        }
    }

    /** Answers {@code ERR why} without waiting, logs it (rate-limited per cause), and closes the connection. */
    private void refuse(AgentSocket socket, AgentSocket.Peer peer, Refusal cause, String why) {
        note(peer, cause, why);
        socket.tryWriteLine("ERR " + why);
        socket.close();
    }

    private void note(AgentSocket.Peer peer, Refusal cause, String why) {
        long n = refusals.incrementAndGet(cause.ordinal());
        if (Long.bitCount(n) == 1) {
            LOG.log(Level.WARNING, "domain {0} refused {1} ({2} #{3}): {4}", config.domain(), peer, cause, n, why);
        }
    }

    /** One client's session: handshake, serve its segment, and tear down when either side leaves. */
    private void serve(Session session) {
        AgentSocket socket = session.socket;
        try {
            Refused refused;
            try {
                socket.setTimeout(AgentProtocol.HANDSHAKE_TIMEOUT);
                socket.writeLine(new AgentProtocol.Greeting(config.domain(), config.kind(), config.generation(),
                        config.hangTimeout().toMillis()).line());
                refused = attach(session, socket.readLine());
            } finally {
                if (session.leaveHandshake()) {
                    decrement(handshaking, session.peer.uid());
                }
            }
            if (refused != null) {
                note(session.peer, refused.cause(), refused.why());
                socket.writeLine("ERR " + refused.why());
                return;
            }
            socket.writeLine("OK");
            if (session.peer.pid() == 0) {
                session.keepPidfd(socket.peerPidfd()); // a client outside the agent's pid namespace
            }
            socket.setTimeout(Duration.ZERO);
            // The session is now the lifeline: nothing more is read but end-of-file (the client left or died), or
            // the shutdown that a server stopping on its own (a fault, the client marked gone) causes.
            socket.awaitEnd();
        } catch (EOFException e) {
            // the client left
        } catch (IOException e) {
            if (session.server == null) {
                note(session.peer, Refusal.BAD_REQUEST, "handshake failed: " + e.getMessage());
            } else {
                LOG.log(Level.WARNING, "session of {0} with {1} ended: {2}", session.peer, config.domain(),
                        e.getMessage());
            }
        } finally {
            end(session);
        }
    }

    /** Why an attach was refused. */
    private record Refused(Refusal cause, String why) {
    }

    /** Attaches {@code session} to the segment the client passed with {@code request}; null, or why not. */
    private Refused attach(Session session, String request) {
        int[] descriptors = session.socket.takeDescriptors();
        try {
            AgentProtocol.Request parsed = AgentProtocol.Request.parse(request);
            boolean supervisor = parsed instanceof AgentProtocol.Request.AttachAsSupervisor;
            if (parsed instanceof AgentProtocol.Request.AttachAsSupervisor(String token)
                    && (config.supervisorToken() == null || !config.supervisorToken().matches(token))) {
                return new Refused(Refusal.NOT_SUPERVISOR, "not the supervisor: the token does not match (the role"
                        + " is the control plane's, proven by the token it gave this agent at launch)");
            }
            if (descriptors.length == 0 && session.socket.sentTooManyDescriptors()) {
                // The kernel dropped the descriptor it had no room for: this process is out of descriptors.
                return new Refused(Refusal.BAD_REQUEST, "the segment's descriptor could not be received: domain "
                        + config.domain() + " is out of descriptors (EMFILE) for now; try again");
            }
            if (descriptors.length != 1 || session.socket.sentTooManyDescriptors()) {
                return new Refused(Refusal.BAD_REQUEST, "expected one segment descriptor with ATTACH, got "
                        + (session.socket.sentTooManyDescriptors() ? "more than " : "") + descriptors.length);
            }
            int cap = config.access().maxSessionsPerUid();
            if (!supervisor && !increment(attached, session.peer.uid(), cap)) {
                return new Refused(Refusal.OVER_CAP, "too many sessions: uid " + session.peer.uid() + " holds " + cap
                        + " with domain " + config.domain() + " (at most " + cap + ")");
            }
            session.counted = !supervisor;
            int fd = descriptors[0];
            descriptors = new int[0]; // openSealed takes it
            RingServer server = serveSegment(ProcessTransport.openSealed(fd, "the segment of " + session.peer),
                    session.peer.credentials());
            if (server == null) {
                return new Refused(Refusal.BAD_REQUEST, "the segment is not for generation " + config.generation()
                        + " of " + config.domain());
            }
            if (!session.adopt(server, supervisor)) {
                server.close();
                return new Refused(Refusal.BAD_REQUEST, "the agent of " + config.domain() + " is closing");
            }
            server.whenStopped().thenRun(session.socket::shutdown);
            return null;
        } catch (IOException e) {
            return new Refused(Refusal.BAD_REQUEST, e.getMessage());
        } finally {
            AgentSocket.closeAll(descriptors);
        }
    }

    /** Serves {@code segment} if it is valid and of this generation; null (segment closed) if of another. */
    private RingServer serveSegment(Segment shared, ClientCredentials client) throws IOException {
        RingSegment segment = RingSegment.view(shared.name(), shared.memory(), shared);
        try {
            RingHeader.validate(segment);
            if (RingHeader.generation(segment) != config.generation()) {
                segment.close();
                return null;
            }
        } catch (IOException | RuntimeException e) {
            segment.close();
            throw e;
        } catch (InternalError e) { // a sealed memfd cannot be cut short; this is defence in depth
            segment.close();
            throw new IOException(segment.name() + ": the segment faulted", e);
        }
        return RingServer.attach(shared, config.table(), config.serverOptions(), Optional.of(client));
    }

    private synchronized boolean increment(Map<Integer, Integer> counts, int uid, int cap) {
        int now = counts.getOrDefault(uid, 0);
        if (now >= cap) {
            return false;
        }
        counts.put(uid, now + 1);
        return true;
    }

    private synchronized void decrement(Map<Integer, Integer> counts, int uid) {
        counts.computeIfPresent(uid, (u, n) -> n <= 1 ? null : n - 1);
    }

    /**
     * Ends a session whatever state it reached: its server stopped, its figures retired, its counts released, its
     * socket closed, in blocks that each run even when the one before fails.
     */
    private void end(Session session) {
        try {
            ServerStats last = session.stop();
            synchronized (this) {
                retired = retired.plus(last);
            }
        } finally {
            sessions.remove(session);
            if (session.leaveHandshake()) {
                decrement(handshaking, session.peer.uid());
            }
            if (session.counted) {
                session.counted = false;
                decrement(attached, session.peer.uid());
            }
            session.socket.close();
            session.keepPidfd(-1);
            if (session.supervisor && config.exitWithSupervisor() && open) {
                LOG.log(Level.WARNING, "the supervisor's session ended; the agent of {0} stops", config.domain());
                close();
            }
        }
    }

    /** Stops accepting, ends every session, removes the socket. */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        synchronized (listenerLock) {
            if (!listenerClosed) {
                UnixSockets.shutdown(listener, UnixSockets.SHUT_RDWR); // wakes the accept loop, which closes it
            }
        }
        for (Session s : sessions) {
            s.stop();
            s.socket.shutdown();
        }
        try {
            Files.deleteIfExists(config.socket());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "removing {0}: {1}", config.socket(), e.getMessage());
        }
        closed.countDown();
    }

    /** Rows asked of a session at a time: about a payload's worth (the default 64 KiB), so few are read for nothing. */
    private static final int REPORT_CHUNK = 256;

    /** Numbers the sessions in the order they were admitted: {@code vos net ss} tells them apart by it. */
    private static final AtomicLong SESSION_IDS = new AtomicLong();

    /** A client's connection: its lifeline socket, who it is, and the server of its segment. */
    private static final class Session {
        private final long id = SESSION_IDS.incrementAndGet();
        private final AgentSocket socket;
        private final AgentSocket.Peer peer;
        volatile RingServer server;
        volatile boolean supervisor;
        /** Counted among its user's sessions (the supervisor's is not); released once, by end(). */
        volatile boolean counted;
        private boolean handshaking = true;
        private boolean stopped;
        /** A pidfd of the client, for {@code vos net ss} (its pid here is 0), or -1. */
        private int pidfd = -1;

        Session(AgentSocket socket, AgentSocket.Peer peer) {
            this.socket = socket;
            this.peer = peer;
        }

        /** Makes {@code s} this session's server, unless the session was stopped meanwhile (the agent closes). */
        synchronized boolean adopt(RingServer s, boolean asSupervisor) {
            if (stopped) {
                return false;
            }
            server = s;
            supervisor = asSupervisor;
            return true;
        }

        /** Stops serving the segment, for good; the server's final figures, once, empty ones after that. */
        synchronized ServerStats stop() {
            stopped = true;
            RingServer s = server;
            server = null;
            if (s == null) {
                return ServerStats.empty(0);
            }
            s.close();
            return s.stats();
        }

        /** The client's pidfd, or -1. */
        synchronized int pidfd() {
            return pidfd;
        }

        /** Keeps {@code fd} as the client's pidfd (-1: none), closing the one kept before. */
        synchronized void keepPidfd(int fd) {
            if (pidfd >= 0) {
                Linux.close(pidfd);
            }
            pidfd = fd;
        }

        /** True the first time only: the session's place among its user's handshakes is released once. */
        synchronized boolean leaveHandshake() {
            boolean was = handshaking;
            handshaking = false;
            return was;
        }
    }
}
