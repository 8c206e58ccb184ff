package dev.vos.controlplane.spec;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Each kind of mistake an operator can make in a spec is reported with its exact line, its field path and a
 * message that says what is allowed. The specs are real files; line 1 is the text block's first line.
 */
class SpecErrorsTest {

    @TempDir
    Path dir;

    private Path file;

    @BeforeEach
    void exportRootExists() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        file = dir.resolve("host.yaml");
    }

    // --- the file itself

    @Test
    void missingFile_isNamed() {
        Path missing = dir.resolve("nope.yaml");
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(missing));
        assertEquals(missing + ": no such file", e.getMessage());
        assertEquals(0, e.problems().getFirst().line());
    }

    @Test
    void unreadableFile_isNamed() throws Exception {
        Files.writeString(file, "version: 1\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(file), "root reads any file");
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(file));
        assertEquals(file + ": cannot be read: permission denied", e.getMessage());
    }

    @Test
    void directory_isNotASpec() {
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(dir));
        assertEquals(dir + ": is a directory, not a spec file", e.getMessage());
    }

    @Test
    void emptyFile_saysWhatAMinimalSpecHolds() {
        SpecProblem p = only("# nothing yet\n");
        assertProblem(p, 0, "", "the spec is empty; it needs at least 'version: 1' and 'domains:'");
    }

    @Test
    void yamlSyntaxError_namesSnakeyamlsProblemLine() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                     kind: net
                """);
        assertProblem(p, 4, "", "YAML syntax error: mapping values are not allowed here");
        assertEquals(10, p.column());
    }

    @Test
    void documentThatIsNotAMapping() {
        SpecProblem p = only("- version: 1\n");
        assertProblem(p, 1, "", "expected a mapping with the fields version, controlPlane, supervisor, domains; "
                + "found a list");
    }

    // --- version and domains

    @Test
    void versionOtherThan1() {
        SpecProblem p = only("""
                version: 2
                domains:
                  - {name: net0, kind: net, net: {bind: [127.0.0.1]}}
                """);
        assertProblem(p, 1, "version", "version 2 is not supported; this vos reads version 1");
    }

    @Test
    void versionMissing() {
        SpecProblem p = only("""
                # a spec
                domains:
                  - {name: net0, kind: net, net: {bind: [127.0.0.1]}}
                """);
        assertProblem(p, 2, "version", "required field is missing; write 'version: 1' at the top");
    }

    @Test
    void domainsMissing() {
        assertProblem(only("version: 1\n"), 1, "domains", "required field is missing");
    }

    @Test
    void domainsEmpty() {
        SpecProblem p = only("""
                version: 1
                domains: []
                """);
        assertProblem(p, 2, "domains", "the list is empty; a host needs at least one domain");
    }

    // --- wrong types

    @Test
    void stringWhereANumberIsExpected() {
        SpecProblem p = only("""
                version: 1
                controlPlane:
                  metricsPort: http
                domains:
                  - {name: net0, kind: net, net: {bind: [127.0.0.1]}}
                """);
        assertProblem(p, 3, "controlPlane.metricsPort", "'http' is not a number; expected an integer from 0 to 65535");
    }

    @Test
    void quotedNumber_isAString() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                    kind: net
                    resources: {memoryMb: "256"}
                    net: {bind: [127.0.0.1]}
                """);
        assertProblem(p, 5, "domains[0].resources.memoryMb",
                "'256' is quoted, so it is a string; expected an integer from 32 to 65536, written without quotes");
    }

    @Test
    void fraction_isNotAWholeNumber() {
        SpecProblem p = only("""
                version: 1
                supervisor:
                  intensity: 2.5
                domains:
                  - {name: net0, kind: net, net: {bind: [127.0.0.1]}}
                """);
        assertProblem(p, 3, "supervisor.intensity", "2.5 is not a whole number; expected an integer of at least 0");
    }

    @Test
    void listWhereAMappingIsExpected() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                    kind: net
                    resources: [256]
                    net: {bind: [127.0.0.1]}
                """);
        assertProblem(p, 5, "domains[0].resources", "expected a mapping with the fields memoryMb, cpus; found a list");
    }

    @Test
    void mappingWhereAListIsExpected() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                    kind: net
                    net:
                      bind:
                        address: 127.0.0.1
                """);
        assertProblem(p, 7, "domains[0].net.bind", "expected a list of IP addresses, found a mapping");
    }

    @Test
    void valueMissing() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name:
                    kind: net
                    net: {bind: [127.0.0.1]}
                """);
        assertProblem(p, 3, "domains[0].name", "no value; expected a domain name");
    }

    // --- enums and unknown fields

    @Test
    void badEnumValue_nearMiss_suggests() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: storage0
                    kind: stroage
                """);
        assertProblem(p, 4, "domains[0].kind",
                "'stroage' is not a domain kind; expected one of: storage, net; did you mean 'storage'?");
    }

    @Test
    void badEnumValue_farOff_listsTheChoicesOnly() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                    kind: net
                    restart: {policy: always}
                    net: {bind: [127.0.0.1]}
                """);
        assertProblem(p, 5, "domains[0].restart.policy",
                "'always' is not a restart policy; expected one of: permanent, transient, temporary");
        assertFalse(p.message().contains("did you mean"), p.message());
    }

    @Test
    void unknownField_nearMiss_suggests() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                    kind: net
                    resouces: {memoryMb: 64}
                    net: {bind: [127.0.0.1]}
                """);
        assertProblem(p, 5, "domains[0].resouces", "unknown field; did you mean 'resources'?");
        assertEquals(5, p.column());
        assertEquals(file + ":5:5: domains[0].resouces: unknown field; did you mean 'resources'?",
                p.format(file.toString()));
    }

    @Test
    void unknownField_farOff_listsTheFields() {
        SpecProblem p = only("""
                version: 1
                controlPlane:
                  logLevel: debug
                domains:
                  - {name: net0, kind: net, net: {bind: [127.0.0.1]}}
                """);
        assertProblem(p, 3, "controlPlane.logLevel", "unknown field; expected one of: stateDir, metricsPort");
    }

    // --- duplicates and missing fields

    @Test
    void duplicateYamlKey() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                    kind: net
                    kind: storage
                    net: {bind: [127.0.0.1]}
                """);
        assertProblem(p, 5, "domains[0].kind", "duplicate field; first given on line 4");
    }

    @Test
    void duplicateDomainName() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                    kind: net
                    net: {bind: [127.0.0.1]}
                  - name: net0
                    kind: net
                    net: {bind: ["::1"]}
                """);
        assertProblem(p, 6, "domains[1].name", "'net0' is already the name of the domain on line 3");
    }

    @Test
    void invalidDomainName() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: Net_0
                    kind: net
                    net: {bind: [127.0.0.1]}
                """);
        assertProblem(p, 3, "domains[0].name", "'Net_0' is not a valid domain name; expected a lowercase letter");
    }

    @Test
    void requiredFieldMissing_isReportedAtItsDomain() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                    net: {bind: [127.0.0.1]}
                """);
        assertProblem(p, 3, "domains[0].kind", "required field is missing; expected one of: storage, net");
    }

    // --- rules of the domain

    @Test
    void memoryOutOfRange() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                    kind: net
                    resources:
                      memoryMb: 16
                    net: {bind: [127.0.0.1]}
                """);
        assertProblem(p, 6, "domains[0].resources.memoryMb",
                "16 is out of range; expected an integer from 32 to 65536");
    }

    @Test
    void cpuOutOfRange_namesTheCpuAndHowManyExist() {
        int cpus = Runtime.getRuntime().availableProcessors();
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                    kind: net
                    resources:
                      cpus: [0, %d]
                    net: {bind: [127.0.0.1]}
                """.formatted(cpus));
        assertProblem(p, 6, "domains[0].resources.cpus[1]", "CPU " + cpus + " does not exist; this host has " + cpus
                + " CPU");
    }

    @Test
    void netNamespace_onAStorageDomain() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: storage0
                    kind: storage
                    namespaces: [mount, pid, net]
                    storage: {exportRoot: data}
                """);
        assertProblem(p, 5, "domains[0].namespaces[2]", "'net' is only allowed for domains of kind net");
    }

    @Test
    void exportRootMissing_namesThePathAndSaysCreateIt() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: storage0
                    kind: storage
                    storage:
                      exportRoot: ./data/storage0
                """);
        Path missing = dir.resolve("data/storage0").toAbsolutePath();
        assertProblem(p, 6, "domains[0].storage.exportRoot", missing + " does not exist; create it (mkdir -p "
                + missing + ")");
        assertFalse(Files.exists(missing));
    }

    @Test
    void exportRootIsAFile() throws Exception {
        Files.writeString(dir.resolve("data/file"), "");
        SpecProblem p = only("""
                version: 1
                domains:
                  - {name: storage0, kind: storage, storage: {exportRoot: data/file}}
                """);
        assertProblem(p, 3, "domains[0].storage.exportRoot", "data/file is not a directory");
    }

    @Test
    void allowSpecialFiles_mustBeTrueOrFalse() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: storage0
                    kind: storage
                    storage: {exportRoot: data, allowSpecialFiles: yes}
                """);
        assertProblem(p, 5, "domains[0].storage.allowSpecialFiles", "'yes' is not true or false");
    }

    @Test
    void mapReads_mustBeTrueOrFalse() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: storage0
                    kind: storage
                    storage: {exportRoot: data, mapReads: "no"}
                """);
        assertProblem(p, 5, "domains[0].storage.mapReads", "'no' is not true or false");
    }

    @Test
    void storageDomainWithoutStorageSection() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: storage0
                    kind: storage
                """);
        assertProblem(p, 3, "domains[0].storage", "required field is missing; a domain of kind storage needs "
                + "'storage:' with exportRoot");
    }

    @Test
    void netSectionOnAStorageDomain() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: storage0
                    kind: storage
                    storage: {exportRoot: data}
                    net: {bind: [127.0.0.1]}
                """);
        assertProblem(p, 6, "domains[0].net", "only a domain of kind net has this section");
    }

    @Test
    void unixDirectories_mustBeDirectoriesOfTheirOwn() {
        List<SpecProblem> found = problems("""
                version: 1
                controlPlane: {stateDir: ./state}
                domains:
                  - name: net0
                    kind: net
                    net:
                      bind: [127.0.0.1]
                      unix: [/run, /etc/vos, ./state/sockets, "./a,b", ./sockets, ./sockets]
                """);
        assertEquals(5, found.size(), found::toString);
        assertProblem(found.get(0), 8, "domains[0].net.unix[0]", "is or holds the system directory /run");
        assertProblem(found.get(1), 8, "domains[0].net.unix[1]", "is inside /etc");
        assertProblem(found.get(2), 8, "domains[0].net.unix[2]", "overlaps the control plane's state directory");
        assertProblem(found.get(3), 8, "domains[0].net.unix[3]", "has a comma");
        assertProblem(found.get(4), 8, "domains[0].net.unix[5]", "is listed twice");
    }

    @Test
    void aUnixDirectory_mayNotHoldTheMetricsSocket() throws Exception {
        Files.createDirectories(dir.resolve("sockets")); // the metrics socket's folder must exist
        SpecProblem p = only("""
                version: 1
                controlPlane: {metricsSocket: ./sockets/metrics.sock}
                domains:
                  - {name: net0, kind: net, net: {bind: [127.0.0.1], unix: [./sockets]}}
                """);
        assertTrue(p.message().contains("domain net0: net.unix " + dir.resolve("sockets")
                + " holds the control plane's metrics socket"), p.message());
    }

    @Test
    void twoNetDomains_mayNotShareAUnixDirectory() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - {name: net0, kind: net, net: {bind: [127.0.0.1], unix: [./sockets]}}
                  - {name: net1, kind: net, net: {bind: [127.0.0.1], unix: [./sockets/inner]}}
                """);
        assertTrue(p.message().contains("domains net0 and net1: net.unix " + dir.resolve("sockets") + " and "
                + dir.resolve("sockets/inner") + " overlap"), p.message());
    }

    @Test
    void aUnixDirectory_mayNotOverlapAnExportRoot() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - {name: storage0, kind: storage, storage: {exportRoot: ./data}}
                  - {name: net0, kind: net, net: {bind: [127.0.0.1], unix: [./data/sockets]}}
                """);
        assertTrue(p.message().contains("domain net0: net.unix " + dir.resolve("data/sockets")
                + " overlaps the export root " + dir.resolve("data") + " of domain storage0"), p.message());
    }

    @Test
    void bindAddress_mustBeALiteral_notAName() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                    kind: net
                    net:
                      bind: [127.0.0.1, localhost]
                """);
        assertProblem(p, 6, "domains[0].net.bind[1]", "'localhost' is not an IP address; expected an IPv4");
    }

    @Test
    void xenBackend_withoutXenConfig() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: storage0
                    kind: storage
                    backend: xen
                    storage: {exportRoot: data}
                """);
        assertProblem(p, 3, "domains[0].xen", "required field is missing; a domain of backend xen needs 'xen:' with "
                + "config");
    }

    @Test
    void xenBackend_withAnEmptyXenSection() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: storage0
                    kind: storage
                    backend: xen
                    storage: {exportRoot: data}
                    xen:
                """);
        assertProblem(p, 7, "domains[0].xen.config", "required field is missing; give the path of the guest's xl "
                + "config file");
    }

    @Test
    void xenSection_onAProcessDomain() throws Exception {
        Files.writeString(dir.resolve("guest.cfg"), "");
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                    kind: net
                    net: {bind: [127.0.0.1]}
                    xen: {config: guest.cfg}
                """);
        assertProblem(p, 6, "domains[0].xen", "only a domain of backend xen has this section");
    }

    @Test
    void standby_onAXenDomain_orNotABoolean_isRefused() throws Exception {
        Files.writeString(dir.resolve("guest.cfg"), "");
        List<SpecProblem> problems = problems("""
                version: 1
                domains:
                  - {name: net0, kind: net, backend: xen, standby: true, xen: {config: guest.cfg},
                     net: {bind: [127.0.0.1]}}
                  - {name: net1, kind: net, standby: yes, net: {bind: [127.0.0.1]}}
                """);
        assertEquals(2, problems.size(), problems.toString());
        assertProblem(problems.get(0), 3, "domains[0].standby", "a standby is kept for backend process only");
        assertProblem(problems.get(1), 5, "domains[1].standby", "'yes' is not true or false");
    }

    // --- restart limits and control plane

    @Test
    void backoffCapBelowTheFirstDelay() {
        SpecProblem p = only("""
                version: 1
                supervisor:
                  backoff:
                    initialMs: 500
                    maxMs: 200
                domains:
                  - {name: net0, kind: net, net: {bind: [127.0.0.1]}}
                """);
        assertProblem(p, 5, "supervisor.backoff.maxMs", "maxMs 200 is less than initialMs 500");
    }

    @Test
    void domainInitialDelayAboveTheInheritedCap() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                    kind: net
                    restart:
                      backoff: {initialMs: 20000}
                    net: {bind: [127.0.0.1]}
                """);
        assertProblem(p, 6, "domains[0].restart.backoff.initialMs",
                "initialMs 20000 is more than the inherited maxMs 10000");
    }

    @Test
    void hangTimeout_withinTheRingsBounds() {
        SpecProblem p = only("""
                version: 1
                supervisor: {hangTimeoutMs: 5}
                domains:
                  - {name: net0, kind: net, net: {bind: [127.0.0.1]}}
                """);
        assertProblem(p, 2, "supervisor.hangTimeoutMs", "5 is out of range; expected an integer from 10 to 60000");
    }

    @Test
    void startTimeout_belowTheLeastAStartCanTake() {
        SpecProblem p = only("""
                version: 1
                domains:
                  - name: net0
                    kind: net
                    startTimeoutMs: 50
                    net: {bind: [127.0.0.1]}
                """);
        assertProblem(p, 5, "domains[0].startTimeoutMs", "50 is out of range; expected an integer from 100 to 600000");
    }

    @Test
    void stopGrace_negativeOrUnbounded_isRefused() {
        List<SpecProblem> problems = problems("""
                version: 1
                domains:
                  - {name: net0, kind: net, stopGraceMs: -1, net: {bind: [127.0.0.1]}}
                  - {name: net1, kind: net, stopGraceMs: infinity, net: {bind: [127.0.0.1]}}
                """);
        assertEquals(2, problems.size(), problems.toString());
        assertProblem(problems.get(0), 3, "domains[0].stopGraceMs",
                "-1 is out of range; expected an integer from 0 to 600000");
        assertProblem(problems.get(1), 4, "domains[1].stopGraceMs", "'infinity' is not a number");
    }

    @Test
    void stateDirIsAFile() throws Exception {
        Files.writeString(dir.resolve("state"), "");
        SpecProblem p = only("""
                version: 1
                controlPlane: {stateDir: state}
                domains:
                  - {name: net0, kind: net, net: {bind: [127.0.0.1]}}
                """);
        assertProblem(p, 2, "controlPlane.stateDir", "exists but is not a directory");
    }

    @Test
    void tildeInAPath_isNotExpanded() {
        SpecProblem p = only("""
                version: 1
                controlPlane: {stateDir: ~/vos}
                domains:
                  - {name: net0, kind: net, net: {bind: [127.0.0.1]}}
                """);
        assertProblem(p, 2, "controlPlane.stateDir", "'~' is not expanded");
    }

    // --- many problems at once

    @Test
    void threeDifferentErrors_areAllReported_inLineOrder() {
        List<SpecProblem> problems = problems("""
                version: 1
                domains:
                  - name: net0
                    kind: net
                    net: {bind: [127.0.0.1]}
                  - name: storage0
                    kind: storage
                    resources: {memoryMb: lots}
                    storage: {exportRoot: ./missing}
                  - name: net0
                    kind: net
                    net: {bind: ["::1"]}
                """);
        assertEquals(3, problems.size(), problems.toString());
        assertProblem(problems.get(0), 8, "domains[1].resources.memoryMb", "'lots' is not a number");
        assertProblem(problems.get(1), 9, "domains[1].storage.exportRoot", "does not exist");
        assertProblem(problems.get(2), 10, "domains[2].name", "'net0' is already the name");

        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(file));
        String[] lines = e.getMessage().split("\n");
        assertEquals(3, lines.length, e.getMessage());
        assertEquals(file + ":8:27: domains[1].resources.memoryMb: 'lots' is not a number; expected an integer "
                + "from 32 to 65536", lines[0]);
        assertTrue(lines[1].startsWith(file + ":9:27: domains[1].storage.exportRoot: "), lines[1]);
        assertTrue(lines[2].startsWith(file + ":10:11: domains[2].name: "), lines[2]);
    }

    @Test
    void problemsAreSortedByLine_evenWhenFoundOutOfOrder() {
        // The missing 'kind' is found when the domain is read (line 3), after the top level's unknown field on
        // line 6 has been reported.
        List<SpecProblem> problems = problems("""
                version: 1
                domains:
                  - name: net0
                    net: {bind: [127.0.0.1]}
                    resources: {memoryMb: 1}
                extra: true
                """);
        assertEquals(List.of(3, 5, 6), problems.stream().map(SpecProblem::line).toList(), problems.toString());
    }

    private List<SpecProblem> problems(String yaml) {
        try {
            Files.writeString(file, yaml);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(file));
        return e.problems();
    }

    private SpecProblem only(String yaml) {
        List<SpecProblem> problems = problems(yaml);
        assertEquals(1, problems.size(), () -> "expected one problem, got:\n" + problems.stream()
                .map(p -> p.format("host.yaml")).reduce((a, b) -> a + "\n" + b).orElse(""));
        return problems.getFirst();
    }

    private static void assertProblem(SpecProblem problem, int line, String field, String messageFragment) {
        String shown = problem.format("host.yaml");
        assertEquals(line, problem.line(), shown);
        assertEquals(field, problem.field(), shown);
        assertTrue(problem.message().contains(messageFragment),
                () -> "expected '" + messageFragment + "' in: " + shown);
    }
}
