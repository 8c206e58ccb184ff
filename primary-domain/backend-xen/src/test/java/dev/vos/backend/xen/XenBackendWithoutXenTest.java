package dev.vos.backend.xen;

import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.spec.HostSpec;
import dev.vos.controlplane.spec.SpecParser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * On a host without Xen (any ordinary build machine) every xen command fails at once with one line, and nothing
 * is left behind: not a state directory, not a domain of the spec's other backend.
 */
class XenBackendWithoutXenTest {

    @TempDir
    Path dir;
    private Path specFile;

    @BeforeEach
    void spec() throws IOException {
        assumeFalse(Files.exists(Path.of("/proc/xen/privcmd")) || Files.exists(Path.of("/dev/xen/privcmd")),
                "this host is a Xen dom0");
        Files.createDirectories(dir.resolve("export"));
        Files.writeString(dir.resolve("guest.cfg"), "kernel = \"/boot/vmlinuz\"\nmemory = 96\n");
        specFile = dir.resolve("host.yaml");
        Files.writeString(specFile, """
                version: 1
                controlPlane: {stateDir: ./state, metricsPort: 0}
                domains:
                  - {name: local0, kind: storage, storage: {exportRoot: ./export}, namespaces: []}
                  - {name: guest0, kind: storage, backend: xen, xen: {config: guest.cfg},
                     storage: {exportRoot: ./export}}
                """);
    }

    @Test
    void controlPlane_refusesAtOnce_withOneLine_andStartsNothing() throws Exception {
        HostSpec spec = SpecParser.parse(specFile);
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> ControlPlane.start(spec, new PrintStream(
                PrintStream.nullOutputStream())));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().startsWith("domain guest0: backend 'xen': "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(ms < 2_000, "took " + ms + " ms");
        assertFalse(Files.exists(dir.resolve("state")), "a state directory was created");
    }
}
