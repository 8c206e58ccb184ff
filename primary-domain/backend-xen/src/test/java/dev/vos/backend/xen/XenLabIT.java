package dev.vos.backend.xen;

import dev.vos.backend.xen.libxl.DomainInfo;
import dev.vos.backend.xen.libxl.Libxl;
import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.control.ControlSocket;
import dev.vos.controlplane.journal.EventType;
import dev.vos.controlplane.journal.Journal;
import dev.vos.controlplane.journal.JournalEvent;
import dev.vos.controlplane.spec.HostSpec;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The xen backend against a real hypervisor: run inside the Xen lab's dom0 ({@code lab/xen/run.sh}), never in the
 * ordinary build (its name ends in IT, which surefire does not pick up). vos's control plane brings up a spec of
 * four PV guests (two service domains that live until stopped, one that powers itself off, one that crashes itself)
 * and the steps below inject faults from outside and check what the supervisor journals.
 *
 * <p>Settings (environment): {@code VOS_XEN_LAB_GUEST}, the folder with the guest's {@code vmlinux} and
 * {@code guest.cpio.gz}; {@code VOS_XEN_LAB_OUT}, where the figures are written.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 22, unit = TimeUnit.MINUTES)
class XenLabIT {

    /** Generous: creating a guest under QEMU's emulation takes 10-60 s, more while other guests boot. */
    private static final Duration WAIT = Duration.ofMinutes(8);
    private static final int CRASH_ROUNDS = Integer.getInteger("vos.xenlab.crashRounds", 3);

    private static Path dir;
    private static Path stateDir;
    private static ControlPlane plane;
    private static Libxl probe;
    private static final List<String> FIGURES = new ArrayList<>();

    @BeforeAll
    static void upSpec() throws Exception {
        Path guest = Path.of(System.getenv().getOrDefault("VOS_XEN_LAB_GUEST", "/vos/lab/xen/target/guest"));
        assertTrue(Files.isRegularFile(guest.resolve("vmlinux")), "no guest kernel in " + guest);
        dir = Files.createTempDirectory("vos-xen-lab");
        stateDir = dir.resolve("state");
        Files.createDirectories(dir.resolve("export"));
        guestConfig(guest, "sleeper.cfg", "sleep");
        guestConfig(guest, "poweroff.cfg", "poweroff:5");
        guestConfig(guest, "crasher.cfg", "crash:5");
        Files.writeString(dir.resolve("host.yaml"), """
                version: 1
                controlPlane: {stateDir: ./state, metricsPort: 0}
                supervisor: {intensity: 10, periodSeconds: 600, backoff: {initialMs: 100, maxMs: 1000}}
                domains:
                  - {name: svc-a, kind: storage, backend: xen, xen: {config: sleeper.cfg},
                     namespaces: [], storage: {exportRoot: ./export}}
                  - {name: svc-b, kind: storage, backend: xen, xen: {config: sleeper.cfg},
                     namespaces: [], storage: {exportRoot: ./export}}
                  - {name: off, kind: storage, backend: xen, xen: {config: poweroff.cfg}, restart: {policy: transient},
                     namespaces: [], storage: {exportRoot: ./export}}
                  - {name: crasher, kind: storage, backend: xen, xen: {config: crasher.cfg},
                     restart: {policy: transient, intensity: 1}, namespaces: [], storage: {exportRoot: ./export}}
                """);
        HostSpec spec = SpecParser.parse(dir.resolve("host.yaml"));
        probe = Libxl.open();
        System.out.println("xen-lab: Xen " + probe.xenVersion() + "; bringing up " + spec.domains().size()
                + " guests");
        plane = ControlPlane.start(spec, new PrintStream(System.out, true));
    }

    private static void guestConfig(Path guest, String file, String fate) throws IOException {
        Files.writeString(dir.resolve(file), """
                # A lab guest (lab/xen/guest/init); its fate is on the kernel command line.
                name = "ignored-vos-names-the-domain"
                type = "pv"
                kernel = "%s"
                ramdisk = "%s"
                memory = 96
                vcpus = 1
                extra = "console=hvc0 quiet sysrq_always_enabled=1 vos.fate=%s"
                on_crash = "destroy"
                """.formatted(guest.resolve("vmlinux"), guest.resolve("guest.cpio.gz"), fate));
    }

    @AfterAll
    static void writeFigures() throws IOException {
        if (plane != null) {
            plane.close();
        }
        Path out = Path.of(System.getenv().getOrDefault("VOS_XEN_LAB_OUT", "/out"));
        if (Files.isDirectory(out)) {
            Files.write(out.resolve("figures.txt"), FIGURES);
        }
    }

    @Test
    @Order(1)
    void bringsUpTwoServiceDomains_andListsThem() throws Exception {
        DomainStatus a = await("svc-a", s -> s.state() == DomainState.RUNNING);
        DomainStatus b = await("svc-b", s -> s.state() == DomainState.RUNNING);
        assertEquals(1, a.generation());
        assertEquals(1, b.generation());
        // What 'vos ps' asks a running control plane, over its control socket.
        String ps = String.join("\n", ControlSocket.send(stateDir.resolve("control.sock"), new Command.Ps()));
        System.out.println(ps);
        assertTrue(ps.contains("svc-a") && ps.contains("svc-b"), ps);
        List<String> names = probe.listDomains().stream().map(DomainInfo::name).toList();
        assertTrue(names.contains("svc-a") && names.contains("svc-b"), "libxl lists " + names);
        String xlList = run("xl", "list");
        assertTrue(xlList.contains("svc-a") && xlList.contains("svc-b"), xlList);
    }

    @Test
    @Order(2)
    void xlDestroy_isSeen_andTheDomainIsRecreated() throws Exception {
        await("svc-a", s -> s.state() == DomainState.RUNNING);
        Instant t0 = Instant.now();
        run("xl", "destroy", "svc-a");
        JournalEvent exited = awaitEvent("svc-a", 1, EventType.DOMAIN_EXITED, t0);
        assertTrue(exited.detail().contains("destroyed from outside vos"), exited.detail());
        JournalEvent running = awaitEvent("svc-a", 2, EventType.DOMAIN_RUNNING, t0);
        figure("xl destroy", t0, exited, running);
        DomainStatus a = await("svc-a", s -> s.state() == DomainState.RUNNING && s.generation() == 2);
        assertEquals(1, a.restarts());
        assertTrue(probe.listDomains().stream().anyMatch(d -> d.name().equals("svc-a")));
    }

    @Test
    @Order(3)
    void crash_isSeen_andTheDomainIsRecreated_measured() throws Exception {
        for (int round = 1; round <= CRASH_ROUNDS; round++) {
            long gen = round;
            await("svc-b", s -> s.state() == DomainState.RUNNING && s.generation() == gen);
            int domid = domid("svc-b");
            awaitGuestUp(domid);
            Instant t0 = Instant.now();
            probe.sysrq(domid, 'c'); // the guest's kernel panics: Xen reports shutdown reason crash
            JournalEvent exited = awaitEvent("svc-b", gen, EventType.DOMAIN_EXITED, t0);
            assertTrue(exited.detail().startsWith("crashed"), exited.detail());
            JournalEvent running = awaitEvent("svc-b", gen + 1, EventType.DOMAIN_RUNNING, t0);
            figure("crash (sysrq c)", t0, exited, running);
        }
    }

    @Test
    @Order(4)
    void guestThatPowersItselfOff_isStopped_transient() throws Exception {
        DomainStatus off = await("off", s -> s.state() == DomainState.STOPPED && s.generation() == 1);
        assertEquals("powered off", off.lastExit());
        assertTrue(off.reason().contains("exited cleanly"), off.reason());
        assertTrue(probe.listDomains().stream().noneMatch(d -> d.name().equals("off")));
    }

    @Test
    @Order(5)
    void guestThatCrashesItself_isRestarted_thenFailed_transientIntensity1() throws Exception {
        JournalEvent exited = awaitEvent("crasher", 1, EventType.DOMAIN_EXITED, Instant.EPOCH);
        assertTrue(exited.detail().startsWith("crashed"), exited.detail());
        awaitEvent("crasher", 2, EventType.DOMAIN_RUNNING, Instant.EPOCH);
        DomainStatus failed = await("crasher", s -> s.state() == DomainState.FAILED);
        assertEquals(2, failed.generation());
        assertTrue(failed.lastExit().startsWith("crashed"), failed.lastExit());
        assertTrue(probe.listDomains().stream().noneMatch(d -> d.name().equals("crasher")));
    }

    @Test
    @Order(6)
    void shutdown_stopsEveryGuest() throws Exception {
        plane.close();
        plane = null;
        List<String> left = probe.listDomains().stream().filter(d -> d.domid() != 0)
                .map(d -> d.name() + " (" + d.state() + ")").toList();
        assertEquals(List.of(), left, "guests left after the control plane stopped");
        List<JournalEvent> events = Journal.read(stateDir.resolve("journal.jsonl")).events();
        assertEquals(EventType.CONTROL_PLANE_STOPPED, events.getLast().type());
        for (String name : List.of("svc-a", "svc-b")) {
            assertTrue(events.stream().anyMatch(e -> e.domain().equals(name) && e.type() == EventType.DOMAIN_STOPPED
                    && e.detail().equals("control plane shut down")), name + " was not stopped");
        }
    }

    // ---- helpers

    private static void figure(String fault, Instant t0, JournalEvent exited, JournalEvent running) {
        long seenMs = Duration.between(t0, exited.time()).toMillis();
        long backMs = Duration.between(t0, running.time()).toMillis();
        String line = String.format("%s: %s g%d: exit seen by the supervisor after %d ms, g%d running after %d ms",
                fault, exited.domain(), exited.generation(), seenMs, running.generation(), backMs);
        System.out.println("xen-lab figure: " + line);
        FIGURES.add(fault + "\t" + seenMs + "\t" + backMs);
    }

    private static int domid(String name) throws Exception {
        return probe.listDomains().stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not listed by libxl")).domid();
    }

    /**
     * Waits until the guest's kernel has set up its control watches: Linux writes 1 to control/feature-poweroff
     * right after registering its shutdown and sysrq watches (libxl creates the node empty, so it exists before).
     */
    private static void awaitGuestUp(int domid) throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + WAIT.toNanos();
        long nextReport = t0;
        String path = "/local/domain/" + domid + "/control/feature-poweroff";
        while (true) {
            Process p = new ProcessBuilder("xenstore-read", path).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            } else if (p.exitValue() == 0 && out.equals("1")) { // libxl creates the node empty, for the guest
                System.out.printf("xen-lab: domain %d's kernel is up (%s = %s) after %d ms of waiting%n", domid, path,
                        out, (System.nanoTime() - t0) / 1_000_000);
                return;
            }
            if (System.nanoTime() - nextReport >= 0) {
                System.out.println("xen-lab: waiting for domain " + domid + "'s kernel: xenstore-read " + path + ": "
                        + out);
                nextReport = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            }
            assertTrue(System.nanoTime() < deadline, "domain " + domid + " did not boot within " + WAIT + ": " + out);
            Thread.sleep(200);
        }
    }

    private static DomainStatus await(String name, Predicate<DomainStatus> wanted) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            DomainStatus s = plane.supervisor(name).status();
            if (wanted.test(s)) {
                return s;
            }
            assertTrue(System.nanoTime() < deadline, name + " did not get there within " + WAIT + "; it is " + s);
            Thread.sleep(50);
        }
    }

    private static JournalEvent awaitEvent(String name, long generation, EventType type, Instant after)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Optional<JournalEvent> e = Journal.read(stateDir.resolve("journal.jsonl")).events().stream()
                    .filter(j -> j.domain().equals(name) && j.generation() == generation && j.type() == type
                            && !j.time().isBefore(after)).findFirst();
            if (e.isPresent()) {
                return e.get();
            }
            assertTrue(System.nanoTime() < deadline, name + " g" + generation + " " + type + " not journaled within "
                    + WAIT + "; status " + plane.supervisor(name).status());
            Thread.sleep(20);
        }
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }
}
