package dev.vos.controlplane.spec;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Specs that are well formed but unsafe, or built to hurt the parser, are refused with the spec's usual
 * {@code FILE:LINE:COL: FIELD: message}, never accepted and never a raw Java error. The domain runs with the
 * control plane's uid, so an export root decides what every client may reach.
 */
@Timeout(60)
class SpecSafetyTest {

    @TempDir
    Path dir;

    private Path file;

    @BeforeEach
    void files() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        file = dir.resolve("host.yaml");
    }

    // --- export roots

    @Test
    void exportRootSlash_isRefused() {
        SpecProblem p = onlyExportRoot("/");
        assertProblem(p, 5, "domains[0].storage.exportRoot", "/ is a system directory");
    }

    @Test
    void exportRootThatIsOrHoldsASystemDirectory_isRefused() {
        for (String root : List.of("/etc", "/usr", "/boot", "/proc", "/sys", "/dev", "/var", "/root", "/run")) {
            SpecProblem p = onlyExportRoot(root);
            assertProblem(p, 5, "domains[0].storage.exportRoot", root + " is a system directory");
        }
    }

    @Test
    void exportRootInsideAKernelOrConfigurationTree_isRefused() {
        // /dev/shm holds every client's ring segments; /proc/sys and /sys/kernel are the kernel's switches.
        for (String root : List.of("/dev/shm", "/proc/sys", "/sys/kernel", "/etc/ssl")) {
            SpecProblem p = onlyExportRoot(root);
            assertProblem(p, 5, "domains[0].storage.exportRoot", root + " is inside " + root.substring(0,
                    root.indexOf('/', 1)));
        }
    }

    @Test
    void exportRootThatIsASymlink_isRefused_namingTheTarget() throws Exception {
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("data"));
        SpecProblem p = onlyExportRoot("./link");
        assertProblem(p, 5, "domains[0].storage.exportRoot", dir.resolve("link") + " is a symbolic link (to "
                + dir.resolve("data") + ")");
    }

    @Test
    void exportRootWithASymlinkComponent_isRefused_namingTheComponent() throws Exception {
        Files.createDirectories(dir.resolve("real/export"));
        Files.createSymbolicLink(dir.resolve("via"), dir.resolve("real"));
        SpecProblem p = onlyExportRoot("./via/export");
        assertProblem(p, 5, "domains[0].storage.exportRoot", dir.resolve("via") + " is a symbolic link (to "
                + dir.resolve("real") + ")");
    }

    @Test
    void exportRootThatContainsTheStateDirectory_isRefused() throws Exception {
        SpecProblem p = only("""
                version: 1
                controlPlane: {stateDir: ./data/state}
                domains:
                  - name: storage0
                    kind: storage
                    storage: {exportRoot: ./data}
                """);
        assertProblem(p, 6, "domains[0].storage.exportRoot", dir.resolve("data") + " contains the control"
                + " plane's state directory " + dir.resolve("data/state"));
    }

    @Test
    void exportRootThatIsOrIsInsideTheStateDirectory_isRefused() throws Exception {
        Files.createDirectories(dir.resolve("state/export"));
        List<SpecProblem> problems = problems("""
                version: 1
                controlPlane: {stateDir: ./state}
                domains:
                  - {name: storage0, kind: storage, storage: {exportRoot: ./state/export}}
                  - {name: storage1, kind: storage, storage: {exportRoot: ./state}}
                """);
        assertEquals(2, problems.size(), problems.toString());
        assertProblem(problems.get(0), 4, "domains[0].storage.exportRoot", dir.resolve("state/export")
                + " is inside the control plane's state directory " + dir.resolve("state"));
        assertProblem(problems.get(1), 5, "domains[1].storage.exportRoot", dir.resolve("state")
                + " is the control plane's state directory");
    }

    @Test
    void theDefaultStateDirectory_isCheckedToo() throws Exception {
        // No stateDir: the default, $XDG_STATE_HOME/vos; an export root of $XDG_STATE_HOME holds it.
        Files.createDirectories(dir.resolve("xdg"));
        SpecParser parser = new SpecParser("host.yaml", file, dir, Map.of("XDG_STATE_HOME", dir.resolve("xdg")
                .toString()), "/nonexistent", 2);
        SpecException e = assertThrows(SpecException.class, () -> parser.read(spec("./xdg")));
        assertEquals(1, e.problems().size(), e.getMessage());
        assertProblem(e.problems().getFirst(), 5, "domains[0].storage.exportRoot", dir.resolve("xdg")
                + " contains the control plane's state directory " + dir.resolve("xdg/vos"));
    }

    @Test
    void anOrdinaryExportRoot_isAccepted() throws Exception {
        Files.writeString(file, spec("./data"));
        HostSpec spec = SpecParser.parse(file);
        assertEquals(dir.resolve("data"), spec.domains().getFirst().storage().exportRoot());
    }

    // --- the metrics endpoint's switches

    @Test
    void aTokenFileEveryUserCanRead_isRefused() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "s3cret");
        Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        SpecProblem p = only("""
                version: 1
                controlPlane: {metricsTokenFile: ./token}
                domains: [{name: net0, kind: net, net: {bind: [127.0.0.1]}}]
                """);
        assertProblem(p, 2, "controlPlane.metricsTokenFile", token + " is rw-r--r--: every local user could read");
        Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(token, SpecParser.parse(file).controlPlane().metricsTokenFile());
    }

    @Test
    void aMetricsSocketAndAPort_areOneTooMany_andTheSocketIsRead() throws Exception {
        SpecProblem p = only("""
                version: 1
                controlPlane: {metricsPort: 9464, metricsSocket: ./metrics.sock}
                domains: [{name: net0, kind: net, net: {bind: [127.0.0.1]}}]
                """);
        assertProblem(p, 2, "controlPlane.metricsSocket", "give metricsPort or metricsSocket, not both");
        Files.writeString(file, """
                version: 1
                controlPlane: {metricsSocket: ./metrics.sock}
                domains: [{name: net0, kind: net, net: {bind: [127.0.0.1]}}]
                """);
        assertEquals(dir.resolve("metrics.sock"), SpecParser.parse(file).controlPlane().metricsSocket());
    }

    // --- specs built to hurt the parser

    @Test
    void deepNesting_isOneLineWithItsPlace_notAStackOverflowError() throws Exception {
        int depth = 100_000;
        Files.writeString(file, "version: 1\nx: " + "[".repeat(depth) + "]".repeat(depth) + "\n");
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(file));
        assertEquals(1, e.problems().size(), e.getMessage());
        SpecProblem p = e.problems().getFirst();
        assertEquals(2, p.line(), p.toString());
        assertEquals(3 + SpecParser.MAX_NESTING, p.column(), "the first bracket past the limit: " + p);
        assertEquals(file + ":2:" + p.column() + ": the YAML nests more than " + SpecParser.MAX_NESTING
                + " levels deep; a spec needs 5", e.getMessage());
    }

    @Test
    void deepBlockNesting_isRefusedToo() throws Exception {
        StringBuilder yaml = new StringBuilder("version: 1\n");
        for (int i = 0; i < 1_200; i++) { // 720 KB: within the size limit
            yaml.append(" ".repeat(i)).append("k:\n");
        }
        Files.writeString(file, yaml);
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(file));
        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("nests more than " + SpecParser.MAX_NESTING + " levels"), e.getMessage());
    }

    @Test
    void tooManyDomains_isRefusedAtTheList_withTheLimit() throws Exception {
        StringBuilder yaml = new StringBuilder("version: 1\ndomains:\n");
        for (int i = 0; i <= SpecParser.MAX_DOMAINS; i++) {
            yaml.append("  - {name: n").append(i).append(", kind: net, net: {bind: [127.0.0.1]}}\n");
        }
        Files.writeString(file, yaml);
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(file));
        assertEquals(1, e.problems().size(), e.getMessage());
        assertEquals(file + ":3:3: domains: " + (SpecParser.MAX_DOMAINS + 1) + " domains; a host may have at most "
                + SpecParser.MAX_DOMAINS, e.getMessage());
    }

    @Test
    void twentyThousandDomains_areRefusedQuickly() throws Exception {
        StringBuilder yaml = new StringBuilder("version: 1\ndomains:\n");
        for (int i = 0; i < 20_000; i++) {
            yaml.append("- {name: n").append(i).append(", kind: net, net: {bind: [127.0.0.1]}}\n");
        }
        Files.writeString(file, yaml);
        long t0 = System.nanoTime();
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(file));
        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("a host may have at most " + SpecParser.MAX_DOMAINS)
                || e.getMessage().contains("a spec may be at most"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "refused within 10 s");
    }

    @Test
    void aHugeFile_isRefusedBeforeItIsRead() throws Exception {
        Files.writeString(file, "version: 1\n" + ("# " + "x".repeat(1021) + "\n").repeat(2048));
        long size = Files.size(file);
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(file));
        assertEquals(file + ": is " + size + " bytes; a spec may be at most " + SpecParser.MAX_SPEC_BYTES
                + " bytes", e.getMessage());
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a read of a FIFO ignores interrupts
    void aFifo_isNotReadFrom() throws Exception {
        Path fifo = dir.resolve("fifo.yaml");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        SpecException e = assertThrows(SpecException.class, () -> SpecParser.parse(fifo));
        assertEquals(fifo + ": is not a regular file", e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------------------

    private static String spec(String exportRoot) {
        return """
                version: 1
                domains:
                  - name: storage0
                    kind: storage
                    storage: {exportRoot: %s}
                """.formatted(exportRoot);
    }

    private SpecProblem onlyExportRoot(String exportRoot) {
        return only(spec(exportRoot));
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
