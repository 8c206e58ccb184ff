package dev.vos.controlplane.spec;

import dev.vos.ring.agent.StateDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Valid specs become the expected model: every default filled in, every override applied, paths resolved. */
class SpecParserTest {

    @TempDir
    Path dir;

    @Test
    void fullSpec_roundTripsIntoTheModel() throws Exception {
        Files.createDirectories(dir.resolve("data/storage0"));
        Files.writeString(dir.resolve("guest.cfg"), "name = 'storage1'\n");
        Path file = write("host.yaml", """
                version: 1
                controlPlane:
                  stateDir: ./vos-state
                  metricsPort: 0
                supervisor:
                  intensity: 4
                  periodSeconds: 20
                  backoff:
                    initialMs: 50
                    maxMs: 5000
                  hangTimeoutMs: 250
                domains:
                  - name: storage0
                    kind: storage
                    backend: process
                    restart:
                      policy: transient
                      intensity: 3
                      backoff: {maxMs: 8000}
                    startTimeoutMs: 20000
                    stopGraceMs: 0
                    resources:
                      memoryMb: 256
                      cpus: [0]
                    namespaces: [mount, pid, user]
                    attachGroup: 1001
                    storage:
                      exportRoot: ./data/storage0
                  - name: net0
                    kind: net
                    namespaces: [net]
                    net:
                      bind: [127.0.0.1, "::1"]
                      unix: [./sockets]
                  - name: storage1
                    kind: storage
                    backend: xen
                    restart: {policy: temporary, hangTimeoutMs: 1000}
                    stopGraceMs: 60000
                    storage: {exportRoot: data/storage0}
                    xen: {config: guest.cfg}
                """);

        HostSpec spec = SpecParser.parse(file);

        Path exportRoot = dir.resolve("data/storage0").toAbsolutePath();
        SupervisorSpec supervisor = new SupervisorSpec(4, 20, 50, 5000, 250);
        HostSpec expected = new HostSpec(1, file.toAbsolutePath(),
                new ControlPlaneSpec(dir.resolve("vos-state").toAbsolutePath(), 0),
                supervisor,
                List.of(new DomainSpec("storage0", DomainKind.STORAGE, BackendKind.PROCESS, RestartPolicy.TRANSIENT,
                                new SupervisorSpec(3, 20, 50, 8000, 250),        // overrides on top of supervisor:
                                20_000, 0,
                                new ResourcesSpec(256, List.of(0)),
                                EnumSet.of(Namespace.MOUNT, Namespace.PID, Namespace.USER),
                                new StorageSpec(exportRoot), null, null, OptionalInt.of(1001), Set.of()),
                        new DomainSpec("net0", DomainKind.NET, BackendKind.PROCESS, RestartPolicy.PERMANENT,
                                supervisor, DomainSpec.DEFAULT_START_TIMEOUT_MS, DomainSpec.DEFAULT_STOP_GRACE_MS,
                                ResourcesSpec.DEFAULTS, EnumSet.of(Namespace.NET), null,
                                new NetSpec(List.of(InetAddress.ofLiteral("127.0.0.1"), InetAddress.ofLiteral("::1")),
                                        List.of(dir.resolve("sockets").toAbsolutePath())),
                                null, OptionalInt.empty(), Set.of()),
                        new DomainSpec("storage1", DomainKind.STORAGE, BackendKind.XEN, RestartPolicy.TEMPORARY,
                                new SupervisorSpec(4, 20, 50, 5000, 1000), DomainSpec.DEFAULT_START_TIMEOUT_MS, 60_000,
                                ResourcesSpec.DEFAULTS,
                                DomainSpec.DEFAULT_NAMESPACES, new StorageSpec(exportRoot), null,
                                new XenSpec(dir.resolve("guest.cfg").toAbsolutePath()), OptionalInt.empty(),
                                Set.of())));
        assertEquals(expected, spec);
        assertEquals("net0", spec.domain("net0").orElseThrow().name());
        assertTrue(spec.domain("net1").isEmpty());
    }

    @Test
    void minimalSpec_getsEveryDefault() throws Exception {
        HostSpec spec = SpecParser.parse(write("host.yaml", """
                version: 1
                domains:
                  - name: net0
                    kind: net
                    net: {bind: [127.0.0.1]}
                """));

        assertEquals(StateDirectory.defaultPath(System.getenv(), System.getProperty("user.home")),
                spec.controlPlane().stateDir());
        assertEquals(9464, spec.controlPlane().metricsPort());
        assertEquals(new SupervisorSpec(5, 60, 100, 10_000, 500), spec.supervisor());
        assertEquals(SupervisorSpec.DEFAULTS, spec.supervisor());
        DomainSpec net0 = spec.domains().getFirst();
        assertEquals(BackendKind.PROCESS, net0.backend());
        assertEquals(RestartPolicy.PERMANENT, net0.restart());
        assertEquals(SupervisorSpec.DEFAULTS, net0.limits());
        assertEquals(30_000, net0.startTimeoutMs(), "OTP has no start timeout; vos gives a start 30 s");
        assertEquals(5_000, net0.stopGraceMs(), "OTP's shutdown of a worker");
        assertEquals(new ResourcesSpec(128, List.of()), net0.resources());
        assertEquals(EnumSet.of(Namespace.MOUNT, Namespace.PID), net0.namespaces());
        assertNull(net0.storage());
        assertNull(net0.xen());
    }

    @Test
    void emptySections_meanDefaults() throws Exception {
        HostSpec spec = SpecParser.parse(write("host.yaml", """
                version: 1
                controlPlane:
                supervisor: {}
                domains:
                  - name: net0
                    kind: net
                    restart:
                    resources:
                    namespaces: []
                    net: {bind: [127.0.0.1]}
                """));

        assertEquals(SupervisorSpec.DEFAULTS, spec.domains().getFirst().limits());
        assertEquals(ResourcesSpec.DEFAULTS, spec.domains().getFirst().resources());
        assertEquals(EnumSet.noneOf(Namespace.class), spec.domains().getFirst().namespaces());
    }

    @Test
    void relativePaths_resolveAgainstTheSpecsFolder_notTheWorkingDirectory() throws Exception {
        Files.createDirectories(dir.resolve("data/storage0"));
        Path absoluteState = dir.resolve("elsewhere").toAbsolutePath();
        Path file = write("conf/host.yaml", """
                version: 1
                controlPlane: {stateDir: state}
                domains:
                  - name: storage0
                    kind: storage
                    storage: {exportRoot: ../data/./storage0}
                """);
        HostSpec spec = SpecParser.parse(file);
        assertEquals(dir.resolve("conf/state").toAbsolutePath(), spec.controlPlane().stateDir());
        assertEquals(dir.resolve("data/storage0").toAbsolutePath(), spec.domains().getFirst().storage().exportRoot());

        Files.writeString(file, Files.readString(file).replace("stateDir: state", "stateDir: " + absoluteState));
        assertEquals(absoluteState, SpecParser.parse(file).controlPlane().stateDir());
    }

    @Test
    void allowSpecialFiles_isFalseUnlessTheSpecSaysTrue() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        HostSpec spec = SpecParser.parse(write("host.yaml", """
                version: 1
                domains:
                  - {name: storage0, kind: storage, storage: {exportRoot: data}}
                  - {name: storage1, kind: storage, storage: {exportRoot: data, allowSpecialFiles: true}}
                  - {name: storage2, kind: storage, storage: {exportRoot: data, allowSpecialFiles: false}}
                """));
        assertEquals(List.of(false, true, false),
                spec.domains().stream().map(d -> d.storage().allowSpecialFiles()).toList());
    }

    @Test
    void mapReads_isTrueUnlessTheSpecSaysFalse() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        HostSpec spec = SpecParser.parse(write("host.yaml", """
                version: 1
                domains:
                  - {name: storage0, kind: storage, storage: {exportRoot: data}}
                  - {name: storage1, kind: storage, storage: {exportRoot: data, mapReads: false}}
                  - {name: storage2, kind: storage, storage: {exportRoot: data, mapReads: true}}
                """));
        assertEquals(List.of(true, false, true), spec.domains().stream().map(d -> d.storage().mapReads()).toList());
    }

    @Test
    void standby_isFalseUnlessTheSpecSaysTrue() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        HostSpec spec = SpecParser.parse(write("host.yaml", """
                version: 1
                domains:
                  - {name: storage0, kind: storage, storage: {exportRoot: data}}
                  - {name: storage1, kind: storage, standby: true, storage: {exportRoot: data}}
                  - {name: storage2, kind: storage, standby: false, storage: {exportRoot: data}}
                """));
        assertEquals(List.of(false, true, false), spec.domains().stream().map(DomainSpec::standby).toList());
    }

    @Test
    void parseString_resolvesAgainstTheGivenFolder_andHasNoFile() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        HostSpec spec = SpecParser.parse("""
                version: 1
                domains:
                  - {name: storage0, kind: storage, storage: {exportRoot: data}}
                """, dir);
        assertNull(spec.specFile());
        assertEquals(dir.resolve("data").toAbsolutePath(), spec.domains().getFirst().storage().exportRoot());
    }

    @Test
    void yamlAnchorsAndMergeKeys_work_writtenFieldsWin() throws Exception {
        HostSpec spec = SpecParser.parse("""
                version: 1
                domains:
                  - &base
                    name: net0
                    kind: net
                    resources: {memoryMb: 64}
                    net: {bind: [127.0.0.1]}
                  - <<: *base
                    name: net1
                """, dir);
        assertEquals(64, spec.domain("net1").orElseThrow().resources().memoryMb());
        assertEquals(2, spec.domains().size());
    }

    @Test
    void parsing_hasNoSideEffects() throws Exception {
        Path file = write("host.yaml", """
                version: 1
                controlPlane: {stateDir: ./not-yet}
                domains:
                  - {name: net0, kind: net, net: {bind: ["::1"]}}
                """);
        assertEquals(dir.resolve("not-yet").toAbsolutePath(), SpecParser.parse(file).controlPlane().stateDir());
        assertFalse(Files.exists(dir.resolve("not-yet")), "the parser must not create the state folder");
    }

    @Test
    void defaultStateDir_followsXdg() {
        assertEquals(Path.of("/xdg/state/vos"), StateDirectory.defaultPath(Map.of("XDG_STATE_HOME", "/xdg/state"),
                "/home/op"));
        assertEquals(Path.of("/home/op/.local/state/vos"), StateDirectory.defaultPath(Map.of(), "/home/op"));
        // The XDG rules: a relative or empty value is ignored.
        assertEquals(Path.of("/home/op/.local/state/vos"),
                StateDirectory.defaultPath(Map.of("XDG_STATE_HOME", "state"), "/home/op"));
        assertEquals(Path.of("/home/op/.local/state/vos"),
                StateDirectory.defaultPath(Map.of("XDG_STATE_HOME", ""), "/home/op"));
    }

    private Path write(String name, String yaml) throws Exception {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, yaml);
    }
}
