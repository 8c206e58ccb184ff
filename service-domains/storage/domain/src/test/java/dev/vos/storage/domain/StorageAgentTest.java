package dev.vos.storage.domain;

import dev.vos.ring.agent.AgentSession;
import dev.vos.ring.agent.DomainAgent;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.storage.protocol.StorageCalls;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.vos.storage.protocol.StorageFlags.O_RDONLY;
import static org.junit.jupiter.api.Assertions.*;

/** The storage calls through a real domain agent: its sessions are the descriptor tables' sessions. */
@Timeout(60)
class StorageAgentTest {

    @TempDir
    Path dir;

    @Test
    void agentSessions_haveTheirOwnDescriptors_closedWhenTheClientLeaves() throws Exception {
        Path root = Files.createDirectory(dir.resolve("export"));
        Path file = Files.writeString(root.resolve("f"), "agent");
        Path socket = dir.resolve("agent.sock");
        RingGeometry geometry = new RingGeometry(8, 4096, 200_000_000L);
        try (DomainAgent agent = DomainAgent.start(DomainAgent.Config.of("store", "storage", 1, socket,
                StorageRing.table(root)));
             AgentSession b = AgentSession.attach(socket, geometry, WaitStrategy.sleeping(), Duration.ofSeconds(5))) {
            AgentSession a = AgentSession.attach(socket, geometry, WaitStrategy.sleeping(), Duration.ofSeconds(5));
            long three = open(a.ring(), "f");
            assertEquals(3, StorageRing.index(three));
            assertEquals(4, StorageRing.index(open(a.ring(), "f")));
            assertEquals(-Errno.EBADF, StorageCalls.Fsync.call(b.ring(), three), "a's 3 is not b's");
            assertEquals(0, StorageCalls.Fsync.call(a.ring(), three));
            assertEquals(2, StorageRing.kernelDescriptorsOn(file));

            a.close();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (agent.sessions() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, agent.sessions());
            assertEquals(0, StorageRing.kernelDescriptorsOn(file),
                    "the agent ended a's session and closed its descriptors");
            assertEquals(3, StorageRing.index(open(b.ring(), "f")));
        }
    }

    private static long open(RingClient ring, String path) throws Exception {
        byte[] bytes = StorageRing.utf8(path);
        try (CallSlot slot = ring.acquire()) {
            slot.data().copyFrom(MemorySegment.ofArray(bytes));
            return StorageCalls.Open.call(slot, slot.dataOffset(), bytes.length, O_RDONLY, 0);
        }
    }
}
