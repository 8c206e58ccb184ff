package dev.vos.ring.agent;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingFailure;
import dev.vos.ring.SegmentFiles;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.ServerOptions;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
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

import static org.junit.jupiter.api.Assertions.*;

/** The attach handshake with a domain agent: in this process, and with a real agent process that dies. */
@Timeout(60)
class DomainAgentTest {

    private static final RingGeometry SMALL = new RingGeometry(8, 4096, 200_000_000L);

    @TempDir
    Path dir;

    private DomainAgent agent(long generation) throws IOException {
        return DomainAgent.start(new DomainAgent.Config("store", "storage", generation, dir.resolve("agent.sock"),
                CoreCallHandlers.table(), ServerOptions.DEFAULT, false));
    }

    @Test
    void twoClients_eachGetsItsOwnRing_andLeavingEndsOnlyItsSession() throws Exception {
        try (DomainAgent agent = agent(7);
             AgentSession a = AgentSession.attach(dir.resolve("agent.sock"), SMALL, WaitStrategy.busyPoll(), false,
                     Duration.ofSeconds(5));
             AgentSession b = AgentSession.attach(dir.resolve("agent.sock"), SMALL, WaitStrategy.sleeping(), false,
                     Duration.ofSeconds(5))) {
            assertEquals(7, a.generation());
            assertEquals("store", a.domain());
            assertEquals("storage", a.kind());
            assertEquals(Linux.getpid(), a.ring().call(CoreCalls.GETPID));
            assertEquals(Linux.getpid(), b.ring().call(CoreCalls.GETPID));
            assertEquals(2, agent.sessions());
            Path aSegment = a.ring().file();
            a.close();
            waitFor(() -> agent.sessions() == 1);
            assertFalse(Files.exists(aSegment), "the segment of a finished session is removed");
            assertEquals(0, b.ring().call(CoreCalls.NOP), "the other client is unaffected");
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
        Path outside = dir.resolve("not-in-dev-shm");
        Files.write(outside, new byte[8192]);
        Path garbage = SegmentFiles.path("test", "agent-garbage");
        Files.write(garbage, new byte[8192]);
        try (DomainAgent agent = agent(3)) {
            assertTrue(raw("HELLO").startsWith("ERR expected 'ATTACH <segment path> [SUPERVISOR]'"));
            assertTrue(raw("ATTACH " + outside).contains("must be /dev/shm/vos-*"));
            assertTrue(raw("ATTACH /dev/shm/vos-../etc/passwd").startsWith("ERR"));
            assertTrue(raw("ATTACH " + SegmentFiles.path("test", "none")).contains("not a regular file"));
            assertTrue(raw("ATTACH " + garbage).contains("not a vos ring segment"));
            assertArrayEquals(new byte[8192], Files.readAllBytes(garbage), "a refused file is left as it was");
            try (AgentSession ok = AgentSession.attach(dir.resolve("agent.sock"), SMALL, WaitStrategy.busyPoll(), false,
                    Duration.ofSeconds(5))) {
                assertEquals(0, ok.ring().call(CoreCalls.NOP));
            }
        } finally {
            Files.deleteIfExists(garbage);
        }
    }

    @Test
    void noAgent_attachFailsAtOnceNamingTheSocket() {
        IOException e = assertThrows(IOException.class, () -> AgentSession.attach(dir.resolve("none.sock"), SMALL,
                WaitStrategy.busyPoll(), false, Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("none.sock"), e.getMessage());
    }

    @Test
    void agentProcessKilled_callsInFlightFailThroughTheLifeline_beforeAnyHeartbeatCouldTell() throws Exception {
        RingGeometry slowHeartbeat = new RingGeometry(64, 4096, 10_000_000_000L); // 10 s: the heartbeat cannot be it
        Process process = startAgentProcess("storage", 1, false);
        try (AgentSession session = AgentSession.attach(dir.resolve("agent.sock"), slowHeartbeat,
                WaitStrategy.spinThenPark(Duration.ofNanos(20_000)), false, Duration.ofSeconds(10));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            assertEquals(process.pid(), session.ring().call(CoreCalls.GETPID));
            List<Future<DomainFailedException>> reasons = new ArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
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
            Linux.kill(process.pid(), Linux.SIGKILL);
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
        } finally {
            process.destroyForcibly().waitFor();
        }
    }

    @Test
    void stats_reportCallsByKindServiceTimesAndSessions_ofAllSessions() throws Exception {
        Process process = startAgentProcess("storage", 1, false);
        try (AgentSession a = AgentSession.attach(dir.resolve("agent.sock"), SMALL, WaitStrategy.busyPoll(), false,
                Duration.ofSeconds(10));
             AgentSession b = AgentSession.attach(dir.resolve("agent.sock"), SMALL, WaitStrategy.busyPoll(), false,
                     Duration.ofSeconds(10))) {
            for (int i = 0; i < 1000; i++) {
                a.ring().call(CoreCalls.NOP);
            }
            for (int i = 0; i < 500; i++) {
                b.ring().call(CoreCalls.GETPID);
            }
            b.ring().call(4242); // unknown: ENOSYS, counted under its number's name
            DomainStats stats;
            try (var slot = b.ring().acquire()) {
                long bytes = slot.call(CoreCalls.STATS, slot.dataOffset(), slot.data().byteSize(), 0);
                assertTrue(bytes > 0, "STATS answered " + bytes);
                stats = DomainStats.decode(slot.data().asSlice(0, bytes));
            }
            assertEquals(2, stats.sessions());
            assertEquals(1000L, stats.callsByKind().get("nop"));
            assertEquals(500L, stats.callsByKind().get("getpid"));
            assertEquals(1501, stats.callsServed(), "the STATS call itself completes after it is counted");
            long sampled = java.util.Arrays.stream(stats.serviceTimeBuckets()).sum();
            assertTrue(sampled >= 1501 / 16 - 2 && sampled <= 1501 / 16 + 2, "1 in 16 calls is timed: " + sampled);
            assertTrue(stats.serviceTimeSumNs() > 0);
            assertEquals(1, stats.inFlight(), "the STATS call itself is in flight while it runs");
            try (var slot = b.ring().acquire()) {
                assertEquals(-dev.vos.sys.Errno.EOVERFLOW, slot.call(CoreCalls.STATS, slot.dataOffset(), 16, 0));
                assertEquals(-dev.vos.sys.Errno.EFAULT, slot.call(CoreCalls.STATS, -1, 16, 0));
            }
        } finally {
            process.destroyForcibly().waitFor();
        }
    }

    @Test
    void exitWithSupervisor_theAgentProcessExitsWhenTheSupervisorsSessionEnds() throws Exception {
        Process process = startAgentProcess("net", 2, true);
        try {
            AgentSession client = AgentSession.attach(dir.resolve("agent.sock"), SMALL, WaitStrategy.busyPoll(), false,
                    Duration.ofSeconds(10));
            AgentSession supervisor = AgentSession.attach(dir.resolve("agent.sock"), SMALL, WaitStrategy.busyPoll(),
                    true, Duration.ofSeconds(10));
            client.close();
            assertTrue(process.isAlive(), "an ordinary client leaving does not stop the agent");
            supervisor.close();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the agent must exit once its supervisor left");
            assertEquals(0, process.exitValue());
        } finally {
            process.destroyForcibly().waitFor();
        }
    }

    private Process startAgentProcess(String kind, long generation, boolean exitWithSupervisor) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx64m", "-cp",
                System.getProperty("java.class.path"), DomainAgentMain.class.getName(), "--name", "d", "--kind", kind,
                "--generation", Long.toString(generation), "--socket", dir.resolve("agent.sock").toString()));
        if (exitWithSupervisor) {
            command.add("--exit-with-supervisor");
        }
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(process.getInputStream())).readLine();
        assertNotNull(line, "the agent exited before listening");
        assertTrue(line.startsWith("agent d generation " + generation + " listening on"), line);
        return process;
    }

    /** Sends one request line the way a hostile or confused client would, and returns the agent's reply. */
    private String raw(String request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(dir.resolve("agent.sock")));
            AgentProtocol.readLine(channel);
            AgentProtocol.writeLine(channel, request);
            return AgentProtocol.readLine(channel);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not reached within 5 s");
            Thread.sleep(5);
        }
    }
}
