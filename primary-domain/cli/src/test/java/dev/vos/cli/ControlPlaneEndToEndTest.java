package dev.vos.cli;

import dev.vos.client.DescriptorLostException;
import dev.vos.client.DomainClient;
import dev.vos.client.DomainUnavailableException;
import dev.vos.client.fs.VosFileSystemProvider;
import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.journal.EventType;
import dev.vos.controlplane.journal.Journal;
import dev.vos.controlplane.journal.JournalEvent;
import dev.vos.controlplane.spec.HostSpec;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The control plane with real domain processes: faults injected with real signals under load from many virtual
 * threads, restart policy, the journal across a control-plane restart, the CLI over the control socket, metrics.
 */
@Timeout(180)
class ControlPlaneTest {

    /** The bound promised for in-flight calls when a domain dies: the session lifeline reports it at once. */
    private static final long DEATH_BOUND_MS = 1_000;

    @TempDir
    Path dir;
    private Path specFile;
    private ControlPlane plane;

    @BeforeEach
    void spec() throws Exception {
        Files.createDirectories(dir.resolve("export"));
        specFile = dir.resolve("host.yaml");
        Files.writeString(specFile, """
                version: 1
                controlPlane:
                  stateDir: ./state
                  metricsPort: 0
                supervisor:
                  intensity: 3
                  periodSeconds: 60
                  backoff:
                    initialMs: 50
                    maxMs: 1000
                  hangTimeoutMs: 300
                domains:
                  - name: storage0
                    kind: storage
                    backend: process
                    resources:
                      memoryMb: 64
                    storage:
                      exportRoot: ./export
                  - name: net0
                    kind: net
                    backend: process
                    resources:
                      memoryMb: 64
                    net:
                      bind: [127.0.0.1]
                """);
    }

    @AfterEach
    void down() throws Exception {
        if (plane != null) {
            plane.close();
        }
    }

    private ControlPlane up() throws Exception {
        plane = ControlPlane.start(SpecParser.parse(specFile),
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        return plane;
    }

    @Test
    void sigkillUnderLoad_inFlightCallsFailFast_theDomainComesBack_theOtherDomainNeverNotices() throws Exception {
        up();
        assertRunning("storage0", 1);
        assertRunning("net0", 1);
        try (DomainClient storage = DomainClient.forDomain(plane.stateDir(), "storage0", DomainClient.Options.DEFAULT);
             DomainClient net = DomainClient.forDomain(plane.stateDir(), "net0", DomainClient.Options.DEFAULT);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            assertEquals(0, storage.call(CoreCalls.NOP));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong netErrors = new AtomicLong();
            AtomicLong netCalls = new AtomicLong();
            for (int t = 0; t < 8; t++) {
                threads.submit(() -> {
                    while (!stop.get()) {
                        try {
                            net.call(CoreCalls.NOP);
                            netCalls.incrementAndGet();
                        } catch (DomainFailedException e) {
                            netErrors.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            AtomicLong killedAt = new AtomicLong();
            AtomicLong inFlightFailures = new AtomicLong();
            CountDownLatch everyCallerServed = new CountDownLatch(32);
            List<Future<Long>> storageThreads = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                storageThreads.add(threads.submit(() -> {
                    // Until a call succeeds on generation 2: how long after the kill this thread learned of it
                    // (its call in flight failed, or its next call was refused at once), -1 if it never did (it
                    // was not scheduled during the outage: legal, with 40 virtual threads on 2 carriers).
                    long learnedAfterNs = -1;
                    boolean served = false;
                    while (!stop.get()) {
                        try {
                            storage.call(CoreCalls.NOP);
                            if (storage.generation() == 2) {
                                return learnedAfterNs;
                            }
                            if (!served) {
                                served = true;
                                everyCallerServed.countDown();
                            }
                        } catch (DomainFailedException e) {
                            if (e instanceof DomainUnavailableException) {
                                Thread.sleep(5); // down: nothing was sent; try again shortly
                            } else {
                                inFlightFailures.incrementAndGet();
                            }
                            if (learnedAfterNs < 0 && killedAt.get() != 0) {
                                learnedAfterNs = System.nanoTime() - killedAt.get();
                            }
                        }
                    }
                    return learnedAfterNs;
                }));
            }
            Future<Long> held;
            long netCallsAtKill;
            try {
                // On a starved machine, 200 ms was not always enough for 40 virtual threads to start.
                assertTrue(everyCallerServed.await(30, TimeUnit.SECONDS), "every storage caller was served");
                held = callHeldByTheDomain(threads, storage, killedAt);
                Thread.sleep(200);
                netCallsAtKill = netCalls.get();
                killedAt.set(System.nanoTime());
                plane.handle(new Command.Kill("storage0", 9));
                for (Future<Long> f : storageThreads) {
                    long learnedAfterMs = TimeUnit.NANOSECONDS.toMillis(f.get(60, TimeUnit.SECONDS));
                    assertTrue(learnedAfterMs <= DEATH_BOUND_MS, "a caller learned of the death " + learnedAfterMs
                            + " ms after the kill; bound " + DEATH_BOUND_MS);
                }
            } finally {
                stop.set(true); // whatever happened, the callers end, so the executor can close
            }
            long heldFailedAfterMs = TimeUnit.NANOSECONDS.toMillis(held.get(60, TimeUnit.SECONDS));
            assertTrue(heldFailedAfterMs <= DEATH_BOUND_MS, "the call held in flight failed " + heldFailedAfterMs
                    + " ms after the kill; bound " + DEATH_BOUND_MS + " (NOPs that failed in flight: "
                    + inFlightFailures.get() + ")");
            assertEquals(0, netErrors.get(), "net0's clients must never notice storage0's death");
            assertTrue(netCalls.get() > netCallsAtKill, "net0 kept serving while storage0 was down: "
                    + netCalls.get() + " calls, " + netCallsAtKill + " of them before the kill");
        }
        DomainStatus s = assertRunning("storage0", 2);
        assertEquals(1, s.restarts());
        assertEquals("killed by SIGKILL", s.lastExit());
        assertRunning("net0", 1);
        List<EventType> storageEvents = events(e -> e.domain().equals("storage0")).stream().map(JournalEvent::type)
                .toList();
        assertEquals(List.of(EventType.DOMAIN_STARTING, EventType.DOMAIN_RUNNING, EventType.OPERATOR_KILL,
                EventType.DOMAIN_EXITED, EventType.DOMAIN_RESTART_SCHEDULED, EventType.DOMAIN_STARTING,
                EventType.DOMAIN_RUNNING), storageEvents);
    }

    /**
     * Sends a call the domain cannot have answered when it dies: SLEEP holds a worker for 10 s. The NOPs under load
     * do not promise one: on a starved machine the domain answered every NOP in flight while their callers waited
     * for a carrier, and each caller saw its answer, then a refusal of its next call (CI, 2026-12-07). Returns once
     * the call is being sent; the future is how long after {@code killedAt} it failed in flight.
     */
    private static Future<Long> callHeldByTheDomain(ExecutorService threads, DomainClient storage, AtomicLong killedAt)
            throws InterruptedException {
        CountDownLatch calling = new CountDownLatch(1);
        Future<Long> held = threads.submit(() -> {
            calling.countDown();
            try {
                storage.call(CoreCalls.SLEEP, TimeUnit.SECONDS.toNanos(10), 0, 0, 0, 0, 0);
                return fail("the call held by the domain returned, though the domain was killed under it");
            } catch (DomainUnavailableException e) {
                return fail("the call held by the domain was refused before it was sent: " + e.getMessage());
            } catch (DomainFailedException e) {
                return System.nanoTime() - killedAt.get();
            }
        });
        assertTrue(calling.await(30, TimeUnit.SECONDS), "the held call is being sent");
        return held;
    }

    @Test
    void descriptorsOfADeadGeneration_areLost_andSaySo_neverNameAFileOfTheNext() throws Exception {
        up();
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("vos://storage0/"),
                Map.of(VosFileSystemProvider.ENV_STATE_DIR, plane.stateDir()))) {
            Files.writeString(fs.getPath("/old.txt"), "old generation");
            Files.writeString(fs.getPath("/new.txt"), "new generation");
            // Each session numbers its descriptors from 3, never reusing one: the two writes had 3 and 4, so this
            // channel holds generation 1's descriptor 5 (a number generation 2's session hands out too, in time).
            try (FileChannel old = FileChannel.open(fs.getPath("/old.txt"))) {
                assertEquals(3, old.read(ByteBuffer.allocate(3)));
                plane.handle(new Command.Kill("storage0", 9));
                assertRunning("storage0", 2);
                // Generation 2's session gives its first descriptor, 3 again, to another file.
                try (FileChannel fresh = openOnceServing(fs.getPath("/new.txt"))) {
                    DescriptorLostException e = assertThrows(DescriptorLostException.class,
                            () -> old.read(ByteBuffer.allocate(64)), "never the bytes of new.txt");
                    assertEquals("storage domain storage0 restarted (generation 1 -> 2): this channel's descriptor"
                            + " ended with generation 1; open the file again", e.getMessage());
                    ByteBuffer bytes = ByteBuffer.allocate(64);
                    fresh.read(bytes);
                    assertEquals("new generation", new String(bytes.array(), 0, bytes.position(),
                            StandardCharsets.UTF_8));
                }
            } // closing a channel whose descriptor is lost sends nothing and does not throw
            assertEquals("old generation", Files.readString(fs.getPath("/old.txt")), "paths work again");
        }
    }

    /** Opens {@code path}, retrying while the client has not bound to the domain's new generation yet. */
    private static FileChannel openOnceServing(Path path) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                return FileChannel.open(path);
            } catch (DomainFailedException e) {
                assertTrue(System.nanoTime() < deadline, e.getMessage());
                Thread.sleep(10);
            }
        }
    }

    @Test
    void sigstop_theHangIsSeenThroughTheHeartbeat_theDomainIsKilledAndRestarted() throws Exception {
        up();
        try (DomainClient storage = DomainClient.forDomain(plane.stateDir(), "storage0",
                DomainClient.Options.DEFAULT)) {
            assertEquals(0, storage.call(CoreCalls.NOP));
            plane.handle(new Command.Kill("storage0", 19));
            waitFor(() -> plane.ps().getFirst().generation() == 2
                    && plane.ps().getFirst().state() == DomainState.RUNNING, 30_000);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                try {
                    assertEquals(0, storage.call(CoreCalls.NOP));
                    break;
                } catch (DomainFailedException e) {
                    assertTrue(System.nanoTime() < deadline, "the client did not follow to generation 2: " + e);
                    Thread.sleep(10);
                }
            }
            assertEquals(2, storage.generation());
        }
        List<JournalEvent> hung = events(e -> e.type() == EventType.DOMAIN_HUNG);
        assertEquals(1, hung.size());
        assertTrue(hung.getFirst().detail().contains("no heartbeat"), hung.getFirst().detail());
        assertEquals("killed by SIGKILL", plane.ps().getFirst().lastExit());
    }

    @Test
    void crashLoop_endsInFailedPerPolicy_andStaysUntilAnOperatorRestarts() throws Exception {
        up();
        for (int generation = 1; generation <= 4; generation++) {
            long g = generation;
            waitFor(() -> plane.ps().getFirst().generation() == g
                    && plane.ps().getFirst().state() == DomainState.RUNNING, 30_000);
            plane.handle(new Command.Kill("storage0", 9));
        }
        waitFor(() -> plane.ps().getFirst().state() == DomainState.FAILED, 30_000);
        Thread.sleep(500);
        DomainStatus failed = plane.ps().getFirst();
        assertEquals(DomainState.FAILED, failed.state(), "FAILED stays until an operator acts");
        assertEquals(4, failed.generation());
        assertTrue(failed.reason().contains("more than 3 restarts within 60 s"), failed.reason());
        assertEquals(1, events(e -> e.type() == EventType.DOMAIN_FAILED).size());
        assertEquals(DomainState.RUNNING, plane.ps().get(1).state(), "one_for_one: net0 is untouched");
        plane.handle(new Command.Restart("storage0"));
        assertRunning("storage0", 5);
    }

    @Test
    void theJournalSurvivesAControlPlaneRestart_andGenerationsAreNeverReused() throws Exception {
        up();
        plane.handle(new Command.Kill("storage0", 9));
        waitFor(() -> plane.ps().getFirst().generation() == 2 && plane.ps().getFirst().state() == DomainState.RUNNING,
                30_000);
        plane.close();
        plane = null;
        up();
        assertRunning("storage0", 3);
        List<JournalEvent> all = events(e -> true);
        assertEquals(2, all.stream().filter(e -> e.type() == EventType.CONTROL_PLANE_STARTED).count());
        assertEquals(1, all.stream().filter(e -> e.type() == EventType.CONTROL_PLANE_STOPPED).count());
        assertTrue(all.stream().anyMatch(e -> e.type() == EventType.DOMAIN_EXITED && e.generation() == 1
                && e.detail().startsWith("killed by SIGKILL")));
    }

    @Test
    void cli_talksToTheRunningControlPlaneOverAnOwnerOnlySocket() throws Exception {
        up();
        Path state = plane.stateDir();
        assertEquals("rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("control.sock"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
        String ps = cli(0, "ps", "--state-dir", state.toString());
        assertTrue(ps.lines().findFirst().orElseThrow().startsWith("NAME"), ps);
        assertTrue(ps.lines().anyMatch(l -> l.startsWith("storage0") && l.contains("RUNNING")), ps);
        assertTrue(cli(0, "kill", "storage0", "--signal", "KILL", "--state-dir", state.toString())
                .contains("sent SIGKILL to storage0"));
        waitFor(() -> plane.ps().getFirst().generation() == 2 && plane.ps().getFirst().state() == DomainState.RUNNING,
                30_000);
        assertTrue(cli(0, "events", "-n", "3", "--state-dir", state.toString()).contains("DOMAIN_RUNNING"));
        assertTrue(cli(0, "logs", "storage0", "--state-dir", state.toString())
                .contains("generation 2 of storage0 starting"));
        assertTrue(cli(1, "restart", "nosuch", "--state-dir", state.toString()).contains("no domain named 'nosuch'"));
        assertTrue(cli(2, "kill", "storage0", "--signal", "KIL", "--state-dir", state.toString())
                .contains("unknown signal 'KIL'"));
        assertTrue(cli(0, "stop", "net0", "--state-dir", state.toString()).contains("net0 stopped"));
        assertEquals(DomainState.STOPPED, plane.ps().get(1).state());
        assertTrue(cli(1, "kill", "net0", "--state-dir", state.toString()).contains("has no running process"));
        assertTrue(cli(1, "ps", "--state-dir", dir.resolve("nowhere").toString())
                .contains("no control plane is running"));
    }

    @Test
    void aSecondControlPlaneOnTheSameStateDirectory_isRefused() throws Exception {
        up();
        HostSpec same = SpecParser.parse(specFile);
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> ControlPlane.start(same, new java.io.PrintStream(java.io.OutputStream.nullOutputStream())));
        assertTrue(e.getMessage().contains("another control plane is running"), e.getMessage());
        assertRunning("storage0", 1);
    }

    @Test
    void malformedSpec_isRefusedNamingLineAndField_andNothingStarts() throws Exception {
        Files.writeString(specFile, Files.readString(specFile).replace("kind: net", "kind: nett")
                .replace("memoryMb: 64\n    storage", "memoryMb: lots\n    storage"));
        String err = cli(2, "up", specFile.toString());
        assertTrue(err.contains("nothing was started"), err);
        assertTrue(err.matches("(?s).*host\\.yaml:\\d+:\\d+: domains\\[0\\]\\.resources\\.memoryMb.*"), err);
        assertTrue(err.matches("(?s).*host\\.yaml:\\d+:\\d+: domains\\[1\\]\\.kind.*'nett'.*"), err);
        assertFalse(Files.exists(dir.resolve("state")), "a refused spec must not create anything");
    }

    @Test
    void metrics_areServedInPrometheusFormatOnLoopback() throws Exception {
        up();
        try (DomainClient storage = DomainClient.forDomain(plane.stateDir(), "storage0",
                DomainClient.Options.DEFAULT)) {
            for (int i = 0; i < 3000; i++) {
                storage.call(CoreCalls.GETPID);
            }
        }
        Thread.sleep(1_500); // the supervisor reads the domain's figures once a second
        String ring = scrape();
        assertTrue(ring.lines().anyMatch(l -> l.startsWith("vos_ring_calls_total{") && l.contains("domain=\"storage0\"")
                && l.contains("kind=\"getpid\"") && l.endsWith(" 3000.0")), ring);
        assertTrue(ring.lines().anyMatch(l -> l.startsWith("vos_ring_call_service_seconds_bucket{")
                && l.contains("storage0") && l.contains("le=\"+Inf\"")), ring);
        assertTrue(ring.contains("vos_ring_calls_in_flight{domain=\"storage0\"}"), ring);
        plane.handle(new Command.Kill("storage0", 9));
        waitFor(() -> plane.ps().getFirst().generation() == 2 && plane.ps().getFirst().state() == DomainState.RUNNING,
                30_000);
        String body = scrape();
        assertTrue(body.contains("vos_domain_up{domain=\"storage0\"} 1"), body);
        assertTrue(body.contains("vos_domain_generation{domain=\"storage0\"} 2"), body);
        assertTrue(body.lines().anyMatch(l -> l.startsWith("vos_domain_restarts_total{") && l.contains("storage0")
                && l.contains("reason=\"exit\"") && l.endsWith(" 1.0")), body);
        assertTrue(body.contains("vos_domain_recovery_seconds_count{domain=\"storage0\"} 1"), body);
    }

    // ---------------------------------------------------------------------------------------------------------

    private String scrape() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + plane.metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    private DomainStatus assertRunning(String name, long generation) throws Exception {
        waitFor(() -> plane.ps().stream().anyMatch(s -> s.name().equals(name) && s.generation() == generation
                && s.state() == DomainState.RUNNING), 30_000);
        return plane.ps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private List<JournalEvent> events(Predicate<JournalEvent> filter) throws Exception {
        return Journal.read(dir.resolve("state/journal.jsonl")).events().stream().filter(filter).toList();
    }

    private String cli(int expectedStatus, String... args) {
        StringWriter out = new StringWriter();
        int status = VosCli.run(new PrintWriter(out, true), new PrintWriter(out, true), args);
        assertEquals(expectedStatus, status, "vos " + String.join(" ", args) + ":\n" + out);
        return out.toString();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, long timeoutMs)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not reached within " + timeoutMs + " ms");
            Thread.sleep(10);
        }
    }
}
