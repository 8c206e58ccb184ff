package dev.vos.client.fs;

import dev.vos.client.DomainUnavailableException;
import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.journal.EventType;
import dev.vos.controlplane.journal.Journal;
import dev.vos.controlplane.journal.JournalEvent;
import dev.vos.controlplane.spec.HostSpec;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingFailure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.vos.client.fs.XlCommand.xl;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A storage domain that is a Xen guest under vos's control plane, reached through {@code vos://}, in the Xen lab's
 * dom0: the spec names the xen backend and an xl.cfg that boots the agent image; the backend records the domain as
 * a Xen guest in the state directory ({@code domains/storage-y/xen-guest}) before it creates it, and a client of
 * that state directory finds it there. Then {@code xl destroy} from outside vos: the call in flight fails as a
 * death, the supervisor re-creates the guest (generation 2, a new domain id), and the same file system, the same
 * client, serves again once the new guest's agent is up, reading no configuration again. The supervisor watches
 * the guest's agent over a health ring of the Xen transport: {@code xl pause} is journaled as a hang (the heartbeat
 * stale, libxl says paused) and the guest destroyed and re-created; a crash of its kernel ({@code xl sysrq c}) is
 * journaled as a crash, and the next generation serves. Named {@code *IT}: never
 * run by {@code ./mvnw verify}; skipped where there is no Xen or no agent image.
 */
@EnabledIf("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class XenSupervisedGuestIT {

    private static final String DOMAIN = "storage-y";
    private static final Duration WAIT = Duration.ofSeconds(300);
    /** As XenGuestFileSystemIT's: the liveness timeout of a guest's ring (5 s) and a wide margin. */
    private static final long FAIL_BOUND_MS = 20_000;
    /**
     * The supervisor's hang timeout for the guest: its health ring's liveness timeout. A paused guest is hung once
     * its heartbeat is this old (libxl says paused); a running one that does not beat, ten times this (busy).
     * Under emulation a guest's heartbeat thread misses hundreds of milliseconds; 2 s, as XenGuestAgentIT's ring.
     */
    private static final long HANG_TIMEOUT_MS = 2_000;

    private static Path dir;
    private static ControlPlane plane;
    private static FileSystem fs;
    private static final List<String> FIGURES = new ArrayList<>();

    static boolean lab() {
        return XenGuestFileSystemIT.lab();
    }

    @BeforeAll
    static void upSpec() throws Exception {
        Path guest = Path.of(System.getenv("VOS_XEN_LAB_GUEST"));
        dir = Files.createTempDirectory("vos-xen-supervised");
        Files.createDirectories(dir.resolve("export"));
        Files.writeString(dir.resolve("agent.cfg"), """
                name = "ignored-vos-names-the-domain"
                type = "pv"
                kernel = "%s"
                ramdisk = "%s"
                memory = 384
                vcpus = 1
                extra = "console=hvc0 sysrq_always_enabled=1 vos.agent=storage"
                on_crash = "destroy"
                """.formatted(guest.resolve("vmlinux"), guest.resolve("agent.cpio.gz")));
        Files.writeString(dir.resolve("host.yaml"), """
                version: 1
                controlPlane: {stateDir: ./state, metricsPort: 0}
                supervisor: {intensity: 10, periodSeconds: 600, backoff: {initialMs: 100, maxMs: 1000},
                             hangTimeoutMs: %d}
                domains:
                  - {name: %s, kind: storage, backend: xen, xen: {config: agent.cfg}, startTimeoutMs: %d,
                     namespaces: [], storage: {exportRoot: ./export}}
                """.formatted(HANG_TIMEOUT_MS, DOMAIN, WAIT.toMillis()));
        HostSpec spec = SpecParser.parse(dir.resolve("host.yaml"));
        plane = ControlPlane.start(spec, new PrintStream(System.out, true));
        fs = FileSystems.newFileSystem(URI.create("vos://" + DOMAIN + "/"),
                Map.of(VosFileSystemProvider.ENV_STATE_DIR, dir.resolve("state")));
    }

    @AfterAll
    static void down() throws Exception {
        try {
            if (fs != null) {
                fs.close();
            }
        } finally {
            if (plane != null) {
                plane.close();
            }
            String out = System.getenv("VOS_XEN_LAB_OUT");
            if (out != null && !FIGURES.isEmpty()) {
                Files.write(Path.of(out, "supervised-figures.txt"), FIGURES);
            }
        }
    }

    /** The backend recorded the guest; the client found it there and writes and reads the guest's files. */
    @Test
    @Order(1)
    void theBackendRecordsTheGuest_andVosPathsReachIt() throws Exception {
        DomainStatus s = await(st -> st.state() == DomainState.RUNNING);
        assertEquals(1, s.generation());
        JournalEvent starting = journal(e -> e.generation() == 1 && e.type() == EventType.DOMAIN_STARTING);
        JournalEvent running = journal(e -> e.generation() == 1 && e.type() == EventType.DOMAIN_RUNNING);
        assertTrue(running.detail().contains("listening"), "RUNNING before the guest's agent served its health"
                + " ring: " + running.detail());
        long bootMs = Duration.between(starting.time(), running.time()).toMillis();
        FIGURES.add("supervised guest: DOMAIN_STARTING to DOMAIN_RUNNING (created, booted, its agent serving the"
                + " supervisor's health ring)\t" + bootMs + " ms");
        assertEquals("xen-domain=" + DOMAIN + "\n",
                Files.readString(dir.resolve("state/domains/" + DOMAIN + "/xen-guest")));
        long ms = writeUntilServed(fs.getPath("/gen1.txt"), "generation 1");
        System.out.println("vos-supervised: generation 1 served vos:// " + ms + " ms after RUNNING was seen");
        FIGURES.add("supervised guest: RUNNING seen to the first vos:// write served\t" + ms + " ms");
        assertEquals("generation 1", Files.readString(fs.getPath("/gen1.txt")));
    }

    /** {@code xl destroy}: the call fails as a death; the supervisor's generation 2 serves the same paths. */
    @Test
    @Order(2)
    void destroyedFromOutside_theCallFails_andGeneration2ServesTheSameFileSystem() throws Exception {
        Path file = fs.getPath("/gen1.txt");
        long t0 = System.nanoTime();
        xl("destroy", DOMAIN);
        IOException e = assertThrows(IOException.class, () -> Files.readString(file));
        long failMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(failMs < FAIL_BOUND_MS, "failed after " + failMs + " ms");
        assertFalse(e instanceof DomainUnavailableException, "the call was never sent: " + e);
        RingFailure failure = assertInstanceOf(DomainFailedException.class, e).failure()
                .orElseThrow(() -> new AssertionError("no failure in " + e));
        assertInstanceOf(RingFailure.Died.class, failure, failure.describe());

        DomainStatus s = await(st -> st.generation() >= 2 && st.state() == DomainState.RUNNING);
        long runningMs = (System.nanoTime() - t0) / 1_000_000;
        long servedMs = writeUntilServed(fs.getPath("/gen2.txt"), "generation 2");
        long totalMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("vos-supervised: xl destroy -> failed call " + failMs + " ms, generation " + s.generation()
                + " RUNNING " + runningMs + " ms, vos:// served again " + totalMs + " ms");
        FIGURES.add("supervised guest: xl destroy to the failed call (died)\t" + failMs + " ms");
        FIGURES.add("supervised guest: xl destroy to generation 2 RUNNING\t" + runningMs + " ms");
        FIGURES.add("supervised guest: xl destroy to vos:// served again (the new guest's agent up)\t" + totalMs
                + " ms\tof which waiting on the agent " + servedMs + " ms");
        assertEquals("generation 2", Files.readString(fs.getPath("/gen2.txt")));
        assertFalse(Files.exists(file), "generation 2's root has generation 1's file: its initramfs is new");
    }

    /**
     * {@code xl pause} (the Xen analogue of SIGSTOP): the guest's agent beats no more; the supervisor's health ring
     * finds its heartbeat stale, asks libxl (paused), journals the domain hung, destroys it and starts the next
     * generation. The client's call fails meanwhile (hung on its own ring, or dead once the guest is destroyed).
     */
    @Test
    @Order(3)
    void pausedGuest_theSupervisorSeesAHang_destroysIt_andTheNextGenerationServes() throws Exception {
        long before = plane.supervisor(DOMAIN).status().generation();
        Instant t0 = Instant.now();
        xl("pause", DOMAIN);
        IOException e = assertThrows(IOException.class, () -> Files.readString(fs.getPath("/gen2.txt")));
        long failMs = Duration.between(t0, Instant.now()).toMillis();
        assertTrue(failMs < FAIL_BOUND_MS, "failed after " + failMs + " ms");
        assertInstanceOf(DomainFailedException.class, e, "the call must fail as the domain's failure: " + e);

        JournalEvent hung = journal(x -> x.generation() == before && x.type() == EventType.DOMAIN_HUNG);
        assertTrue(hung.detail().contains("is paused"), hung.detail());
        long hungMs = Duration.between(t0, hung.time()).toMillis();
        assertTrue(hungMs < HANG_TIMEOUT_MS + FAIL_BOUND_MS, "hang seen after " + hungMs + " ms");
        DomainStatus s = await(st -> st.generation() > before && st.state() == DomainState.RUNNING);
        long runningMs = Duration.between(t0, Instant.now()).toMillis();
        writeUntilServed(fs.getPath("/gen" + s.generation() + ".txt"), "after the hang");
        long servedMs = Duration.between(t0, Instant.now()).toMillis();
        System.out.println("vos-supervised: xl pause -> failed call " + failMs + " ms, DOMAIN_HUNG " + hungMs
                + " ms (" + hung.detail() + "), generation " + s.generation() + " RUNNING " + runningMs
                + " ms, served " + servedMs + " ms");
        FIGURES.add("supervised guest: xl pause to the client's call failed\t" + failMs + " ms");
        FIGURES.add("supervised guest: xl pause to DOMAIN_HUNG (health ring " + HANG_TIMEOUT_MS
                + " ms, libxl: paused)\t" + hungMs + " ms");
        FIGURES.add("supervised guest: xl pause to the next generation RUNNING (its agent serving)\t" + runningMs
                + " ms");
        assertEquals("after the hang", Files.readString(fs.getPath("/gen" + s.generation() + ".txt")));
    }

    /**
     * A crash of the guest's kernel ({@code xl sysrq c}): Xen reports the shutdown reason crash, the supervisor
     * journals it and starts the next generation; the client's call fails within the bound.
     */
    @Test
    @Order(4)
    void crashedGuestKernel_theCallFails_andTheNextGenerationServes() throws Exception {
        long before = plane.supervisor(DOMAIN).status().generation();
        Path file = fs.getPath("/gen" + before + ".txt");
        assertEquals("after the hang", Files.readString(file));
        Instant t0 = Instant.now();
        xl("sysrq", DOMAIN, "c");
        long failMs = -1;
        try {
            // the crash takes a moment to act: until then the guest may still answer
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FAIL_BOUND_MS);
            while (System.nanoTime() < deadline) {
                Files.readString(file);
                Thread.sleep(20);
            }
            fail("the guest still served " + FAIL_BOUND_MS + " ms after its kernel was told to crash");
        } catch (DomainFailedException e) { // DomainUnavailableException too: the guest was already gone
            failMs = Duration.between(t0, Instant.now()).toMillis();
        }
        JournalEvent exited = journal(x -> x.generation() == before && x.type() == EventType.DOMAIN_EXITED);
        assertTrue(exited.detail().contains("crash"), exited.detail());
        DomainStatus s = await(st -> st.generation() > before && st.state() == DomainState.RUNNING);
        long runningMs = Duration.between(t0, Instant.now()).toMillis();
        writeUntilServed(fs.getPath("/after-crash.txt"), "after the crash");
        System.out.println("vos-supervised: xl sysrq c -> failed call " + failMs + " ms, exit journaled "
                + Duration.between(t0, exited.time()).toMillis() + " ms (" + exited.detail() + "), generation "
                + s.generation() + " RUNNING " + runningMs + " ms");
        FIGURES.add("supervised guest: sysrq c to the client's call failed\t" + failMs + " ms");
        FIGURES.add("supervised guest: sysrq c to DOMAIN_EXITED (crash)\t"
                + Duration.between(t0, exited.time()).toMillis() + " ms");
        FIGURES.add("supervised guest: sysrq c to the next generation RUNNING (its agent serving)\t" + runningMs
                + " ms");
        assertEquals("after the crash", Files.readString(fs.getPath("/after-crash.txt")));
    }

    /** The first journal event that matches, waiting for it up to {@link #WAIT}. */
    private static JournalEvent journal(Predicate<JournalEvent> wanted) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            for (JournalEvent e : Journal.read(dir.resolve("state/journal.jsonl")).events()) {
                if (e.domain().equals(DOMAIN) && wanted.test(e)) {
                    return e;
                }
            }
            assertTrue(System.nanoTime() < deadline, "no such journal event within " + WAIT);
            Thread.sleep(100);
        }
    }

    /** Writes {@code text} to {@code file}, retrying while the domain is not serving; the time it took. */
    private static long writeUntilServed(Path file, String text) throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + WAIT.toNanos();
        while (true) {
            try {
                Files.writeString(file, text);
                return (System.nanoTime() - t0) / 1_000_000;
            } catch (DomainFailedException e) {
                assertTrue(System.nanoTime() < deadline, "not served within " + WAIT + ": " + e.getMessage());
                Thread.sleep(250);
            }
        }
    }

    private static DomainStatus await(Predicate<DomainStatus> wanted) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            DomainStatus s = plane.supervisor(DOMAIN).status();
            if (wanted.test(s)) {
                return s;
            }
            assertTrue(System.nanoTime() < deadline, DOMAIN + " did not get there within " + WAIT + "; it is " + s);
            Thread.sleep(50);
        }
    }
}
