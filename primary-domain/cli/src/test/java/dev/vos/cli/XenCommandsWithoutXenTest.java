package dev.vos.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * On a host without Xen (any ordinary build machine) the vos commands that need it, {@code vos up} of a spec with
 * a xen domain and {@code vos xen}, exit 1 at once with one line.
 */
class XenCommandsWithoutXenTest {

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
    void vosUp_exits1_withOneLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = VosCli.run(new PrintWriter(out, true), new PrintWriter(err, true), "up", specFile.toString());
        assertEquals(1, rc);
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("vos up: domain guest0: backend 'xen': libxenlight")
                || err.toString().startsWith("vos up: domain guest0: backend 'xen': libxenlight is installed but"),
                err.toString());
    }

    @Test
    void vosXen_exits1_withOneLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = VosCli.run(new PrintWriter(out, true), new PrintWriter(err, true), "xen");
        assertEquals(1, rc);
        assertEquals("", out.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("vos xen: "), err.toString());
        assertTrue(err.toString().contains("use 'backend: process'"), err.toString());
    }
}
