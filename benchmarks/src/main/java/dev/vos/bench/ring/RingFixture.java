package dev.vos.bench.ring;

import dev.vos.bench.support.Children;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.RingServerMain;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One ring and the child JVM serving it: a segment {@code /dev/shm/vos-bench-<pid>-<n>} of {@link #GEOMETRY}, a
 * client with the given wait strategy, and a {@link RingServerMain} (with {@code --exit-with-parent}) with one
 * worker that busy-polls pinned to {@link #SERVER_CPU}.
 */
public final class RingFixture implements AutoCloseable {

    /** The CPU the client's benchmark thread is pinned to (round-trip benchmarks). */
    public static final int CLIENT_CPU = 0;
    /** The CPU the server's polling worker is pinned to. */
    public static final int SERVER_CPU = 1;

    /**
     * The default geometry (64 slots of 64 KiB) with a 10 s liveness timeout instead of 200 ms. The timeout is off
     * the measured path (the client's monitor checks the server's heartbeat every timeout / 10); with 200 ms, a
     * busy machine delays the server's heartbeat thread past it now and then, and the ring fails the fork
     * ("the domain is hung") instead of the figures showing the disturbance.
     */
    public static final RingGeometry GEOMETRY = RingGeometry.DEFAULT.withLivenessTimeout(Duration.ofSeconds(10));

    private final RingClient client;
    private final Process server;

    private RingFixture(RingClient client, Process server) {
        this.client = client;
        this.server = server;
    }

    public static RingFixture start(WaitStrategy waitStrategy) throws IOException {
        Path segment = Children.scratchFile("");
        RingClient client = RingClient.create(segment, GEOMETRY, 1, waitStrategy);
        Process server = null;
        try {
            server = Children.startJvm(RingServerMain.class, "serving ", Duration.ofSeconds(60),
                    "--segment", segment.toString(), "--busy-poll", "--pin-cpus", Integer.toString(SERVER_CPU),
                    "--exit-with-parent", "--parent-pid", Long.toString(ProcessHandle.current().pid()));
            client.awaitServer(Duration.ofSeconds(30));
            long pid = client.call(CoreCalls.GETPID);
            long nop = client.call(CoreCalls.NOP);
            if (pid != server.pid() || nop != 0) {
                throw new IllegalStateException("ring sanity check failed: getpid=" + pid + " (server pid "
                        + server.pid() + "), nop=" + nop);
            }
            return new RingFixture(client, server);
        } catch (IOException | RuntimeException e) {
            new RingFixture(client, server).close();
            throw e;
        }
    }

    public RingClient client() {
        return client;
    }

    /** Closes the ring (the server sees CLIENT_GONE), then kills and reaps the server, then removes the segment. */
    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            Children.stop(server);
            Children.delete(client.file());
        }
    }
}
