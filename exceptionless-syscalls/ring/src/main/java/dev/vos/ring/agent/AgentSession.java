package dev.vos.ring.agent;

import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingFailure;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The client's side of a session with a domain agent: the ring bound to the agent's current generation, and the
 * socket that is its lifeline. A platform thread waits on the socket (a raw one: a virtual thread would pin its
 * carrier); when the agent's process dies the kernel closes the socket, and the ring fails at once ({@link
 * RingFailure.LifelineClosed}), long before its heartbeat would go stale.
 *
 * <p>The ring's segment is a sealed memfd handed to the agent over the socket: no other process can map it, and no
 * name of it exists anywhere. Its liveness timeout is the domain's hang timeout, as the agent announces it, so that
 * the client and the control plane never disagree about whether the domain is hung.
 */
public final class AgentSession implements DomainSession {

    private static final AtomicLong SEGMENTS = new AtomicLong();
    /** How long {@link #close()} waits for the lifeline thread after shutting the socket down. */
    private static final long WATCH_JOIN_MS = 1_000;

    private final AgentSocket socket;
    private final RingClient ring;
    private final AgentProtocol.Greeting greeting;
    private final Thread watcher;

    private AgentSession(AgentSocket socket, RingClient ring, AgentProtocol.Greeting greeting) {
        this.socket = socket;
        this.ring = ring;
        this.greeting = greeting;
        this.watcher = Thread.ofPlatform().name("vos-session-lifeline").daemon().unstarted(this::watch);
    }

    /**
     * Connects to the agent listening on {@code socket}, creates a ring for its generation with the slots and
     * payload room of {@code shape} and the domain's hang timeout as its liveness timeout (the shape's own is not
     * used), and attaches.
     *
     * @throws IOException if no agent listens there, it refuses, or it does not serve within {@code timeout}
     */
    public static AgentSession attach(Path socket, RingGeometry shape, WaitStrategy wait, Duration timeout)
            throws IOException {
        return open(socket, g -> shape.withLivenessTimeout(g.hangTimeout()), null, wait, timeout);
    }

    /**
     * As {@link #attach}, with {@code geometry} exactly as given, its liveness timeout included: for tests that need
     * a client to give up on a silent domain sooner (or later) than the control plane would.
     */
    public static AgentSession attachWithOwnLiveness(Path socket, RingGeometry geometry, WaitStrategy wait,
                                                     Duration timeout) throws IOException {
        return open(socket, g -> geometry, null, wait, timeout);
    }

    /**
     * The control plane's own session, proven by {@code token} (the one it gave the agent at launch): it sees the
     * whole domain's figures, and an agent started with {@code --exit-with-supervisor} exits when it ends.
     */
    public static AgentSession attachAsSupervisor(Path socket, RingGeometry shape, SupervisorToken token,
                                                  WaitStrategy wait, Duration timeout) throws IOException {
        return open(socket, g -> shape.withLivenessTimeout(g.hangTimeout()), token, wait, timeout);
    }

    private static AgentSession open(Path path, Function<AgentProtocol.Greeting, RingGeometry> geometry,
                                     SupervisorToken token, WaitStrategy wait, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        AgentSocket socket = null;
        RingClient ring = null;
        try {
            // A hung (stopped) agent still accepts connections (the kernel queues them) but never greets: every
            // step of the handshake waits at most what is left of the timeout.
            socket = AgentSocket.connect(path, timeout);
            socket.setTimeout(remaining(deadline, timeout));
            String first = socket.readLine();
            if (first.startsWith("ERR ")) {
                throw new IOException("the agent refused: " + first.substring(4));
            }
            AgentProtocol.Greeting greeting = AgentProtocol.Greeting.parse(first);
            ring = RingClient.createSealed(greeting.domain() + "-g" + greeting.generation() + "-"
                    + ProcessHandle.current().pid() + "-" + SEGMENTS.incrementAndGet(), geometry.apply(greeting),
                    greeting.generation(), wait);
            AgentProtocol.Request request = token == null ? new AgentProtocol.Request.Attach()
                    : new AgentProtocol.Request.AttachAsSupervisor(token.text());
            socket.setTimeout(remaining(deadline, timeout));
            socket.writeLine(request.line(), ring.segmentDescriptor());
            String reply = socket.readLine();
            if (!reply.equals("OK")) {
                throw new IOException("domain " + greeting.domain() + " refused the ring: "
                        + (reply.startsWith("ERR ") ? reply.substring(4) : reply));
            }
            ring.awaitServer(remaining(deadline, timeout));
            socket.setTimeout(Duration.ZERO); // from now on the lifeline waits as long as the session lasts
            AgentSession session = new AgentSession(socket, ring, greeting);
            session.watcher.start();
            return session;
        } catch (IOException | RuntimeException e) {
            if (ring != null) {
                ring.close();
            }
            if (socket != null) {
                socket.close();
            }
            if (e instanceof DomainFailedException || !(e instanceof IOException)) {
                throw e;
            }
            throw new IOException("cannot attach to the domain agent at " + path + ": " + e.getMessage(), e);
        }
    }

    /** What is left of {@code timeout} until {@code deadline}; the attach has failed when nothing is. */
    private static Duration remaining(long deadline, Duration timeout) throws SocketTimeoutException {
        long ns = deadline - System.nanoTime();
        if (ns <= 0) {
            throw new SocketTimeoutException("the agent did not complete the handshake within " + timeout.toMillis()
                    + " ms");
        }
        return Duration.ofNanos(ns);
    }

    private void watch() {
        try {
            socket.awaitEnd();
            ring.fail(new RingFailure.LifelineClosed());
        } catch (EOFException e) {
            ring.fail(new RingFailure.LifelineClosed());
        } catch (IOException e) {
            ring.fail(new RingFailure.LifelineBroken(String.valueOf(e.getMessage())));
        }
    }

    /** The ring of this session. */
    @Override
    public RingClient ring() {
        return ring;
    }

    /** The domain's name, as its agent announced it. */
    public String domain() {
        return greeting.domain();
    }

    /** The domain's kind, as its agent announced it. */
    public String kind() {
        return greeting.kind();
    }

    /** The generation this session is bound to. */
    @Override
    public long generation() {
        return greeting.generation();
    }

    /** The domain's hang timeout, as its agent announced it. */
    public Duration hangTimeout() {
        return greeting.hangTimeout();
    }

    /** Ends the session: the ring closes (its calls fail), the agent stops serving the segment. */
    @Override
    public void close() throws IOException {
        try {
            ring.close();
        } finally {
            socket.shutdown();
            try {
                watcher.join(WATCH_JOIN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!watcher.isAlive()) { // never close a descriptor a thread may still read
                socket.close();
            }
        }
    }
}
