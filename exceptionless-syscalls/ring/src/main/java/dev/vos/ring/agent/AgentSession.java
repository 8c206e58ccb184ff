package dev.vos.ring.agent;

import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingFailure;
import dev.vos.ring.SegmentFiles;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's side of a session with a domain agent: the ring bound to the agent's current generation, and the
 * socket that is its lifeline. A virtual thread waits on the socket; when the agent's process dies the kernel
 * closes the socket, and the ring fails at once ({@link RingFailure.LifelineClosed}), long before its
 * heartbeat would go stale.
 */
public final class AgentSession implements AutoCloseable {

    private static final AtomicLong SEGMENTS = new AtomicLong();

    private final SocketChannel channel;
    private final RingClient ring;
    private final AgentProtocol.Greeting greeting;

    private AgentSession(SocketChannel channel, RingClient ring, AgentProtocol.Greeting greeting) {
        this.channel = channel;
        this.ring = ring;
        this.greeting = greeting;
    }

    /**
     * Connects to the agent listening on {@code socket}, creates a segment for its generation, and attaches.
     *
     * @param supervisor true for the control plane's own session (see {@link AgentProtocol})
     * @throws IOException if no agent listens there, it refuses, or it does not serve within {@code timeout}
     */
    public static AgentSession attach(Path socket, RingGeometry geometry, WaitStrategy wait, boolean supervisor,
                                      Duration timeout) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        RingClient ring = null;
        // A hung (stopped) agent still accepts connections (the kernel queues them) but never greets: without a
        // deadline the handshake would block until someone kills it. Closing the channel ends a blocked read.
        Thread deadline = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(timeout);
                channel.close();
            } catch (InterruptedException | IOException e) {
                // the handshake finished first
            }
        });
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            AgentProtocol.Greeting greeting = AgentProtocol.Greeting.parse(AgentProtocol.readLine(channel));
            Path segment = SegmentFiles.path(greeting.domain(), "g" + greeting.generation() + "-"
                    + SEGMENTS.incrementAndGet());
            Files.deleteIfExists(segment);
            ring = RingClient.create(segment, geometry, greeting.generation(), wait);
            AgentProtocol.writeLine(channel, "ATTACH " + segment + (supervisor ? " SUPERVISOR" : ""));
            String reply = AgentProtocol.readLine(channel);
            if (!reply.equals("OK")) {
                throw new IOException("domain " + greeting.domain() + " refused the ring: "
                        + (reply.startsWith("ERR ") ? reply.substring(4) : reply));
            }
            ring.awaitServer(timeout);
            deadline.interrupt();
            AgentSession session = new AgentSession(channel, ring, greeting);
            Thread.ofVirtual().name("vos-session-lifeline").start(session::watch);
            return session;
        } catch (IOException | RuntimeException e) {
            deadline.interrupt();
            if (ring != null) {
                ring.close();
            }
            channel.close();
            if (e instanceof DomainFailedException || !(e instanceof IOException)) {
                throw e;
            }
            throw new IOException("cannot attach to the domain agent at " + socket + ": " + e.getMessage(), e);
        }
    }

    private void watch() {
        try {
            while (true) {
                AgentProtocol.readLine(channel);
            }
        } catch (EOFException e) {
            ring.fail(new RingFailure.LifelineClosed());
        } catch (IOException e) {
            ring.fail(new RingFailure.LifelineBroken(String.valueOf(e.getMessage())));
        }
    }

    /** The ring of this session. */
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
    public long generation() {
        return greeting.generation();
    }

    /** Ends the session: the ring closes (its calls fail), the agent stops serving the segment. */
    @Override
    public void close() throws IOException {
        try {
            ring.close();
        } finally {
            channel.close();
        }
    }
}
