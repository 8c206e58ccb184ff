package dev.vos.controlplane.supervisor;

import dev.vos.backend.Signals;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.journal.EventType;
import dev.vos.controlplane.journal.JournalEvent;
import dev.vos.controlplane.process.ProcessBackend;
import dev.vos.controlplane.spec.BackendKind;
import dev.vos.controlplane.spec.DomainKind;
import dev.vos.controlplane.spec.DomainSpec;
import dev.vos.controlplane.spec.ResourcesSpec;
import dev.vos.controlplane.spec.RestartPolicy;
import dev.vos.controlplane.spec.StorageSpec;
import dev.vos.controlplane.spec.SupervisorSpec;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.agent.AgentSession;
import dev.vos.ring.agent.StateDirectory;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A storage domain with {@code standby: true}, on the process backend, with real processes: after a SIGKILL the next
 * generation is the standby that was parked before the kill; a standby that dies is replaced and never promoted; a
 * standby has no listening socket; a supervisor that closes leaves no standby behind. Functional, not timed: the
 * waits are generous, for a loaded machine.
 */
@Timeout(180)
class StandbyTest {

    @TempDir
    Path dir;
    private final List<JournalEvent> events = new CopyOnWriteArrayList<>();
    /** What the supervisor told its listener of the standby, in order. */
    private final List<StandbyState> standbyChanges = new CopyOnWriteArrayList<>();
    private DomainSupervisor supervisor;
    private Path stateDir;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("export"));
        stateDir = dir.resolve("state");
        DomainSpec spec = new DomainSpec("store0", DomainKind.STORAGE, BackendKind.PROCESS, RestartPolicy.PERMANENT,
                new SupervisorSpec(10, 60, 0, 0, 1_000), 60_000, 5_000, ResourcesSpec.DEFAULTS,
                DomainSpec.DEFAULT_NAMESPACES, new StorageSpec(dir.resolve("export")), null, null).withStandby(true);
        supervisor = new DomainSupervisor(spec, new ProcessBackend(), stateDir, 0, events::add,
                new SupervisorListener() {
                    @Override
                    public void standbyChanged(String domain, StandbyState state) {
                        standbyChanges.add(state);
                    }
                });
        supervisor.start();
        await(() -> supervisor.status().state() == DomainState.RUNNING, "generation 1 RUNNING");
    }

    @AfterEach
    void stop() throws Exception {
        supervisor.close();
    }

    @Test
    void sigkill_promotesTheStandbyParkedBeforeTheKill() throws Exception {
        long standby = awaitParkedStandby(1);
        long first = supervisor.status().pid();
        assertNotEquals(first, standby);

        supervisor.handle(new Command.Kill("store0", Signals.SIGKILL)).get();
        await(() -> supervisor.status().generation() == 2 && supervisor.status().state() == DomainState.RUNNING,
                "generation 2 RUNNING");

        assertEquals(standby, supervisor.status().pid(), "generation 2 is the standby\n" + journal());
        assertTrue(events(EventType.DOMAIN_STARTING).getLast().detail().contains("promoting the standby"), journal());
        assertEquals(2, generationOfAnAttach(), "clients reach generation 2 on the domain's socket");
        long next = awaitParkedStandby(2);
        assertNotEquals(standby, next, "a new standby after the promotion");
        assertEquals(List.of(StandbyState.STARTING, StandbyState.PARKED, StandbyState.NONE, StandbyState.STARTING,
                StandbyState.PARKED), standbyChanges, "what the metrics were told\n" + journal());
        assertTrue(events(EventType.STANDBY_PARKED).getFirst().detail().matches("pid " + standby
                + ", \\d+ ms after it was started"), journal());
    }

    @Test
    void aStandbyNotParkedYet_isPromotedAllTheSame_andTheJournalSaysSo() throws Exception {
        long stopped = -1;
        for (int attempt = 1; attempt <= 5 && stopped < 0; attempt++) {
            int losses = events(EventType.STANDBY_LOST).size();
            long parkedBefore = parkedLines(); // the lines of the standbys killed in the tries before
            await(() -> supervisor.standbyPid() > 0, "a standby's pid");
            long pid = supervisor.standbyPid();
            assertEquals(0, Linux.kill(pid, Signals.SIGSTOP));
            // It says so in its log before it says so on its pipe: no new line, and it has not parked.
            if (supervisor.standbyState() == StandbyState.STARTING && parkedLines() == parkedBefore) {
                stopped = pid; // held before it parked: it cannot park until SIGCONT
            } else { // it parked before the signal: end it, and catch its replacement
                assertEquals(0, Linux.kill(pid, Linux.SIGKILL));
                await(() -> events(EventType.STANDBY_LOST).size() > losses, "STANDBY_LOST");
            }
        }
        assertTrue(stopped > 0, "no standby was caught before it parked in 5 tries\n" + journal());
        assertEquals(StandbyState.STARTING, supervisor.standbyState());

        supervisor.handle(new Command.Kill("store0", Signals.SIGKILL)).get();
        long held = stopped;
        await(() -> events(EventType.DOMAIN_STARTING).size() == 2, "generation 2 STARTING");
        assertTrue(events(EventType.DOMAIN_STARTING).getLast().detail().endsWith("promoting the standby (pid " + held
                + ", not parked yet)"), journal());
        assertEquals(0, Linux.kill(held, Signals.SIGCONT));
        await(() -> supervisor.status().generation() == 2 && supervisor.status().state() == DomainState.RUNNING,
                "generation 2 RUNNING");
        assertEquals(held, supervisor.status().pid(), "the standby became generation 2\n" + journal());
        assertEquals(2, generationOfAnAttach(), journal());
        assertTrue(events(EventType.STANDBY_PARKED).stream().noneMatch(e -> e.detail().startsWith("pid " + held
                + ",")), "a standby promoted before it parked is never reported parked\n" + journal());
    }

    @Test
    void killedStandby_isReplaced_andTheReplacementIsPromoted() throws Exception {
        long dead = awaitParkedStandby(1);
        assertEquals(0, Linux.kill(dead, Linux.SIGKILL));
        await(() -> !events(EventType.STANDBY_LOST).isEmpty(), "STANDBY_LOST");
        assertTrue(events(EventType.STANDBY_LOST).getFirst().detail().contains("killed by SIGKILL while parked"),
                journal());
        long replacement = awaitParkedStandby(2);
        assertNotEquals(dead, replacement);

        supervisor.handle(new Command.Kill("store0", Signals.SIGKILL)).get();
        await(() -> supervisor.status().generation() == 2 && supervisor.status().state() == DomainState.RUNNING,
                "generation 2 RUNNING");
        assertEquals(replacement, supervisor.status().pid(), journal());
    }

    @Test
    void standbyKilledWithTheDomain_isNeverPromoted_theGenerationStartsAfresh() throws Exception {
        long dead = awaitParkedStandby(1);
        long first = supervisor.status().pid();
        assertEquals(0, Linux.kill(dead, Linux.SIGKILL));
        assertEquals(0, Linux.kill(first, Linux.SIGKILL));
        await(() -> supervisor.status().generation() == 2 && supervisor.status().state() == DomainState.RUNNING,
                "generation 2 RUNNING");
        long pid = supervisor.status().pid();
        assertNotEquals(dead, pid, journal());
        assertTrue(Files.exists(Path.of("/proc", Long.toString(pid))), "generation 2 runs");
        assertEquals(2, generationOfAnAttach(), journal());
        assertFalse(events(EventType.STANDBY_LOST).isEmpty(), "the dead standby's loss is journaled\n" + journal());
    }

    @Test
    void standby_holdsNoListeningSocket_andClientsReachTheCurrentGeneration() throws Exception {
        long standby = awaitParkedStandby(1);
        Set<String> listening = listeningUnixSocketInodes();
        List<String> standbySockets = socketInodes(standby);
        for (String inode : standbySockets) {
            assertFalse(listening.contains(inode), "the standby " + standby + " listens on socket inode " + inode);
        }
        assertTrue(socketInodes(supervisor.status().pid()).stream().anyMatch(listening::contains),
                "the check sees generation 1's listening socket");
        for (int i = 0; i < 5; i++) {
            assertEquals(1, generationOfAnAttach(), "every attach reaches generation 1");
        }
    }

    @Test
    void close_leavesNoStandbyBehind() throws Exception {
        long standby = awaitParkedStandby(1);
        long domain = supervisor.status().pid();
        supervisor.close();
        await(() -> !Files.exists(Path.of("/proc", Long.toString(standby))), "the standby's end");
        await(() -> !Files.exists(Path.of("/proc", Long.toString(domain))), "the domain's end");
        await(() -> processesNaming(stateDir).isEmpty(), "no process naming the state directory");
    }

    /**
     * The JVM pid of a standby that has parked (the {@code count}-th "standby parked" line of the domain's log), as
     * the supervisor reports it: parked, and journaled as such.
     */
    private long awaitParkedStandby(int count) throws InterruptedException {
        await(() -> supervisor.standbyState() == StandbyState.PARKED
                && events(EventType.STANDBY_PARKED).size() >= count, "standby #" + count + " parked");
        long pid = supervisor.standbyPid();
        assertTrue(parkedLines() >= count, "the supervisor says parked before the standby's log does\n" + journal());
        assertEquals("pid " + pid, events(EventType.STANDBY_PARKED).getLast().detail().split(",")[0], journal());
        return pid;
    }

    private long parkedLines() {
        try (Stream<String> lines = Files.lines(StateDirectory.domainDirectory(stateDir, "store0")
                .resolve("domain.log"))) {
            return lines.filter(l -> l.contains(" standby parked ")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The generation an attach to the domain's socket is served by (a NOP is made to be sure it serves). */
    private long generationOfAnAttach() throws IOException {
        try (AgentSession session = AgentSession.attach(supervisor.socket(), new RingGeometry(2, 4096,
                1_000_000_000L), WaitStrategy.sleeping(), Duration.ofSeconds(30))) {
            session.ring().call(CoreCalls.NOP);
            return session.generation();
        }
    }

    /** Inodes of the listening Unix sockets of this network namespace ({@code /proc/net/unix}, flag ACCEPTCON). */
    private static Set<String> listeningUnixSocketInodes() throws IOException {
        Set<String> inodes = new HashSet<>();
        List<String> lines = Files.readAllLines(Path.of("/proc/net/unix"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 7 && (Integer.parseInt(f[3], 16) & 0x10000) != 0) {
                inodes.add(f[6]);
            }
        }
        return inodes;
    }

    /** The socket inodes among {@code pid}'s descriptors. */
    private static List<String> socketInodes(long pid) throws IOException {
        List<String> inodes = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return inodes;
    }

    /** Pids of the processes whose command line names {@code path}. */
    private static List<Long> processesNaming(Path path) {
        String needle = path.toAbsolutePath().toString();
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .toList()) {
                try {
                    if (Files.readString(p.resolve("cmdline")).contains(needle)) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return pids;
    }

    private List<JournalEvent> events(EventType type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }

    private void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no " + what + " within 60 s; status " + supervisor.status()
                        + "; standby pid " + supervisor.standbyPid() + "\n" + journal() + "\ndomain.log:\n"
                        + domainLog() + "\nthe standby's process:\n" + processDump(supervisor.standbyPid()));
            }
            Thread.sleep(5);
        }
    }

    /**
     * What a standby that never parked was doing, for a failure's message (once in CI, a standby printed nothing in
     * 60 s; alone the test never showed it): its state and kernel wait channel, and its JVM's threads.
     */
    private static String processDump(long pid) {
        if (pid <= 0) {
            return "(no standby pid)";
        }
        StringBuilder out = new StringBuilder();
        try {
            out.append("stat: ").append(Files.readString(Path.of("/proc/" + pid + "/stat")).strip()).append('\n');
            out.append("wchan: ").append(Files.readString(Path.of("/proc/" + pid + "/wchan"))).append('\n');
            out.append("cmdline: ").append(Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' '))
                    .append('\n');
        } catch (IOException e) {
            out.append("(").append(e).append(")\n");
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
                    .redirectErrorStream(true).start();
            byte[] dump = p.getInputStream().readAllBytes();
            p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            out.append(new String(dump, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            out.append("(jcmd: ").append(e).append(")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out.toString();
    }

    /** The domain's log (the agents' own lines, standbys' included), for a failure's message. */
    private String domainLog() {
        try {
            return Files.readString(StateDirectory.domainDirectory(stateDir, "store0").resolve("domain.log"));
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    private String journal() {
        return events.stream().map(e -> "  g" + e.generation() + " " + e.type() + " " + e.detail())
                .collect(Collectors.joining("\n"));
    }
}
