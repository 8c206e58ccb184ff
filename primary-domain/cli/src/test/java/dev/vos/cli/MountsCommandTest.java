package dev.vos.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vos mounts}: a table read as a JVM would read it, and its mount points made on the host. */
class MountsCommandTest {

    @TempDir
    Path dir;

    @Test
    void check_printsTheMounts_orEveryProblem() throws Exception {
        Path good = Files.writeString(dir.resolve("good"), "/srv/data storage0:/\n/srv/logs storage0:/logs\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, VosCli.run(new PrintWriter(out, true), new PrintWriter(err, true), "mounts", "check",
                good.toString()), err.toString());
        assertEquals("/srv/data storage0:/\n/srv/logs storage0:/logs\n", out.toString());

        Path bad = Files.writeString(dir.resolve("bad"), "srv storage0:/\n/a Bad:/\n");
        err = new StringWriter();
        assertEquals(1, VosCli.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "mounts",
                "check", bad.toString()));
        assertEquals(2, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith(bad + ":1:1: prefix 'srv': not absolute"), err.toString());
    }

    @Test
    void prepare_makesEachPrefixADirectoryWithOneReadme() throws Exception {
        Path point = dir.resolve("srv/data");
        Path table = Files.writeString(dir.resolve("mounts"), point + " storage0:/\n");
        StringWriter err = new StringWriter();
        assertEquals(0, VosCli.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "mounts",
                "prepare", table.toString()), err.toString());
        try (var entries = Files.list(point)) {
            assertEquals(java.util.List.of(point.resolve("README.vos-mount")), entries.toList());
        }
    }
}
