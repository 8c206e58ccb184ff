package dev.vos.ring.agent;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingFailure;
import dev.vos.ring.TestDescriptors;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/** The attach handshake with a domain agent: in this process, and with a real agent process that dies. */
@Timeout(60)
class DomainAgentTest {

    private static final RingGeometry SMALL = new RingGeometry(8, 4096, 200_000_000L);

    @TempDir
    Path dir;

    private DomainAgent agent(long generation) throws IOException {
        return DomainAgent.start(DomainAgent.Config.of("store", "storage", generation, dir.resolve("agent.sock"),
                CoreCallHandlers.table()));
    }

    private AgentSession attach(WaitStrategy wait) throws IOException {
        return AgentSession.attach(dir.resolve("agent.sock"), SMALL, wait, Duration.ofSeconds(10));
    }

    @Test
    void twoClients_eachGetsItsOwnRing_andLeavingEndsOnlyItsSession() throws Exception {
        try (DomainAgent agent = agent(7);
             AgentSession a = attach(WaitStrategy.busyPoll());
             AgentSession b = attach(WaitStrategy.sleeping())) {
            assertEquals(7, a.generation());
            assertEquals("store", a.domain());
            assertEquals("storage", a.kind());
            assertEquals(Linux.getpid(), a.ring().call(CoreCalls.GETPID));
            assertEquals(Linux.getpid(), b.ring().call(CoreCalls.GETPID));
            assertEquals(2, agent.sessions());
            a.close();
            waitFor(() -> agent.sessions() == 1);
            assertEquals(0, b.ring().call(CoreCalls.NOP), "the other client is unaffected");
        }
    }

    @Test
    void theGreetingAnnouncesTheHangTimeout_andTheClientsRingUsesIt() throws Exception {
        try (DomainAgent agent = DomainAgent.start(DomainAgent.Config.of("store", "storage", 1,
                dir.resolve("agent.sock"), CoreCallHandlers.table()).withHangTimeout(Duration.ofMillis(750)));
             AgentSession session = attach(WaitStrategy.sleeping());
             AgentSession own = AgentSession.attachWithOwnLiveness(dir.resolve("agent.sock"), SMALL,
                     WaitStrategy.sleeping(), Duration.ofSeconds(10))) {
            assertEquals(Duration.ofMillis(750), session.hangTimeout());
            assertEquals(750_000_000L, session.ring().geometry().livenessTimeoutNs(),
                    "one setting: the client judges the domain hung when the control plane does");
            assertEquals(SMALL.slotCount(), session.ring().geometry().slotCount());
            assertEquals(SMALL.livenessTimeoutNs(), own.ring().geometry().livenessTimeoutNs(), "a test's own");
        }
    }

    @Test
    void theAgentsSocket_isForItsOwnerOnly() throws Exception {
        try (DomainAgent agent = agent(1)) {
            assertEquals("rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("agent.sock"))));
        }
    }

    @Test
    void badAttachRequests_areRefusedWithTheReason_andTheAgentServesOn() throws Exception {
        Path plain = dir.resolve("plain-file");
        Files.write(plain, new byte[(int) SMALL.segmentBytes()]);
        try (DomainAgent agent = agent(3)) {
            assertTrue(refusal("HELLO", -1).startsWith("ERR expected 'ATTACH [SUPERVISOR <token>]'"));
            assertTrue(refusal("ATTACH /dev/shm/vos-x", -1).startsWith("ERR expected 'ATTACH"), "version 1's form");
            assertEquals("ERR expected one segment descriptor with ATTACH, got 0", refusal("ATTACH", -1));
            int file = TestDescriptors.open(plain);
            String answer = refusal("ATTACH", file);
            assertTrue(answer.contains("not a sealed memfd") || answer.contains("must be sealed"), answer);
            Linux.close(file);
            int unsealed = RawClient.unsealedSegment(SMALL);
            assertTrue(refusal("ATTACH", unsealed).contains("must be sealed with F_SEAL_SHRINK|F_SEAL_GROW"));
            Linux.close(unsealed);
            int otherGeneration = RawClient.sealedSegment(SMALL, 2);
            assertTrue(refusal("ATTACH", otherGeneration).contains("not for generation 3"));
            Linux.close(otherGeneration);
            try (AgentSession ok = attach(WaitStrategy.busyPoll())) {
                assertEquals(0, ok.ring().call(CoreCalls.NOP));
            }
            waitFor(() -> agent.sessions() == 0);
            assertEquals(6, agent.refusals(DomainAgent.Refusal.BAD_REQUEST));
        }
    }

    @Test
    void noAgent_attachFailsAtOnceNamingTheSocket() {
        IOException e = assertThrows(IOException.class, () -> AgentSession.attach(dir.resolve("none.sock"), SMALL,
                WaitStrategy.busyPoll(), Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("none.sock"), e.getMessage());
    }

    @Test
    void aStoppedAgent_attachFailsWithinTheTimeout() throws Exception {
        try (AgentProcess agent = AgentProcess.start(dir.resolve("agent.sock"), "storage", 1, List.of())) {
            Linux.kill(agent.pid(), Linux.SIGSTOP);
            long t0 = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> AgentSession.attach(dir.resolve("agent.sock"),
                    SMALL, WaitStrategy.sleeping(), Duration.ofMillis(500)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 3_000, "the attach gave up after " + ms + " ms: " + e.getMessage());
            Linux.kill(agent.pid(), Linux.SIGCONT);
        }
    }

    @Test
    void agentProcessKilled_callsInFlightFailThroughTheLifeline_beforeAnyHeartbeatCouldTell() throws Exception {
        try (AgentProcess agent = AgentProcess.start(dir.resolve("agent.sock"), "storage", 1, List.of(),
                "--hang-timeout-ms", "10000"); // 10 s: the heartbeat cannot be it
             AgentSession session = attach(WaitStrategy.spinThenPark(Duration.ofNanos(20_000)));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            assertEquals(agent.pid(), session.ring().call(CoreCalls.GETPID));
            List<Future<DomainFailedException>> reasons = new ArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            for (int t = 0; t < 16; t++) {
                reasons.add(threads.submit(() -> {
                    while (!stop.get()) {
                        try {
                            session.ring().call(CoreCalls.NOP);
                        } catch (DomainFailedException e) {
                            return e;
                        }
                    }
                    return null; // stopped by the test
                }));
            }
            Thread.sleep(50);
            long killedAt = System.nanoTime();
            Linux.kill(agent.pid(), Linux.SIGKILL);
            try {
                for (Future<DomainFailedException> r : reasons) {
                    DomainFailedException e = r.get(5, TimeUnit.SECONDS);
                    assertNotNull(e, "the call loop ended without a failure");
                    assertEquals(new RingFailure.LifelineClosed(), e.failure().orElseThrow());
                    assertTrue(e.getMessage().contains("agent closed the session"), e.getMessage());
                }
            } finally {
                stop.set(true);
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            assertTrue(ms < 2_000, "calls failed " + ms + " ms after the kill; the heartbeat timeout is 10 s");
        }
    }

    @Test
    void exitWithSupervisor_theAgentProcessExitsWhenTheSupervisorsSessionEnds() throws Exception {
        Path tokenFile = dir.resolve("supervisor.token");
        SupervisorToken token = SupervisorToken.issue(tokenFile);
        try (AgentProcess agent = AgentProcess.start(dir.resolve("agent.sock"), "net", 2, List.of(),
                "--supervisor-token-file", tokenFile.toString(), "--exit-with-supervisor")) {
            AgentSession client = attach(WaitStrategy.busyPoll());
            AgentSession supervisor = AgentSession.attachAsSupervisor(dir.resolve("agent.sock"), SMALL, token,
                    WaitStrategy.busyPoll(), Duration.ofSeconds(10));
            client.close();
            assertTrue(agent.process().isAlive(), "an ordinary client leaving does not stop the agent");
            supervisor.close();
            assertTrue(agent.process().waitFor(10, TimeUnit.SECONDS), "the agent must exit once its supervisor left");
            assertEquals(0, agent.process().exitValue());
        }
    }

    @Test
    void exitWithSupervisor_withoutAToken_isABadArgument() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                DomainAgentMain.class.getName(), "--name", "d", "--kind", "net", "--generation", "1", "--socket",
                dir.resolve("agent.sock").toString(), "--exit-with-supervisor").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("--exit-with-supervisor needs --supervisor-token-file"), out);
    }

    /** Sends one request the way a hostile or confused client would, and returns the agent's reply. */
    private String refusal(String request, int descriptor) throws IOException {
        try (RawClient raw = RawClient.connect(dir.resolve("agent.sock"))) {
            assertTrue(raw.greeting().startsWith("VOS-AGENT 2 store storage "), raw.greeting());
            return raw.send(request, descriptor);
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not reached within 5 s");
            Thread.sleep(5);
        }
    }
}
