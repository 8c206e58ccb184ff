package dev.vos.ring.agent;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A client in a process of its own (run as another user by the security tests): attaches to the agent at
 * {@code args[0]}, makes one call, and prints {@code ATTACHED <the agent's pid>} or {@code REFUSED <why>}.
 */
public final class ProbeClient {

    private ProbeClient() {
    }

    public static void main(String[] args) {
        try (AgentSession session = AgentSession.attach(Path.of(args[0]), new RingGeometry(8, 4096, 1_000_000_000L),
                WaitStrategy.sleeping(), Duration.ofSeconds(10))) {
            System.out.println("ATTACHED " + session.ring().call(CoreCalls.GETPID));
        } catch (IOException e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }
}
