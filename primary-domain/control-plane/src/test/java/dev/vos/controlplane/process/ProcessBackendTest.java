package dev.vos.controlplane.process;

import dev.vos.backend.DomainBackend;
import dev.vos.backend.DomainExit;
import dev.vos.backend.DomainLaunch;
import dev.vos.backend.RunningDomain;
import dev.vos.backend.Signals;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.agent.AgentSession;
import dev.vos.ring.agent.SupervisorToken;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The process backend with real child processes, real namespaces and real signals. */
@Timeout(120)
class ProcessBackendTest {

    private static final RingGeometry SMALL = new RingGeometry(4, 4096, 200_000_000L);

    @TempDir
    Path dir;

    private DomainLaunch launch(long generation, Set<String> namespaces) {
        return new DomainLaunch("store0", "storage", generation, dir.resolve("store0"),
                dir.resolve("store0/agent.sock"), 64, List.of(), namespaces, Map.of("exportRoot", dir.toString()),
                Duration.ofSeconds(30), Duration.ofMillis(200), OptionalInt.empty(), List.of(), Map.of());
    }

    @Test
    void inMountAndPidNamespaces_theDomainSeesItselfAsPid2_andASignalReachesItsJvm() throws Exception {
        ProcessBackend backend = new ProcessBackend();
        Set<String> namespaces = backend.availableNamespaces(Set.of("mount", "pid"));
        RunningDomain domain = backend.start(launch(1, namespaces));
        try (AgentSession session = AgentSession.attach(dir.resolve("store0/agent.sock"), SMALL,
                WaitStrategy.busyPoll(), Duration.ofSeconds(10))) {
            long pidInside = session.ring().call(CoreCalls.GETPID);
            if (namespaces.contains("pid")) {
                assertEquals(2, pidInside, "the JVM is pid 2 under the namespace's sh");
                assertNotEquals(pidInside, domain.pid());
            } else {
                assertEquals(domain.pid(), pidInside);
            }
            assertTrue(Files.readString(Path.of("/proc", Long.toString(domain.pid()), "cmdline"))
                    .contains("DomainAgentMain"), "signals must go to the JVM itself");
            domain.signal(Linux.SIGKILL);
            DomainExit exit = domain.exit().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(9, exit.signal(), exit.describe());
            assertEquals("killed by SIGKILL", exit.describe());
        } finally {
            domain.stop(Duration.ZERO);
        }
        assertTrue(Files.readString(dir.resolve("store0/domain.log")).contains("generation 1 of store0 starting"));
    }

    @Test
    void withoutNamespaces_theDomainIsADirectChild() throws Exception {
        RunningDomain domain = new ProcessBackend().start(launch(4, Set.of()));
        try (AgentSession session = AgentSession.attach(dir.resolve("store0/agent.sock"), SMALL,
                WaitStrategy.busyPoll(), Duration.ofSeconds(10))) {
            assertEquals(4, session.generation());
            assertEquals(domain.pid(), session.ring().call(CoreCalls.GETPID));
        } finally {
            domain.stop(Duration.ofSeconds(5));
        }
        assertFalse(domain.isAlive());
    }

    @Test
    void stop_endsAStoppedDomainToo() throws Exception {
        ProcessBackend backend = new ProcessBackend();
        RunningDomain domain = backend.start(launch(2, backend.availableNamespaces(Set.of("mount", "pid"))));
        domain.signal(Linux.SIGSTOP);
        long start = System.nanoTime();
        domain.stop(Duration.ofSeconds(5));
        assertFalse(domain.isAlive());
        assertTrue(System.nanoTime() - start < 6_000_000_000L);
    }

    @Test
    void theDomainsJvm_hasNoCapabilities_andNoNewPrivileges() throws Exception {
        ProcessBackend backend = new ProcessBackend();
        RunningDomain domain = backend.start(launch(1, backend.availableNamespaces(Set.of("mount", "pid"))));
        try {
            String status = Files.readString(Path.of("/proc", Long.toString(domain.pid()), "status"));
            assertEquals("0000000000000000", field(status, "CapEff"), status);
            assertEquals("0000000000000000", field(status, "CapPrm"), status);
            assertEquals("0000000000000000", field(status, "CapInh"), status);
            assertEquals("0000000000000000", field(status, "CapAmb"), status);
            assertEquals("1", field(status, "NoNewPrivs"), status);
            if (isRoot()) {
                assertEquals("0000000000000000", field(status, "CapBnd"), "nothing to gain back: " + status);
            }
        } finally {
            domain.stop(Duration.ZERO);
        }
    }

    /**
     * With an attach group, the agent gives its socket to the group. Without CAP_CHOWN (a root control plane gives
     * it none) the kernel lets it do so only as a member: the JVM is made one, and gains no capability for it.
     */
    @Test
    void anAttachGroup_isTheSocketsGroup_withoutCapabilities() throws Exception {
        assumeTrue(isRoot(), "a non-root control plane must be a member of the group itself (docs/spec.md)");
        DomainLaunch plain = launch(1, Set.of());
        int nogroup = 65534;
        DomainLaunch grouped = new DomainLaunch(plain.name(), plain.kind(), plain.generation(), plain.workDir(),
                plain.socket(), plain.memoryMb(), plain.cpus(), plain.namespaces(), plain.options(),
                plain.startTimeout(), plain.hangTimeout(), OptionalInt.of(nogroup), List.of(), Map.of());
        RunningDomain domain = new ProcessBackend().start(grouped);
        try {
            assertEquals(nogroup, (Integer) Files.getAttribute(plain.socket(), "unix:gid"));
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(plain.socket())));
            String status = Files.readString(Path.of("/proc", Long.toString(domain.pid()), "status"));
            assertEquals("0000000000000000", field(status, "CapEff"), status);
            assertEquals("0000000000000000", field(status, "CapBnd"), status);
            assertEquals(List.of(Integer.toString(nogroup)), Arrays.asList(field(status, "Groups").split("\\s+")),
                    "a member of the attach group, and of nothing else: " + status);
        } finally {
            domain.stop(Duration.ZERO);
        }
    }

    @Test
    void capabilitiesTheLaunchNames_areTheOnlyOnesTheJvmHas() throws Exception {
        assumeTrue(isRoot(), "only root has capabilities to give (the tests run unprivileged)");
        DomainLaunch plain = launch(1, Set.of());
        DomainLaunch withCaps = new DomainLaunch(plain.name(), plain.kind(), plain.generation(), plain.workDir(),
                plain.socket(), plain.memoryMb(), plain.cpus(), plain.namespaces(), plain.options(),
                plain.startTimeout(), plain.hangTimeout(), plain.attachGroup(), List.of("dac_override", "fowner"),
                Map.of());
        RunningDomain domain = new ProcessBackend().start(withCaps);
        try {
            String status = Files.readString(Path.of("/proc", Long.toString(domain.pid()), "status"));
            long expected = (1L << 1) | (1L << 3); // CAP_DAC_OVERRIDE, CAP_FOWNER
            assertEquals(expected, Long.parseLong(field(status, "CapEff"), 16), status);
            assertEquals(expected, Long.parseLong(field(status, "CapBnd"), 16), status);
        } finally {
            domain.stop(Duration.ZERO);
        }
    }

    @Test
    void anInheritedDirectory_isTheOneHeld_evenAfterItsPathWasSwappedForALink() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        ProcessBackend backend = new ProcessBackend();
        try (DirectoryHandle held = DirectoryHandle.open(root)) {
            Files.move(root, dir.resolve("root.moved"));
            Files.createSymbolicLink(root, elsewhere);
            DomainLaunch plain = launch(1, backend.availableNamespaces(Set.of("mount", "pid")));
            DomainLaunch inheriting = new DomainLaunch(plain.name(), plain.kind(), plain.generation(),
                    plain.workDir(), plain.socket(), plain.memoryMb(), plain.cpus(), plain.namespaces(),
                    Map.of("exportRoot", root.toString()), plain.startTimeout(), plain.hangTimeout(),
                    plain.attachGroup(), List.of(), Map.of("exportRootFd", held.procPath()));
            assertTrue(backend.command(inheriting, plain.namespaces()).contains("exportRootFd="
                    + ProcessBackend.FIRST_INHERITED_FD));
            RunningDomain domain = backend.start(inheriting);
            try {
                List<String> open = openDirectories(domain.pid());
                assertTrue(open.contains(dir.resolve("root.moved").toString()), "the held directory: " + open);
                assertFalse(open.contains(elsewhere.toString()), "never the link's target: " + open);
            } finally {
                domain.stop(Duration.ZERO);
            }
        }
    }

    @Test
    void exitPending_isFalseForALiveOrStoppedDomain_andTrueOnceSentSigkill() throws Exception {
        ProcessBackend backend = new ProcessBackend();
        RunningDomain domain = backend.start(launch(1, backend.availableNamespaces(Set.of("mount", "pid"))));
        try {
            assertFalse(domain.exitPending(), "running");
            domain.signal(Linux.SIGSTOP);
            assertFalse(domain.exitPending(), "stopped: that may be a hang, it is no exit");
            domain.signal(Linux.SIGKILL);
            assertTrue(domain.exitPending(), "sent SIGKILL: its exit is on its way, whenever it comes");
            domain.exit().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertTrue(domain.exitPending(), "gone");
        } finally {
            domain.stop(Duration.ZERO);
        }
    }

    @Test
    void aLinkOnTheWay_isRefusedWhenTheDirectoryIsOpened() throws Exception {
        Files.createDirectories(dir.resolve("real"));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> DirectoryHandle.open(dir.resolve("link")));
        assertTrue(e.getMessage().contains("a symbolic link is on the way"), e.getMessage());
    }

    @Test
    void aDomainThatCannotStart_isReportedWithItsExitAndLog() {
        ProcessBackend broken = new ProcessBackend(ProcessHandle.current().info().command().orElseThrow(),
                "/nonexistent.jar");
        DomainBackend.BackendException e = assertThrows(DomainBackend.BackendException.class,
                () -> broken.start(launch(1, Set.of())));
        assertTrue(e.getMessage().contains("exited with status 1 before it listened"), e.getMessage());
        assertTrue(e.getMessage().contains("domain.log"), e.getMessage());
    }

    /** A launch laid out as a control plane lays it out: {@code STATE/domains/NAME}. */
    private DomainLaunch launchInState(long generation, Set<String> namespaces) {
        Path work = dir.resolve("state/domains/store0");
        return new DomainLaunch("store0", "storage", generation, work, work.resolve("agent.sock"), 64, List.of(),
                namespaces, Map.of("exportRoot", dir.toString()), Duration.ofSeconds(30), Duration.ofMillis(200),
                OptionalInt.empty(), List.of(), Map.of());
    }

    @Test
    void aotCache_isTrainedOnTheFirstStart_andLaterGenerationsStartFromIt() throws Exception {
        String jars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.endsWith(".jar") && e.contains("/target/vos-")).collect(Collectors.joining(":"));
        assumeTrue(jars.contains("vos-ring") && jars.contains("vos-sys"),
                "needs the reactor's jars on the class path (run through Maven): AOT caches classes from jars only");
        ProcessBackend backend = new ProcessBackend(ProcessHandle.current().info().command().orElseThrow(), jars);
        Set<String> namespaces = backend.availableNamespaces(Set.of("mount", "pid"));
        RunningDomain first = backend.start(launchInState(1, namespaces));
        Path aot = dir.resolve("state/aot");
        try {
            assertFalse(commandLine(first).contains("-XX:AOTCache"), "no cache yet: generation 1 starts without");
            long deadline = System.nanoTime() + 90_000_000_000L;
            while (cacheFile(aot) == null) {
                assertTrue(System.nanoTime() < deadline, "no AOT cache trained within 90 s; see "
                        + aot.resolve("training/domain.log"));
                Thread.sleep(50);
            }
        } finally {
            first.stop(Duration.ofSeconds(5));
        }
        Path cache = cacheFile(aot);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(aot)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
        RunningDomain second = backend.start(launchInState(2, namespaces));
        try (AgentSession session = AgentSession.attach(dir.resolve("state/domains/store0/agent.sock"), SMALL,
                WaitStrategy.busyPoll(), Duration.ofSeconds(10))) {
            assertTrue(commandLine(second).contains("-XX:AOTCache=" + cache), commandLine(second));
            assertEquals(0, session.ring().call(CoreCalls.NOP));
        } finally {
            second.stop(Duration.ofSeconds(5));
        }
        String log = Files.readString(dir.resolve("state/domains/store0/domain.log"));
        String secondLog = log.substring(log.indexOf("generation 2 of store0 starting"));
        assertFalse(secondLog.toLowerCase(java.util.Locale.ROOT).contains("aot"),
                "the JVM used the cache without a word: " + secondLog);
    }

    @Test
    void aClassPathWithDirectories_getsNoAotCache_andNoTraining() throws Exception {
        ProcessBackend backend = new ProcessBackend();
        assumeTrue(System.getProperty("java.class.path").contains("target/classes"), "a development class path");
        List<String> command = backend.command(launchInState(1, Set.of()), Set.of());
        assertTrue(command.stream().noneMatch(a -> a.startsWith("-XX:AOT")), command.toString());
        RunningDomain domain = backend.start(launchInState(1, Set.of()));
        domain.stop(Duration.ofSeconds(5));
        assertFalse(Files.exists(dir.resolve("state/aot")), "no training for a cache the JVM could not make");
    }

    private static String commandLine(RunningDomain domain) throws Exception {
        return Files.readString(Path.of("/proc", Long.toString(domain.pid()), "cmdline")).replace('\0', ' ');
    }

    private static Path cacheFile(Path aot) throws Exception {
        if (!Files.isDirectory(aot)) {
            return null;
        }
        try (var files = Files.list(aot)) {
            return files.filter(f -> f.getFileName().toString().matches("domain-[0-9a-f]+\\.aot")).findFirst()
                    .orElse(null);
        }
    }

    @Test
    void aRelativeClassPath_isMadeAbsolute_becauseTheDomainRunsInItsOwnDirectory() {
        String cwd = Path.of("").toAbsolutePath().toString();
        assertEquals(cwd + "/target/app.jar:/opt/lib/x.jar:" + cwd + "/lib/*",
                ProcessBackend.absolute("target/app.jar:/opt/lib/x.jar::lib/*"));
    }

    /**
     * The agent is told at launch who its supervisor is (a token file, owner-only, never the token on the command
     * line, which any local user can read in /proc), the domain's hang timeout, and which user is the control plane.
     */
    @Test
    void theAgentIsLaunchedWithTheSupervisorsTokenFile_theHangTimeout_andTheControlPlanesUser() throws Exception {
        RunningDomain domain = new ProcessBackend().start(launch(3, Set.of()));
        Path tokenFile = dir.resolve("store0/supervisor.token");
        try (AgentSession session = AgentSession.attach(dir.resolve("store0/agent.sock"), SMALL,
                WaitStrategy.sleeping(), Duration.ofSeconds(10));
             AgentSession supervisor = AgentSession.attachAsSupervisor(dir.resolve("store0/agent.sock"), SMALL,
                     SupervisorToken.read(tokenFile), WaitStrategy.sleeping(), Duration.ofSeconds(10))) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(tokenFile)));
            assertEquals(Duration.ofMillis(200), session.hangTimeout(), "the launch's hang timeout, announced");
            String cmdline = Files.readString(Path.of("/proc", Long.toString(domain.pid()), "cmdline"))
                    .replace('\0', ' ');
            assertTrue(cmdline.contains("--supervisor-token-file " + tokenFile), cmdline);
            assertTrue(cmdline.contains("--admit-uid " + Linux.getuid()), cmdline);
            assertFalse(cmdline.contains(Files.readString(tokenFile).strip()), "the token itself is not in argv");
            assertEquals(0, supervisor.ring().call(CoreCalls.NOP));
        } finally {
            domain.stop(Duration.ofSeconds(5));
        }
    }

    private static String field(String status, String name) {
        return status.lines().filter(l -> l.startsWith(name + ":")).findFirst().orElseThrow()
                .substring(name.length() + 1).strip();
    }

    private static boolean isRoot() throws java.io.IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    /** Where the descriptors of process {@code pid} that are directories lead. */
    private static List<String> openDirectories(long pid) throws java.io.IOException {
        List<String> dirs = new java.util.ArrayList<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (Files.isDirectory(target)) {
                        dirs.add(target.toString());
                    }
                } catch (java.io.IOException e) {
                    // closed meanwhile
                }
            }
        }
        return dirs;
    }

    @Test
    void signals_areNamedBothWays() {
        assertEquals(19, Signals.number("STOP"));
        assertEquals(9, Signals.number("sigkill"));
        assertEquals(15, Signals.number("15"));
        assertEquals("SIGCONT", Signals.name(18));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signals.number("KIL"));
        assertTrue(e.getMessage().startsWith("unknown signal 'KIL'; use one of"), e.getMessage());
        assertEquals("exited with status 3", new DomainExit(3).describe());
        assertEquals("killed by SIGSTOP", new DomainExit(128 + 19).describe());
    }
}
