package dev.vos.ring.agent;

import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.*;

/** The agent's command line: what the control plane tells it at launch, and what it refuses. */
class DomainAgentMainTest {

    @TempDir
    Path dir;

    private String[] args(String... more) {
        String[] base = {"--name", "d", "--kind", "net", "--generation", "3", "--socket",
            dir.resolve("agent.sock").toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void theLaunchSettings_reachTheConfig() throws Exception {
        Path tokenFile = dir.resolve("supervisor.token");
        SupervisorToken token = SupervisorToken.issue(tokenFile);
        DomainAgent.Config config = DomainAgentMain.parse(args("--hang-timeout-ms", "750", "--admit-uid", "1000",
                "--admit-group", "2000", "--max-sessions-per-uid", "4", "--supervisor-token-file",
                tokenFile.toString(), "--exit-with-supervisor"));
        assertEquals(Duration.ofMillis(750), config.hangTimeout());
        assertEquals(new AgentAccess(1000, OptionalInt.of(2000), 4), config.access());
        assertTrue(config.supervisorToken().matches(token.text()));
        assertTrue(config.exitWithSupervisor());
    }

    @Test
    void withoutSettings_theDefaults() {
        DomainAgent.Config config = DomainAgentMain.parse(args());
        assertEquals(DomainAgent.Config.DEFAULT_HANG_TIMEOUT, config.hangTimeout());
        assertEquals(AgentAccess.owner(), config.access());
        assertNull(config.supervisorToken(), "no session can be the supervisor's");
    }

    @Test
    void badSettings_areRefusedNamingTheOption() {
        assertEquals("--admit-uid '4294967296' is out of range", assertThrows(IllegalArgumentException.class,
                () -> DomainAgentMain.parse(args("--admit-uid", "4294967296"))).getMessage(), "never cut to root");
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DomainAgentMain.parse(args("--hang-timeout-ms", "5"))).getMessage()
                .contains("hang timeout 5 ms"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DomainAgentMain.parse(args("--max-sessions-per-uid", "0"))).getMessage()
                .contains("maxSessionsPerUid=0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DomainAgentMain.parse(args(
                "--supervisor-token-file", dir.resolve("none").toString()))).getMessage()
                .startsWith("--supervisor-token-file: "));
    }

    @Test
    void aStandby_namesNoGeneration_andLearnsItFromItsPipeOnly() {
        String[] standby = {"--name", "d", "--kind", "net", "--socket", dir.resolve("agent.sock").toString(),
            "--standby-fd", "4"};
        DomainAgentMain.Arguments parked = DomainAgentMain.arguments(standby);
        assertEquals(4, parked.standbyFd());
        assertEquals(7, parked.promoted(7).config().generation());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DomainAgentMain.parse(args("--standby-fd", "4"))).getMessage().contains("no --generation"));
        String[] announced = java.util.Arrays.copyOf(standby, standby.length + 2);
        announced[standby.length] = "--parked-fd";
        announced[standby.length + 1] = "5";
        assertEquals(5, DomainAgentMain.arguments(announced).parkedFd());
        assertEquals(-1, parked.parkedFd());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DomainAgentMain.parse(args("--parked-fd", "5"))).getMessage().startsWith("--parked-fd is a"
                + " standby's"), "a generation has no such pipe");
    }

    @Test
    void theParkedLine_crossesARealPipe_andNothingElseCountsAsParked() {
        int[] pipe = Linux.pipe2(Linux.O_CLOEXEC);
        StandbyChannel.announceParked(pipe[1]); // closes the write end, as the standby does
        try {
            assertTrue(StandbyChannel.awaitParked(pipe[0]));
            assertFalse(StandbyChannel.awaitParked(pipe[0]), "after the line, end of file: not parked twice");
        } finally {
            Linux.close(pipe[0]);
        }
        int[] dead = Linux.pipe2(Linux.O_CLOEXEC);
        Linux.close(dead[1]); // the standby ended before it parked
        assertFalse(StandbyChannel.awaitParked(dead[0]));
        Linux.close(dead[0]);
        for (String hostile : new String[] {"PARKED", "PARKEDX\n", "parked\n", "PARKED \n", "\n",
            "P".repeat(200) + "\n"}) {
            int[] p = Linux.pipe2(Linux.O_CLOEXEC);
            try (Arena arena = Arena.ofConfined()) {
                byte[] bytes = hostile.getBytes(StandardCharsets.US_ASCII);
                MemorySegment buffer = arena.allocate(bytes.length);
                buffer.copyFrom(MemorySegment.ofArray(bytes));
                assertEquals(bytes.length, Linux.write(p[1], buffer));
                Linux.close(p[1]);
                assertFalse(StandbyChannel.awaitParked(p[0]), hostile);
            } finally {
                Linux.close(p[0]);
            }
        }
    }

    @Test
    void promotionLines_otherThanPromoteG_areRefused() {
        assertEquals(12, StandbyChannel.promotedGeneration("PROMOTE 12"));
        assertEquals("PROMOTE 12\n", StandbyChannel.promoteLine(12));
        for (String hostile : new String[] {"", "PROMOTE", "PROMOTE ", "PROMOTE 0", "PROMOTE -1", "PROMOTE +1",
            "PROMOTE 1 2", "promote 1", "PROMOTE  1", "PROMOTE 99999999999999999999", "PROMOTE 1\r",
            "PROMOTE \u0661"}) {
            assertThrows(IllegalArgumentException.class, () -> StandbyChannel.promotedGeneration(hostile), hostile);
        }
    }
}
