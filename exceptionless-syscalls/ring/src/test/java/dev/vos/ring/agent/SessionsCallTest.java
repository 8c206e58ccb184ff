package dev.vos.ring.agent;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.SessionReport;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The agent's {@code SESSIONS} call: every client session's rows, prefixed with its session, pid and uid, paged
 * through a payload that holds a few dozen lines; answered to the supervisor's session only.
 */
@Timeout(60)
class SessionsCallTest {

    /** A payload of one page: 4096 bytes, so that 2 x 300 rows take many calls. */
    private static final RingGeometry SMALL = new RingGeometry(8, 4096, 1_000_000_000L);
    private static final int ROWS = 300;

    @TempDir
    Path dir;

    /** Session state that reports {@link #ROWS} rows. */
    private static final class Rows implements SessionReport, AutoCloseable {
        @Override
        public int reportSize() {
            return ROWS;
        }

        @Override
        public List<String> reportRows(int from, int count) {
            return IntStream.range(from, Math.min(ROWS, from + count)).mapToObj(i -> "row\t" + i).toList();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void theSupervisor_pagesThroughEverySessionsRows_othersAreRefused() throws Exception {
        AtomicReference<DomainAgent> self = new AtomicReference<>();
        CallTable table = CoreCallHandlers.register(CallTable.builder())
                .add(CoreCalls.SESSIONS, "sessions", call -> DomainAgent.sessionsCall(self::get, call))
                .sessionState(Rows::new).build();
        SupervisorToken token = SupervisorToken.issue(dir.resolve("token"));
        Path socket = dir.resolve("agent.sock");
        try (DomainAgent agent = DomainAgent.start(DomainAgent.Config.of("net9", "net", 1, socket, table)
                .withSupervisor(token, false))) {
            self.set(agent);
            try (AgentSession one = AgentSession.attach(socket, SMALL, WaitStrategy.sleeping(), Duration.ofSeconds(10));
                 AgentSession two = AgentSession.attach(socket, SMALL, WaitStrategy.sleeping(), Duration.ofSeconds(10));
                 AgentSession supervisor = AgentSession.attachAsSupervisor(socket, SMALL, token,
                         WaitStrategy.sleeping(), Duration.ofSeconds(10))) {
                try (CallSlot slot = one.ring().acquire()) {
                    assertEquals(-Errno.EPERM, slot.call(CoreCalls.SESSIONS, slot.dataOffset(), 4096, 0),
                            "a client never learns what another session holds");
                }
                List<String> rows = new ArrayList<>();
                int calls = 0;
                try (CallSlot slot = supervisor.ring().acquire()) {
                    assertEquals(-Errno.EINVAL, slot.call(CoreCalls.SESSIONS, slot.dataOffset(), 4096, -1));
                    assertEquals(-Errno.EOVERFLOW, slot.call(CoreCalls.SESSIONS, slot.dataOffset(), 5, 0),
                            "a payload that holds no whole line");
                    while (true) {
                        long n = slot.call(CoreCalls.SESSIONS, slot.dataOffset(), 4096, rows.size());
                        assertTrue(n >= 0, Errno.describe(n));
                        if (n == 0) {
                            break;
                        }
                        calls++;
                        String page = new String(slot.data().asSlice(0, n).toArray(ValueLayout.JAVA_BYTE),
                                StandardCharsets.UTF_8);
                        assertTrue(page.endsWith("\n"), "whole lines only");
                        page.lines().forEach(rows::add);
                    }
                }
                assertEquals(2 * ROWS, rows.size(), "every row once; the supervisor's own session reports none");
                assertTrue(calls >= 3, "paged: " + calls + " calls of 4096 bytes for about 15,000");
                // Same pid namespace: the pid is the client's, and no pidfd is kept (-1).
                String pidAndUid = "\t" + ProcessHandle.current().pid() + "\t" + Linux.getuid() + "\t-1\t";
                String first = rows.getFirst().substring(0, rows.getFirst().indexOf('\t'));
                String second = rows.get(ROWS).substring(0, rows.get(ROWS).indexOf('\t'));
                assertNotEquals(first, second, "two sessions");
                for (int i = 0; i < 2 * ROWS; i++) {
                    String session = i < ROWS ? first : second;
                    assertEquals(session + pidAndUid + "row\t" + (i % ROWS), rows.get(i), "row " + i);
                }
            }
        }
    }
}
