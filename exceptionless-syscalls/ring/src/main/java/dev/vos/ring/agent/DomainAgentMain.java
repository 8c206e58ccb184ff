package dev.vos.ring.agent;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.RingHeader;
import dev.vos.ring.RingSegment;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerArgs;
import dev.vos.ring.server.ServerOptions;
import dev.vos.ring.transport.process.ProcessTransport;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;
import dev.vos.sys.UnixSockets;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A service domain process: a {@link DomainAgent} for one domain generation. The control plane's process backend
 * starts it; it can also be run by hand.
 * <pre>
 * usage: DomainAgentMain --name NAME --kind KIND --generation G --socket PATH
 *                        [--workers N] [--idle-spin-us N | --busy-poll] [--pin-cpus C[,C...]]
 *                        [--option KEY=VALUE]... [--hang-timeout-ms N]
 *                        [--admit-uid UID] [--admit-group GID] [--max-sessions-per-uid N]
 *                        [--supervisor-token-file FILE [--exit-with-supervisor]] [--test-calls]
 *        or, a standby: the same without --generation, with --standby-fd FD [--parked-fd FD]
 * </pre>
 * <ul>
 *   <li>{@code --hang-timeout-ms}: the domain's hang timeout, announced to every client as its rings' liveness
 *       timeout (default 1000, the default ring's);</li>
 *   <li>{@code --admit-uid}: the control plane's user, admitted besides root (default: the agent's own user);
 *       {@code --admit-group}: a group whose members are admitted too (default: none);
 *       {@code --max-sessions-per-uid}: default {@value AgentAccess#DEFAULT_MAX_SESSIONS_PER_UID}
 *       (see {@link AgentAccess});</li>
 *   <li>{@code --supervisor-token-file}: the owner-only file holding the token that proves the control plane's
 *       session ({@link SupervisorToken}), read once at start; {@code --exit-with-supervisor} (which needs it):
 *       the agent exits when that session ends;</li>
 *   <li>{@code --test-calls} adds the test calls ({@code CoreCallHandlers.registerTestCalls}); tests only (the
 *       process backend passes it when the control plane runs with {@code -Dvos.domain.testCalls=true}).</li>
 *   <li>{@code --standby-fd}: a standby, which parks on this inherited pipe until it is promoted
 *       ({@link StandbyChannel}); {@code --parked-fd} (which needs it): the inherited pipe on which it says that
 *       it has parked.</li>
 * </ul>
 * Prints {@code agent NAME generation G listening on PATH} when ready. Exit status 0 after a clean stop (SIGTERM,
 * or the supervisor left with {@code --exit-with-supervisor}), 2 for bad arguments, 3 when it cannot listen.
 */
public final class DomainAgentMain {

    private DomainAgentMain() {
    }

    /** The standby's warm-up ring: small, with the default ring's liveness timeout. */
    private static final RingGeometry WARM_UP_RING = new RingGeometry(4, 4096, 1_000_000_000L);
    /** Calls of each core kind the standby's warm-up makes: enough for the JIT to compile the ring's paths. */
    private static final int WARM_UP_CALLS = 5_000;
    /**
     * The longest the warm-up may take: on a busy machine its worker and client wait for CPUs call by call, and a
     * standby that has not parked cannot be promoted; warmth is worth less than being there.
     */
    private static final Duration WARM_UP_LIMIT = Duration.ofSeconds(3);

    /** The running agent, for its STATS handler (registered before the agent exists). */
    private static final AtomicReference<DomainAgent> SELF = new AtomicReference<>();

    public static void main(String[] args) throws InterruptedException {
        Arguments arguments;
        DomainAgent.Config config;
        try {
            arguments = arguments(args);
            if (arguments.standbyFd() >= 0) {
                arguments = parkUntilPromoted(arguments);
            }
            config = arguments.config();
        } catch (IllegalArgumentException e) {
            System.err.println("vos domain agent: " + e.getMessage());
            System.err.println("usage: DomainAgentMain --name NAME --kind KIND --generation G --socket PATH "
                    + ServerArgs.USAGE + " [--option KEY=VALUE]... [--hang-timeout-ms N] [--admit-uid UID]"
                    + " [--admit-group GID] [--max-sessions-per-uid N]"
                    + " [--supervisor-token-file FILE [--exit-with-supervisor]] [--test-calls]"
                    + " [--standby-fd FD [--parked-fd FD]]");
            System.exit(2);
            return;
        }
        DomainAgent agent;
        try {
            agent = DomainAgent.start(config);
            SELF.set(agent);
        } catch (java.io.IOException e) {
            System.err.println("vos domain agent: " + e.getMessage());
            System.exit(3);
            return;
        }
        // A stop by SIGTERM is a clean stop: halt with 0 once the agent closed, instead of the JVM's 143, so that
        // a supervisor's 'transient' policy does not take it for a crash.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            Runtime.getRuntime().halt(0);
        }));
        System.out.println("agent " + config.domain() + " generation " + config.generation() + " listening on "
                + config.socket());
        System.out.flush();
        agent.awaitClose();
    }

    /**
     * A standby: everything a generation needs is done (the JVM is up, the calls are registered, the kind's
     * resources such as the export root are open), and nothing is reachable: no socket, no session. It waits on
     * {@code standbyFd}, a pipe only the control plane can write, for {@code PROMOTE G}; then it is generation G.
     * End of file (the control plane let it go, or died) ends the process with status 0; any other line, with 2.
     */
    private static Arguments parkUntilPromoted(Arguments arguments) {
        warmUp();
        exercise(arguments.table(), arguments.options());
        System.out.println("agent " + arguments.name() + " standby parked (pid " + ProcessHandle.current().pid()
                + ")");
        System.out.flush();
        if (arguments.parkedFd() >= 0) {
            StandbyChannel.announceParked(arguments.parkedFd());
        }
        String line = StandbyChannel.readLine(arguments.standbyFd());
        Linux.close(arguments.standbyFd());
        if (line == null) {
            System.out.println("agent " + arguments.name() + " standby let go");
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
        long generation = StandbyChannel.promotedGeneration(line);
        System.out.println("agent " + arguments.name() + " standby promoted to generation " + generation);
        return arguments.promoted(generation);
    }

    /**
     * Serves {@value #WARM_UP_CALLS} core calls (or as many as {@link #WARM_UP_LIMIT} allows) on a ring of the
     * standby's own (a sealed memfd no one else holds, client and server both in this process), so that a promoted
     * standby serves its first clients with code the JIT has seen, not cold. Only the core calls: nothing of the
     * kind's (no file is touched). A failure costs only that warmth.
     */
    private static void exercise(CallTable table, ServerOptions options) {
        try (RingClient client = RingClient.createSealed("standby-warm-up", WARM_UP_RING, 1,
                WaitStrategy.standard())) {
            int fd = Linux.dupCloexec(client.segmentDescriptor());
            if (fd < 0) {
                throw new IOException("fcntl(F_DUPFD_CLOEXEC): " + Errno.name(-fd));
            }
            RingServer server = RingServer.attach(ProcessTransport.openSealed(fd, "the standby's warm-up ring"), table,
                    options);
            try {
                client.awaitServer(Duration.ofSeconds(10));
                long deadline = System.nanoTime() + WARM_UP_LIMIT.toNanos();
                for (int i = 0; i < WARM_UP_CALLS && System.nanoTime() - deadline < 0; i++) {
                    client.call(CoreCalls.NOP);
                    client.call(CoreCalls.GETPID);
                }
            } finally {
                server.close();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("vos domain agent: the standby's warm-up failed (it serves all the same): " + e);
        }
    }

    /**
     * Initialises the classes the promotion runs through, so that a promoted standby does its first bind, accept
     * and handshake without loading them: the agent, its sockets (their FFM downcalls are linked in their static
     * initialisers), the ring's server and segments, the protocol.
     */
    private static void warmUp() {
        for (Class<?> c : List.of(DomainAgent.class, AgentSocket.class, AgentProtocol.class, UnixSockets.class,
                RingServer.class, RingSegment.class, ProcessTransport.class, RingHeader.class,
                SupervisorToken.class)) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(c + " was loaded already", e);
            }
        }
    }

    /** The agent's configuration from its arguments (not a standby's: they name a generation). */
    static DomainAgent.Config parse(String[] args) {
        return arguments(args).config();
    }

    /**
     * What the arguments say, the call table built (so the kind's resources are open); the supervisor token is not
     * read yet: a standby learns its generation, and its token is issued, only when it is promoted.
     */
    record Arguments(String name, String kind, long generation, Path socket, CallTable table, ServerOptions options,
                     Duration hangTimeout, AgentAccess access, Path tokenFile, boolean exitWithSupervisor,
                     int standbyFd, int parkedFd) {

        /** The same arguments for generation {@code g}: a standby promoted. */
        Arguments promoted(long g) {
            return new Arguments(name, kind, g, socket, table, options, hangTimeout, access, tokenFile,
                    exitWithSupervisor, -1, -1);
        }

        /** The agent's configuration, with the supervisor's token read from its file now. */
        DomainAgent.Config config() {
            if (generation < 1) {
                throw new IllegalArgumentException("--generation (>= 1) is required");
            }
            SupervisorToken token = null;
            if (tokenFile != null) {
                try {
                    token = SupervisorToken.read(tokenFile);
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("--supervisor-token-file: " + e.getMessage());
                }
            }
            return new DomainAgent.Config(name, kind, generation, socket, table, options, hangTimeout, access, token,
                    exitWithSupervisor);
        }
    }

    static Arguments arguments(String[] args) {
        String name = null;
        String kind = null;
        long generation = 0;
        Path socket = null;
        Path tokenFile = null;
        boolean exitWithSupervisor = false;
        int standbyFd = -1;
        int parkedFd = -1;
        Duration hangTimeout = DomainAgent.Config.DEFAULT_HANG_TIMEOUT;
        AgentAccess access = AgentAccess.owner();
        boolean testCalls = false;
        ServerOptions options = ServerOptions.DEFAULT;
        Map<String, String> kindOptions = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            ServerArgs.Parsed server = ServerArgs.parse(args, i, options);
            if (server != null) {
                options = server.options();
                i = server.lastIndex();
                continue;
            }
            String option = args[i];
            switch (option) {
                case "--name" -> name = ServerArgs.value(args, ++i, option);
                case "--kind" -> kind = ServerArgs.value(args, ++i, option);
                case "--generation" -> generation = ServerArgs.longValue(args, ++i, option);
                case "--socket" -> socket = Path.of(ServerArgs.value(args, ++i, option));
                case "--option" -> ServerArgs.keyValue(args, ++i, option, kindOptions);
                case "--hang-timeout-ms" -> hangTimeout = Duration.ofMillis(ServerArgs.longValue(args, ++i, option));
                case "--admit-uid" -> access = new AgentAccess(ServerArgs.intValue(args, ++i, option),
                        access.group(), access.maxSessionsPerUid());
                case "--admit-group" -> access = access.withGroup(ServerArgs.intValue(args, ++i, option));
                case "--max-sessions-per-uid" ->
                        access = access.withMaxSessionsPerUid(ServerArgs.intValue(args, ++i, option));
                case "--supervisor-token-file" -> tokenFile = Path.of(ServerArgs.value(args, ++i, option));
                case "--exit-with-supervisor" -> exitWithSupervisor = true;
                case "--test-calls" -> testCalls = true;
                case "--standby-fd" -> standbyFd = ServerArgs.intValue(args, ++i, option);
                case "--parked-fd" -> parkedFd = ServerArgs.intValue(args, ++i, option);
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (name == null || kind == null || socket == null) {
            throw new IllegalArgumentException("--name, --kind, --socket and --generation (>= 1) are required");
        }
        if (standbyFd >= 0 ? generation != 0 : generation < 1) {
            throw new IllegalArgumentException(standbyFd >= 0
                    ? "a standby (--standby-fd) learns its generation when it is promoted: no --generation"
                    : "--name, --kind, --socket and --generation (>= 1) are required");
        }
        if (parkedFd >= 0 && standbyFd < 0) {
            throw new IllegalArgumentException("--parked-fd is a standby's (--standby-fd): a generation says it is"
                    + " ready by listening");
        }
        if (exitWithSupervisor && tokenFile == null) {
            throw new IllegalArgumentException("--exit-with-supervisor needs --supervisor-token-file: without a token,"
                    + " any client could claim the supervisor's role and stop the domain");
        }
        if (tokenFile != null && standbyFd < 0) {
            try {
                SupervisorToken.read(tokenFile); // a bad file is a bad argument, said at once
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--supervisor-token-file: " + e.getMessage());
            }
        }
        return new Arguments(name, kind, generation, socket, table(kind, kindOptions, testCalls), options,
                hangTimeout, access, tokenFile, exitWithSupervisor, standbyFd, parkedFd);
    }

    /**
     * The core calls, the test calls if asked for, plus the calls of the provider registered for {@code kind}, if
     * one is installed.
     */
    static CallTable table(String kind, Map<String, String> options, boolean testCalls) {
        CallTable.Builder table = CoreCallHandlers.register(CallTable.builder())
                .add(CoreCalls.STATS, "stats", call -> DomainAgent.statsCall(SELF::get, call))
                .add(CoreCalls.SESSIONS, "sessions", call -> DomainAgent.sessionsCall(SELF::get, call));
        if (testCalls) {
            CoreCallHandlers.registerTestCalls(table);
        }
        boolean found = false;
        for (CallTableProvider provider : ServiceLoader.load(CallTableProvider.class)) {
            if (provider.kind().equals(kind)) {
                provider.register(table, options);
                found = true;
            }
        }
        if (!found) {
            System.err.println("vos domain agent: no calls installed for kind '" + kind + "'; serving the core calls");
        }
        return table.build();
    }
}
