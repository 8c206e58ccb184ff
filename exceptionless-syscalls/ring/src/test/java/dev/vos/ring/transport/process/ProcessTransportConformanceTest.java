package dev.vos.ring.transport.process;

import dev.vos.ring.TestSegments;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.server.RingServerProcess;
import dev.vos.ring.transport.TransportConformance;

import java.nio.file.Path;
import java.time.Duration;

/** {@link TransportConformance} over the process transport: a segment file, futex words, {@code /proc}. */
class ProcessTransportConformanceTest extends TransportConformance {

    @Override
    protected RingPair start(String label, WaitStrategy wait) throws Exception {
        Path file = TestSegments.fresh("conformance-" + label);
        RingClient client = RingClient.create(file, geometry(), 1, wait);
        RingServerProcess server;
        try {
            server = RingServerProcess.start(file, Duration.ofSeconds(60));
            client.awaitServer(Duration.ofSeconds(10));
        } catch (Exception e) {
            client.close();
            throw e;
        }
        return new RingPair() {
            @Override
            public RingClient client() {
                return client;
            }

            @Override
            public long serverPid() {
                return server.pid();
            }

            @Override
            public void killServer() {
                kill(server.pid());
            }

            @Override
            public void close() throws Exception {
                try {
                    client.close();
                } finally {
                    server.close();
                }
            }
        };
    }
}
