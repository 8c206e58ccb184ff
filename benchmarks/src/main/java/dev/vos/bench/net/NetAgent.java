package dev.vos.bench.net;

import dev.vos.bench.support.Children;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.agent.AgentSession;
import dev.vos.ring.agent.DomainAgentMain;
import dev.vos.ring.agent.SupervisorToken;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real net agent for a benchmark: a child JVM ({@code DomainAgentMain --kind net}, bound to 127.0.0.1), one
 * busy-polling worker pinned to {@link #SERVER_CPU}, and this process's session with it as its supervisor, so that
 * the agent exits with this JVM. Closing it ends the session and stops the agent.
 */
record NetAgent(Process process, AgentSession session, Path socket) implements AutoCloseable {

    /** The CPU of the domain's polling worker; the benchmarks' clients keep to CPU 0. */
    static final int SERVER_CPU = 1;
    static final RingGeometry GEOMETRY = RingGeometry.DEFAULT.withLivenessTimeout(Duration.ofSeconds(10));

    /** Starts it with {@code options} ({@code key=value}, with {@code bind=127.0.0.1}); attached by {@code wait}. */
    static NetAgent start(WaitStrategy wait, String... options) throws IOException {
        Path socket = Children.scratchFile(".sock");
        Path tokenFile = Children.scratchFile(".token");
        SupervisorToken token = SupervisorToken.issue(tokenFile);
        List<String> args = new ArrayList<>(List.of("--name", "net0", "--kind", "net", "--generation", "1",
                "--socket", socket.toString(), "--busy-poll", "--workers", "1", "--pin-cpus",
                Integer.toString(SERVER_CPU), "--supervisor-token-file", tokenFile.toString(),
                "--exit-with-supervisor", "--hang-timeout-ms", "10000", "--option", "bind=127.0.0.1"));
        for (String option : options) {
            args.add("--option");
            args.add(option);
        }
        Process agent = Children.startJvm(DomainAgentMain.class, "agent net0 generation 1 listening",
                Duration.ofSeconds(60), args.toArray(String[]::new));
        try {
            AgentSession session = AgentSession.attachAsSupervisor(socket, GEOMETRY, token, wait,
                    Duration.ofSeconds(30));
            Children.delete(tokenFile);
            if (session.ring().call(CoreCalls.GETPID) != agent.pid()) {
                session.close();
                throw new IllegalStateException("getpid through the ring is not the agent's pid");
            }
            return new NetAgent(agent, session, socket);
        } catch (IOException | RuntimeException e) {
            Children.stop(agent);
            Children.delete(socket);
            Children.delete(tokenFile);
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            session.close();
        } finally {
            Children.stop(process);
            Children.delete(socket);
        }
    }
}
