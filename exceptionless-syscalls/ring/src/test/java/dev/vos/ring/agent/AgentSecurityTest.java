package dev.vos.ring.agent;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.Nobody;
import dev.vos.ring.RingSegment;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.ClientTestAccess;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.HeaderLayout;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;
import dev.vos.sys.SharedMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The attacks of the outside review on a domain agent, each as it was made, each now failing: a local user reading a
 * client's ring, a user the agent should not serve, a forged supervisor, one user exhausting the domain's
 * descriptors, a segment cut short, and a client's own figures poisoning the domain's. The cases that need another
 * user run one as {@code nobody} (skipped, saying why, when this JVM cannot switch users).
 */
@Timeout(180)
class AgentSecurityTest {

    private static final RingGeometry SMALL = new RingGeometry(8, 4096, 1_000_000_000L);

    @TempDir
    Path dir;

    private Path socket() {
        return dir.resolve("agent.sock");
    }

    private AgentSession attach() throws IOException {
        return AgentSession.attach(socket(), SMALL, WaitStrategy.sleeping(), Duration.ofSeconds(10));
    }

    /** The review: user nobody read the bytes of a ring segment (0644 in /dev/shm), and so a 0600 file's data. */
    @Test
    void aClientsSegment_hasNoNameAnywhere_andAnotherUserCannotReadIt() throws Exception {
        Nobody.assumeAvailable();
        String pid = "-" + ProcessHandle.current().pid() + "-";
        try (DomainAgent agent = DomainAgent.start(DomainAgent.Config.of("store", "storage", 1, socket(),
                CoreCallHandlers.table()));
             AgentSession session = attach();
             Stream<Path> shm = Files.list(Path.of("/dev/shm"))) {
            assertEquals(0, session.ring().call(CoreCalls.NOP));
            assertEquals(List.of(), shm.filter(p -> p.getFileName().toString().contains(pid)).toList(),
                    "no segment of this process has a name in /dev/shm");
            assertNull(session.ring().file());
            Path memfd = Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "fd",
                    Integer.toString(session.ring().segmentDescriptor()));
            assertTrue(Files.readSymbolicLink(memfd).toString().startsWith("/memfd:vos-store-g1-"),
                    Files.readSymbolicLink(memfd).toString());
            // Root (this process's user) reads it: the probe works. Another user cannot, by any path.
            assertEquals("VOSRING1", read(new ProcessBuilder("head", "-c", "8", memfd.toString())));
            Process probe = Nobody.command("head", "-c", "8", memfd.toString()).start();
            String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertNotEquals(0, probe.waitFor(), "nobody read the segment: " + out);
            assertFalse(out.contains("VOSRING1"), out);
        }
    }

    /** The agent checks who connected, whatever the socket's mode: here one made reachable by anyone. */
    @Test
    void aUserTheAgentDoesNotAdmit_isRefusedByItsPeerCredentials() throws Exception {
        Nobody.assumeAvailable();
        try (DomainAgent agent = DomainAgent.start(DomainAgent.Config.of("store", "storage", 1, socket(),
                CoreCallHandlers.table()))) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
            String out = read(Nobody.java(ProbeClient.class, socket().toString()));
            assertTrue(out.startsWith("REFUSED ") && out.contains("permission denied: uid 65534 may not attach"),
                    out);
            assertEquals(1, agent.refusals(DomainAgent.Refusal.NOT_ADMITTED));
            assertEquals(0, agent.sessions());
        }
    }

    @Test
    void aMemberOfTheAdmittedGroup_attaches_throughASocketOfThatGroup() throws Exception {
        Nobody.assumeAvailable();
        DomainAgent.Config config = DomainAgent.Config.of("store", "storage", 1, socket(), CoreCallHandlers.table())
                .withAccess(AgentAccess.owner().withGroup(Nobody.UID));
        try (DomainAgent agent = DomainAgent.start(config)) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())));
            assertEquals(Nobody.UID, Files.getAttribute(socket(), "unix:gid"));
            String out = read(Nobody.java(ProbeClient.class, socket().toString()));
            assertEquals("ATTACHED " + ProcessHandle.current().pid(), out.strip());
        }
    }

    /**
     * The review: {@code ATTACH <segment> SUPERVISOR}, then close, and the agent exited 0 (four rounds drove the
     * domain to FAILED). Now a claim without the control plane's token is refused, logged, and changes nothing.
     */
    @Test
    void aForgedSupervisorClaim_isRefused_andTheAgentServesOn() throws Exception {
        Path tokenFile = dir.resolve("supervisor.token");
        SupervisorToken token = SupervisorToken.issue(tokenFile);
        Path log = dir.resolve("agent.log");
        try (AgentProcess agent = AgentProcess.start(socket(), "fdhog", 1, List.of(),
                ProcessBuilder.Redirect.to(log.toFile()), "--supervisor-token-file", tokenFile.toString(),
                "--exit-with-supervisor");
             AgentSession bystander = attach()) {
            String[] forgeries = {"ATTACH SUPERVISOR " + "0".repeat(64), "ATTACH SUPERVISOR guess",
                "ATTACH SUPERVISOR " + token.text().substring(0, 63) + "x", "ATTACH SUPERVISOR " + token.text() + "0"};
            for (String forged : forgeries) {
                int segment = RawClient.sealedSegment(SMALL, 1);
                try (RawClient raw = RawClient.connect(socket())) {
                    String answer = raw.send(forged, segment);
                    assertTrue(answer.startsWith("ERR not the supervisor"), answer);
                } finally {
                    Linux.close(segment);
                }
            }
            Thread.sleep(500);
            assertTrue(agent.process().isAlive(), "a forged claim stopped the agent");
            assertEquals(0, bystander.ring().call(CoreCalls.NOP), "the other client is served on");
            String logged = Files.readString(log);
            assertTrue(logged.contains("NOT_SUPERVISOR #1") && logged.contains("NOT_SUPERVISOR #4"), logged);
            assertFalse(logged.contains(token.text()), "the token is never logged");
            // The real supervisor still holds its role: its leaving ends the agent.
            AgentSession supervisor = AgentSession.attachAsSupervisor(socket(), SMALL, token, WaitStrategy.sleeping(),
                    Duration.ofSeconds(10));
            supervisor.close();
            assertTrue(agent.process().waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, agent.process().exitValue());
        }
    }

    @Test
    void anAgentWithoutAToken_refusesEverySupervisorClaim() throws Exception {
        try (DomainAgent agent = DomainAgent.start(DomainAgent.Config.of("store", "storage", 1, socket(),
                CoreCallHandlers.table()))) {
            int segment = RawClient.sealedSegment(SMALL, 1);
            try (RawClient raw = RawClient.connect(socket())) {
                assertTrue(raw.send("ATTACH SUPERVISOR anything", segment).startsWith("ERR not the supervisor"));
            } finally {
                Linux.close(segment);
            }
            assertEquals(1, agent.refusals(DomainAgent.Refusal.NOT_SUPERVISOR));
        }
    }

    /**
     * The review: 17 sessions x 1024 descriptors exhausted the domain's descriptors, the next accept failed and the
     * agent stopped. Now one user holds at most 16 sessions, and another user still attaches and is served.
     */
    @Test
    void oneUserAtItsCapOf16SessionsOf1024Descriptors_leavesRoomForAnother() throws Exception {
        Nobody.assumeAvailable();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<AgentSession> hog = new ArrayList<>();
        try (AgentProcess agent = AgentProcess.start(socket(), "fdhog", 1, List.of("prlimit", "--nofile=17000",
                "--"), "--admit-group", Integer.toString(Nobody.UID))) {
            try {
                for (int i = 0; i < AgentAccess.DEFAULT_MAX_SESSIONS_PER_UID; i++) {
                    AgentSession session = attach();
                    hog.add(session);
                    for (int d = 1; d <= FdHogCalls.MAX_PER_SESSION; d++) {
                        assertEquals(d, session.ring().call(FdHogCalls.OPEN), "session " + i);
                    }
                    assertEquals(-Errno.EMFILE, session.ring().call(FdHogCalls.OPEN), "the cap per session");
                }
                IOException over = assertThrows(IOException.class, this::attach);
                assertTrue(over.getMessage().contains("too many sessions: uid 0 holds 16"), over.getMessage());
                assertTrue(agent.descriptors() > 16 * 1024, "the user holds " + agent.descriptors());
                String out = read(Nobody.java(ProbeClient.class, socket().toString()));
                assertEquals("ATTACHED " + agent.pid(), out.strip(), "another user attaches and is served");
                assertEquals(0, hog.getFirst().ring().call(CoreCalls.NOP));
            } finally {
                for (AgentSession s : hog) {
                    s.close();
                }
            }
            assertTrue(agent.process().isAlive());
        }
    }

    /** An accept that fails (here EMFILE: the process is out of descriptors) is waited out, never the agent's end. */
    @Test
    void anAcceptThatFailsForWantOfDescriptors_isRetried_andTheAgentLivesOn() throws Exception {
        Path log = dir.resolve("agent.log");
        try (AgentProcess agent = AgentProcess.start(socket(), "fdhog", 1, List.of("prlimit", "--nofile=400", "--"),
                ProcessBuilder.Redirect.to(log.toFile()))) {
            try (AgentSession warm = attach()) { // loads what a session needs while descriptors are there
                assertEquals(1, warm.ring().call(FdHogCalls.OPEN));
            }
            AgentSession hog = attach();
            long last;
            do {
                last = hog.ring().call(FdHogCalls.OPEN);
            } while (last > 0);
            assertEquals(-Errno.EMFILE, last, "the domain is out of descriptors");
            CompletableFuture<String> late = CompletableFuture.supplyAsync(() -> attachAndCall(20));
            // Generous: on a loaded CI machine the late attach's first accept has come after 11.9 s.
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(log).contains("failed with EMFILE") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(Files.readString(log).contains("failed with EMFILE"), Files.readString(log));
            assertTrue(agent.process().isAlive(), "the agent stopped on an accept error");
            hog.close(); // its descriptors go back; the waiting connection is accepted at the next try
            // That connection is served, or refused with the reason if it came while descriptors were still scarce.
            String first = late.get(30, TimeUnit.SECONDS);
            assertTrue(first.equals("served " + agent.pid()) || first.contains("out of descriptors (EMFILE)"), first);
            // The hog's descriptors go back when the agent has ended its session, which it does after the close
            // reaches it: until then an attach is refused with the reason, and one soon after is served.
            String next = attachAndCall(20);
            for (long until = System.nanoTime() + 30_000_000_000L;
                 next.contains("out of descriptors (EMFILE)") && System.nanoTime() < until; next = attachAndCall(20)) {
                Thread.sleep(50);
            }
            assertEquals("served " + agent.pid(), next);
        }
    }

    private String attachAndCall(int timeoutSeconds) {
        try (AgentSession s = AgentSession.attach(socket(), SMALL, WaitStrategy.sleeping(),
                Duration.ofSeconds(timeoutSeconds))) {
            return "served " + s.ring().call(CoreCalls.GETPID);
        } catch (IOException e) {
            return "failed " + e.getMessage();
        }
    }

    /**
     * The review: a client truncated its segment, the server faulted, the session's cleanup was skipped: 3,000 fds
     * leaked after 1,000 rounds, and STATS answered EIO to everyone. A sealed segment cannot be cut short at all,
     * and 200 rounds of attach, try to truncate, leave leave the agent as it was.
     */
    @Test
    void twoHundredRoundsOfAttachTruncateLeave_leaveTheAgentsDescriptorsFlat_andOthersServed() throws Exception {
        try (AgentProcess agent = AgentProcess.start(socket(), "fdhog", 1, List.of());
             AgentSession bystander = attach()) {
            try (AgentSession warm = attach()) {
                warm.ring().call(FdHogCalls.OPEN);
            }
            long before = settled(agent);
            for (int round = 0; round < 200; round++) {
                AgentSession session = attach();
                for (int d = 0; d < 5; d++) {
                    session.ring().call(FdHogCalls.OPEN);
                }
                int memfd = session.ring().segmentDescriptor();
                assertEquals(-Errno.EPERM, SharedMemory.ftruncate(memfd, 0), "sealed against shrinking");
                assertEquals(-Errno.EPERM, SharedMemory.ftruncate(memfd, SMALL.segmentBytes() * 2), "and growing");
                session.close();
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (descriptors(agent) > before && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(before, descriptors(agent), "the agent's descriptors after 200 rounds");
            assertEquals(0, bystander.ring().call(CoreCalls.NOP));
            try (CallSlot slot = bystander.ring().acquire()) {
                long bytes = slot.call(CoreCalls.STATS, slot.dataOffset(), slot.data().byteSize(), 0);
                assertTrue(bytes > 0, "STATS answered " + Errno.describe(bytes));
            }
        }
    }

    /**
     * The review: STATS showed every client every session's calls; and a client that wrote {@code Long.MIN_VALUE /
     * 2} into its own header's counters made the supervisor stop polling the domain's figures. A client now sees its
     * own session alone; the supervisor sees everything, from counters only the server writes.
     */
    @Test
    void stats_aClientSeesItsOwnSession_theSupervisorTheDomain_andNoClientPoisonsThem() throws Exception {
        Path tokenFile = dir.resolve("supervisor.token");
        SupervisorToken token = SupervisorToken.issue(tokenFile);
        try (AgentProcess agent = AgentProcess.start(socket(), "fdhog", 1, List.of(), "--supervisor-token-file",
                tokenFile.toString());
             AgentSession a = attach();
             AgentSession b = attach();
             AgentSession supervisor = AgentSession.attachAsSupervisor(socket(), SMALL, token,
                     WaitStrategy.sleeping(), Duration.ofSeconds(10))) {
            RingSegment poisoned = ClientTestAccess.segment(a.ring());
            for (int offset : new int[] {HeaderLayout.WORKER_WAKEUPS_OFFSET, HeaderLayout.CALLS_SERVED_OFFSET,
                HeaderLayout.PROTOCOL_ERRORS_OFFSET, HeaderLayout.CLIENT_WAKEUPS_OFFSET}) {
                poisoned.setLongVolatile(offset, Long.MIN_VALUE / 2);
            }
            for (int i = 0; i < 1000; i++) {
                a.ring().call(CoreCalls.NOP);
            }
            for (int i = 0; i < 500; i++) {
                b.ring().call(CoreCalls.GETPID);
            }
            assertEquals(-Errno.ENOSYS, b.ring().call(4242));

            DomainStats ofA = stats(a);
            assertEquals(1, ofA.sessions());
            assertEquals(java.util.Map.of("nop", 1000L), ofA.callsByKind(), "a sees nothing of b");
            assertEquals(java.util.Map.of(), ofA.errorsByErrno(), "nor b's error");
            DomainStats ofB = stats(b);
            assertEquals(1, ofB.sessions());
            assertEquals(java.util.Map.of("getpid", 500L), ofB.callsByKind(), "(4242 is past the table: not by kind)");
            assertEquals(501, ofB.callsServed());
            assertEquals(java.util.Map.of("ENOSYS", 1L), ofB.errorsByErrno(), "the unknown call, by its answer");

            DomainStats all = stats(supervisor);
            assertEquals(3, all.sessions());
            assertEquals(1000L, all.callsByKind().get("nop"));
            assertEquals(500L, all.callsByKind().get("getpid"));
            assertEquals(2L, all.callsByKind().get("stats"), "a's and b's (the asking call completes after)");
            assertEquals(1503, all.callsServed());
            assertEquals(java.util.Map.of("ENOSYS", 1L), all.errorsByErrno());
            for (long figure : new long[] {all.callsServed(), all.protocolErrors(), all.workerWakeups(),
                all.clientWakeups(), all.inFlight(), all.serviceTimeSumNs(), all.bytesRead(), all.bytesWritten(),
                all.callsDeferred(), all.batchSubmissions()}) {
                assertTrue(figure >= 0 && figure < 1_000_000_000L, "a poisoned figure: " + all);
            }
            long sampled = java.util.Arrays.stream(all.serviceTimeBuckets()).sum();
            assertTrue(sampled >= 1503 / 16 - 3 && sampled <= 1503 / 16 + 3, "1 in 16 calls is timed: " + sampled);
            assertEquals(1, all.inFlight(), "the STATS call itself is in flight while it runs");
            try (CallSlot slot = b.ring().acquire()) {
                assertEquals(-Errno.EOVERFLOW, slot.call(CoreCalls.STATS, slot.dataOffset(), 16, 0));
                assertEquals(-Errno.EFAULT, slot.call(CoreCalls.STATS, -1, 16, 0));
            }
        }
    }

    private static DomainStats stats(AgentSession session) throws IOException {
        try (CallSlot slot = session.ring().acquire()) {
            long bytes = slot.call(CoreCalls.STATS, slot.dataOffset(), slot.data().byteSize(), 0);
            assertTrue(bytes > 0, "STATS answered " + Errno.describe(bytes));
            return DomainStats.decode(slot.data().asSlice(0, bytes));
        }
    }

    private static long descriptors(AgentProcess agent) {
        try {
            return agent.descriptors();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The agent's descriptor count once it stops changing (a session that just ended is released). */
    private static long settled(AgentProcess agent) throws InterruptedException {
        long last = -1;
        long now = descriptors(agent);
        while (now != last) {
            Thread.sleep(200);
            last = now;
            now = descriptors(agent);
        }
        return now;
    }

    private static String read(ProcessBuilder command) throws Exception {
        Process p = command.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running: " + command.command());
        return out;
    }
}
