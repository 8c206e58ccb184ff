package dev.vos.ring.agent;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.ClientCredentials;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerCall;
import dev.vos.ring.server.ServerOptions;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A handler learns who its client is from the kernel, through the agent that admitted it: the pid, uid and gid the
 * agent's socket recorded at connect ({@link ServerCall#client()}). A ring served without an agent names nobody.
 */
@Timeout(60)
class ClientCredentialsTest {

    /** A call of this test's table: the client's pid, uid or gid (arg 0: 0, 1, 2), or -ENOENT when unknown. */
    private static final int WHO = CoreCalls.FIRST_DOMAIN_CALL;

    @TempDir
    Path dir;

    private static CallTable table() {
        return CoreCallHandlers.register(CallTable.builder()).add(WHO, "who", ClientCredentialsTest::who).build();
    }

    private static long who(ServerCall call) {
        ClientCredentials c = call.client().orElse(null);
        if (c == null) {
            return -Errno.ENOENT;
        }
        return switch ((int) call.arg(0)) {
            case 0 -> c.pid();
            case 1 -> c.uid();
            default -> c.gid();
        };
    }

    @Test
    void anAgentsHandlers_seeTheClientTheKernelNamed() throws Exception {
        Path socket = dir.resolve("agent.sock");
        try (DomainAgent agent = DomainAgent.start(DomainAgent.Config.of("net9", "net", 1, socket, table()));
             AgentSession session = AgentSession.attach(socket, RingGeometry.DEFAULT, WaitStrategy.sleeping(),
                     Duration.ofSeconds(10));
             CallSlot slot = session.ring().acquire()) {
            assertEquals(ProcessHandle.current().pid(), slot.call(WHO, 0, 0, 0), "pid: this process attached");
            assertEquals(Linux.getuid(), slot.call(WHO, 1, 0, 0));
            assertEquals(Linux.getgid(), slot.call(WHO, 2, 0, 0));
        }
    }

    @Test
    void aRingServedWithoutAnAgent_namesNoClient() throws Exception {
        Path file = dir.resolve("ring");
        try (RingClient client = RingClient.create(file, RingGeometry.DEFAULT, 1, WaitStrategy.sleeping());
             RingServer server = RingServer.attach(file, table(), ServerOptions.DEFAULT)) {
            client.awaitServer(Duration.ofSeconds(5));
            try (CallSlot slot = client.acquire()) {
                assertEquals(-Errno.ENOENT, slot.call(WHO, 1, 0, 0), "the client's say-so is never taken for it");
            }
        }
    }
}
