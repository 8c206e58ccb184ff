package dev.vos.storage.domain;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingFailure;
import dev.vos.ring.SegmentFiles;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.HeaderLayout;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerOptions;
import dev.vos.ring.transport.xen.EventChannelDoorbell;
import dev.vos.ring.transport.xen.GrantSegment;
import dev.vos.ring.transport.xen.PeerDomain;
import dev.vos.ring.transport.xen.XenRendezvous;
import dev.vos.ring.transport.xen.XenStore;
import dev.vos.storage.protocol.StorageCalls.Close;
import dev.vos.storage.protocol.StorageCalls.Fsync;
import dev.vos.storage.protocol.StorageCalls.Open;
import dev.vos.storage.protocol.StorageCalls.Pread;
import dev.vos.storage.protocol.StorageCalls.Pwrite;
import dev.vos.storage.protocol.StorageFlags;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The vos agent inside a Xen PV guest, in the Xen lab's dom0: one guest boots the agent image
 * ({@code agent.cpio.gz}, {@code vos.agent=storage}); dom0 offers it rings over the Xen transport (dom0 grants, the
 * guest maps) and calls it with the ring's own client. Proves that the calls are served by the guest (the pid the
 * guest's agent announced, a process dom0 does not run; a file written, synced and read back in the guest's own
 * export root, a directory dom0 does not have), that hostile offers are refused and leave the agent serving, and
 * how calls in flight fail when the guest is paused ({@code xl pause}: the heartbeat, judged on dom0's clock) and
 * destroyed ({@code xl destroy}). Writes the figures (boot to serving, null call against the process transport,
 * fault to failed call) to {@code $VOS_XEN_LAB_OUT/guest-figures.txt}. Named {@code *IT}: never run by
 * {@code ./mvnw verify}; skipped where there is no Xen or no agent image.
 */
@EnabledIf("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class XenGuestAgentIT {

    private static final String NAME = "vos-agent";
    /**
     * The guest's memory. Its kernel reserves about 120 MB (the kernel, the 28 MB initramfs it unpacks), the root
     * file system holds 56 MB (the runtime and jars), the agent's heap is at most 48 MB: with 256 MB the initramfs
     * did not unpack ("write error").
     */
    private static final int MEMORY_MB = 384;
    /** The lab's ring: 16 slots of 16 KiB (65 pages), a 2 s liveness timeout (the lab's Xen ring's). */
    private static final RingGeometry GEOMETRY = new RingGeometry(16, 16 << 10, 2_000_000_000L);
    private static final Path EXPORT_IN_GUEST = Path.of("/srv/vos-export");
    private static final int HOT_CALLS = 1_000;
    private static final int HOT_BATCHES = 5;
    private static final int WOKEN_CALLS = 200;

    private static XenStore store;
    private static int domid = -1;
    private static long agentPid;
    private static final List<String> FIGURES = new ArrayList<>();
    private static int nextRing;

    static boolean lab() {
        String guest = System.getenv("VOS_XEN_LAB_GUEST");
        return Files.exists(Path.of("/dev/xen/gntalloc")) && guest != null
                && Files.isRegularFile(Path.of(guest, "agent.cpio.gz"));
    }

    @BeforeAll
    static void bootTheAgentGuest() throws Exception {
        store = XenStore.open();
        Path guest = Path.of(System.getenv("VOS_XEN_LAB_GUEST"));
        Path cfg = Files.writeString(Path.of("/tmp", NAME + ".cfg"), String.format(Locale.ROOT, """
                name = "%s"
                type = "pv"
                kernel = "%s"
                ramdisk = "%s"
                memory = %d
                vcpus = 1
                extra = "console=hvc0 vos.agent=storage"
                on_crash = "destroy"
                """, NAME, guest.resolve("vmlinux"), guest.resolve("agent.cpio.gz"), MEMORY_MB));
        long t0 = System.nanoTime();
        xl("create", cfg.toString());
        domid = Integer.parseInt(xl("domid", NAME).trim());
        String announce = "/local/domain/" + domid + "/data/vos-agent";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!store.read(announce + "/state").orElse("").equals("serving")) {
            assertTrue(System.nanoTime() < deadline, "the guest's agent did not announce itself within 300 s");
            Thread.sleep(200);
        }
        long bootToServingMs = (System.nanoTime() - t0) / 1_000_000;
        agentPid = Long.parseLong(store.read(announce + "/pid").orElseThrow());
        String jvmMs = store.read(announce + "/started-ms").orElse("?");
        System.out.printf("xen-guest: domain %d's agent (pid %d in the guest) serving %d ms after xl create; its JVM"
                + " took %s ms of it%n", domid, agentPid, bootToServingMs, jvmMs);
        FIGURES.add("boot to serving (xl create to the agent's announcement, dom0's clock)\t" + bootToServingMs
                + " ms\tof which the agent's JVM start to serving (the guest's clock): " + jvmMs + " ms; guest of "
                + MEMORY_MB + " MiB, 1 vCPU");
    }

    @AfterAll
    static void destroyTheGuest() throws Exception {
        try {
            if (domid >= 0) {
                xlQuietly("destroy", Integer.toString(domid));
            }
            String out = System.getenv("VOS_XEN_LAB_OUT");
            if (out != null && !FIGURES.isEmpty()) {
                Files.write(Path.of(out, "guest-figures.txt"), FIGURES);
            }
        } finally {
            if (store != null) {
                store.close();
            }
        }
    }

    /** The pid the guest's agent announced is the one that answers, and dom0 runs no such agent. */
    @Test
    @Order(1)
    void nullCall_answeredByTheGuestsAgent() throws Exception {
        try (RingClient client = offer(WaitStrategy.sleeping())) {
            for (int i = 0; i < 100; i++) {
                assertEquals(agentPid, client.call(CoreCalls.GETPID));
            }
            Path dom0Process = Path.of("/proc", Long.toString(agentPid), "cmdline");
            if (Files.exists(dom0Process)) {
                String cmdline = new String(Files.readAllBytes(dom0Process), StandardCharsets.UTF_8);
                assertFalse(cmdline.contains("XenGuestAgentMain"), "dom0's pid " + agentPid + " is an agent too");
            }
        }
    }

    /** open, pwrite, fsync, pread, close through the storage protocol: a file in the guest's export root. */
    @Test
    @Order(2)
    void storageCalls_writeAndReadAFileInTheGuest() throws Exception {
        assertFalse(Files.exists(EXPORT_IN_GUEST), "dom0 has " + EXPORT_IN_GUEST + ": the proof would not hold");
        byte[] text = ("written in domain " + domid + " through the ring").getBytes(StandardCharsets.UTF_8);
        try (RingClient client = offer(WaitStrategy.sleeping()); CallSlot slot = client.acquire()) {
            byte[] name = "hello.txt".getBytes(StandardCharsets.UTF_8);
            MemorySegment data = slot.data();
            MemorySegment.copy(name, 0, data, JAVA_BYTE, 0, name.length);
            long fd = Open.call(slot, slot.dataOffset(), name.length,
                    StorageFlags.O_CREAT | StorageFlags.O_RDWR | StorageFlags.O_TRUNC, 0644);
            assertTrue(fd >= 0, "open: " + fd);
            MemorySegment.copy(text, 0, data, JAVA_BYTE, 0, text.length);
            assertEquals(text.length, Pwrite.call(slot, fd, slot.dataOffset(), text.length, 0));
            assertEquals(0, Fsync.call(slot, fd));
            data.asSlice(0, text.length).fill((byte) 0);
            assertEquals(text.length, Pread.call(slot, fd, slot.dataOffset(), 4096, 0));
            assertArrayEquals(text, data.asSlice(0, text.length).toArray(JAVA_BYTE));
            assertEquals(0, Close.call(slot, fd));
            assertTrue(Pread.call(slot, fd, slot.dataOffset(), 16, 0) < 0, "a closed descriptor still reads");
            // Opened again, without O_CREAT: the file is there, in the guest.
            MemorySegment.copy(name, 0, data, JAVA_BYTE, 0, name.length);
            long again = Open.call(slot, slot.dataOffset(), name.length, StorageFlags.O_RDONLY, 0);
            assertTrue(again >= 0, "reopen: " + again);
            assertEquals(text.length, Pread.call(slot, again, slot.dataOffset(), 4096, 0));
            assertEquals(0, Close.call(slot, again));
        }
    }

    /**
     * Hostile offers: too many pages, references dom0 never granted the guest, a port that is not bound for it, and
     * an offer claiming to come from another domain. Each is refused (its state stays offered; the guest's console
     * has the reason) and the agent serves the next good offer.
     */
    @Test
    @Order(3)
    void hostileOffers_refusedAndTheAgentServesOn() throws Exception {
        List<String> hostile = new ArrayList<>();
        hostile.add(write("too-many-pages", 0, "100000", "1", 1));
        EventChannelDoorbell unbound = EventChannelDoorbell.offer(domid);
        try (GrantSegment granted = GrantSegment.grant(domid, GrantSegment.PAGE, EventChannelDoorbell.offer(domid),
                PeerDomain.UNKNOWN)) {
            // A port the guest could bind, and references that are not grants to it.
            hostile.add(write("bad-refs", 0, "1", "4000000", unbound.localPort()));
            // References granted to it, and a port no one allocated.
            hostile.add(write("bad-port", 0, "1", Integer.toUnsignedString(granted.refs()[0]), 131000));
            // Good references and port, claimed to come from domain 7.
            hostile.add(write("other-domain", 7, "1", Integer.toUnsignedString(granted.refs()[0]),
                    granted.channel().localPort()));
            try (RingClient client = offer(WaitStrategy.sleeping())) {
                assertEquals(agentPid, client.call(CoreCalls.GETPID));
                Thread.sleep(1_000); // several of the agent's polls: each hostile offer was seen by now
                for (String path : hostile) {
                    assertEquals("offered", store.read(path + "/" + XenRendezvous.STATE).orElseThrow(), path);
                }
                assertEquals(agentPid, client.call(CoreCalls.GETPID));
            }
        } finally {
            unbound.close();
            for (String path : hostile) {
                store.rm(path);
            }
        }
        Optional<String> console = console();
        if (console.isPresent()) { // the console log is written by xenconsoled as it comes: looked for, not waited on
            for (String label : List.of("too-many-pages", "bad-refs", "bad-port", "other-domain")) {
                assertTrue(console.get().lines().anyMatch(l -> l.contains("hostile-" + label + "/1: offer refused")),
                        "the guest's console does not say why " + label + " was refused");
            }
        }
    }

    /** The same null call, Xen transport to the guest against the process transport in dom0, in this run. */
    @Test
    @Order(4)
    void figure_nullCallToTheGuestAgainstTheProcessTransport() throws Exception {
        double[] process;
        Path file = SegmentFiles.path("test", "xen-guest-figure-" + ProcessHandle.current().pid());
        Files.deleteIfExists(file);
        CallTable core = CoreCallHandlers.register(CallTable.builder()).build();
        try (RingClient client = RingClient.create(file, GEOMETRY, 1, WaitStrategy.busyPoll())) {
            RingServer server = RingServer.attach(file, core, ServerOptions.DEFAULT.withWorkers(1));
            try {
                client.awaitServer(Duration.ofSeconds(30));
                process = measure(client, ProcessHandle.current().pid());
            } finally {
                server.close();
                Files.deleteIfExists(file);
            }
        }
        double[] xen;
        try (RingClient client = offer(WaitStrategy.busyPoll())) {
            xen = measure(client, agentPid);
        }
        FIGURES.add(String.format(Locale.ROOT, "null call, hot (busy-poll, back to back)\txen to the guest %.1f us,"
                + " process in dom0 %.1f us\tratio %.2f", xen[0], process[0], xen[0] / process[0]));
        FIGURES.add(String.format(Locale.ROOT, "null call, woken (2 ms apart)\txen to the guest %.1f us,"
                + " process in dom0 %.1f us\tratio %.2f", xen[1], process[1], xen[1] / process[1]));
        FIGURES.forEach(System.out::println);
    }

    /** {@code xl pause}: a call in flight fails as a hang, judged by the heartbeat on dom0's clock. */
    @Test
    @Order(5)
    void pausedGuest_callInFlightFailsAsAHang() throws Exception {
        try (RingClient client = offer(WaitStrategy.sleeping())) {
            assertEquals(agentPid, client.call(CoreCalls.GETPID));
            xl("pause", Integer.toString(domid));
            long t0 = System.nanoTime();
            try {
                DomainFailedException e = assertThrows(DomainFailedException.class,
                        () -> client.call(CoreCalls.GETPID));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                RingFailure failure = e.failure().orElseThrow(() -> new AssertionError("no failure in " + e));
                assertInstanceOf(RingFailure.Hung.class, failure, failure.describe());
                System.out.println("xen-guest: paused guest: the call failed after " + ms + " ms: "
                        + failure.describe());
                FIGURES.add("xl pause to the call in flight failed (hung; liveness timeout "
                        + GEOMETRY.livenessTimeoutNs() / 1_000_000 + " ms)\t" + ms + " ms\t" + failure.describe());
            } finally {
                xl("unpause", Integer.toString(domid));
            }
        }
    }

    /** {@code xl destroy}: a call in flight fails as a death. */
    @Test
    @Order(6)
    void destroyedGuest_callInFlightFailsAsADeath() throws Exception {
        try (RingClient client = offer(WaitStrategy.sleeping())) {
            assertEquals(agentPid, client.call(CoreCalls.GETPID));
            long t0 = System.nanoTime();
            xl("destroy", Integer.toString(domid));
            long destroyedMs = (System.nanoTime() - t0) / 1_000_000;
            DomainFailedException e = assertThrows(DomainFailedException.class, () -> client.call(CoreCalls.GETPID));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            domid = -1;
            RingFailure failure = e.failure().orElseThrow(() -> new AssertionError("no failure in " + e));
            assertInstanceOf(RingFailure.Died.class, failure, failure.describe());
            System.out.println("xen-guest: destroyed guest: the call failed " + ms + " ms after xl destroy started ("
                    + destroyedMs + " ms of it xl's own): " + failure.describe());
            FIGURES.add("xl destroy to the call in flight failed (died)\t" + ms + " ms\txl destroy itself took "
                    + destroyedMs + " ms; " + failure.describe());
        }
    }

    /** Offers the guest a new ring and waits until its agent attached. */
    private static RingClient offer(WaitStrategy wait) throws Exception {
        String path = XenRendezvous.path(domid, "lab-" + (++nextRing), 1);
        RingClient client = RingClient.create(XenRendezvous.offer(store, path, 0, domid, XenGuestAgentIT::state),
                GEOMETRY, 1, wait);
        try {
            client.awaitServer(Duration.ofSeconds(60));
            assertEquals("attached", store.read(path + "/" + XenRendezvous.STATE).orElseThrow());
            return client;
        } catch (Exception | AssertionError e) {
            client.close();
            throw e;
        }
    }

    /** A hand-written offer for the guest, as a hostile domain could write it. */
    private static String write(String label, int fromDomid, String pages, String grefs, int port)
            throws IOException {
        String path = XenRendezvous.path(domid, "hostile-" + label, 1);
        store.rm(path);
        store.mkdir(path);
        store.setPerms(path, List.of("n0", "r" + domid));
        store.write(path + "/" + XenRendezvous.VERSION, Integer.toString(HeaderLayout.VERSION));
        store.write(path + "/" + XenRendezvous.DOMID, Integer.toString(fromDomid));
        store.write(path + "/" + XenRendezvous.PAGES, pages);
        store.write(path + "/" + XenRendezvous.GREFS, grefs);
        store.write(path + "/" + XenRendezvous.EVENT_CHANNEL, Integer.toString(port));
        store.write(path + "/" + XenRendezvous.STATE, "offered");
        store.setPerms(path + "/" + XenRendezvous.STATE, List.of("n0", "b" + domid));
        return path;
    }

    /** The guest's state as {@code xl list} shows it: what the ring's peer watch asks once the heartbeat is stale. */
    private static PeerDomain.State state() {
        int d = domid;
        if (d < 0) {
            return PeerDomain.State.GONE;
        }
        try {
            Process p = new ProcessBuilder("xl", "list", Integer.toString(d)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return p.isAlive() ? PeerDomain.State.UNKNOWN : PeerDomain.State.GONE;
            }
            String[] lines = out.strip().split("\n");
            String[] fields = lines[lines.length - 1].trim().split("\\s+");
            String flags = fields.length >= 5 ? fields[4] : "";
            if (flags.length() < 6) {
                return PeerDomain.State.UNKNOWN;
            }
            if (flags.charAt(3) == 's' || flags.charAt(4) == 'c' || flags.charAt(5) == 'd') {
                return PeerDomain.State.GONE;
            }
            return flags.charAt(2) == 'p' ? PeerDomain.State.PAUSED : PeerDomain.State.RUNNING;
        } catch (IOException e) {
            return PeerDomain.State.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return PeerDomain.State.UNKNOWN;
        }
    }

    private static Optional<String> console() throws IOException {
        String out = System.getenv("VOS_XEN_LAB_OUT");
        Path log = out == null ? null : Path.of(out, "guest-console", "guest-" + NAME + ".log");
        return log != null && Files.exists(log) ? Optional.of(Files.readString(log)) : Optional.empty();
    }

    /** {hot median of batch means, woken median}, in microseconds; every call must return {@code pid}. */
    private static double[] measure(RingClient client, long pid) throws Exception {
        for (int i = 0; i < HOT_CALLS; i++) {
            assertEquals(pid, client.call(CoreCalls.GETPID));
        }
        double[] batches = new double[HOT_BATCHES];
        for (int b = 0; b < HOT_BATCHES; b++) {
            long start = System.nanoTime();
            for (int i = 0; i < HOT_CALLS; i++) {
                assertEquals(pid, client.call(CoreCalls.GETPID));
            }
            batches[b] = (System.nanoTime() - start) / 1e3 / HOT_CALLS;
        }
        double[] woken = new double[WOKEN_CALLS];
        for (int i = 0; i < WOKEN_CALLS; i++) {
            Thread.sleep(2);
            long start = System.nanoTime();
            assertEquals(pid, client.call(CoreCalls.GETPID));
            woken[i] = (System.nanoTime() - start) / 1e3;
        }
        Arrays.sort(batches);
        Arrays.sort(woken);
        return new double[]{batches[HOT_BATCHES / 2], woken[WOKEN_CALLS / 2]};
    }

    private static String xl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("xl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("xl " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    private static void xlQuietly(String... args) {
        try {
            xl(args);
        } catch (IOException | InterruptedException e) {
            System.out.println("xen-guest: " + e.getMessage());
        }
    }
}
