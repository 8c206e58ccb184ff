package dev.vos.cli;

import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.control.ControlSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vos perf stat|record} end to end on a real child process; a domain resolved through a control socket. */
class PerfCommandTest {

    @TempDir
    Path dir;

    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = VosCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void stat_domainResolvedThroughTheControlPlane_countsItsProcessAndWritesFiles() throws Exception {
        Process child = new ProcessBuilder("sleep", "30").start();
        // A stand-in control plane: answers ps with one running domain whose JVM is the child.
        try (ControlSocket socket = ControlSocket.listen(dir.resolve("control.sock"), c -> c instanceof Command.Ps
                ? List.of(String.join("\t", "storage0", "storage", "RUNNING", "1", Long.toString(child.pid()),
                Instant.now().toString(), "0", "", ""))
                : List.of())) {
            Path csv = dir.resolve("out.csv");
            Path json = dir.resolve("out.jsonl");
            Result r = run("perf", "stat", "--domain", "storage0", "--state-dir", dir.toString(), "--per-thread",
                    "-I", "200ms", "--duration", "500ms", "-e", "task-clock,cs,cycles", "--csv", csv.toString(),
                    "--json", json.toString());
            assertEquals(0, r.status, r.err);
            assertTrue(r.out.startsWith("# vos perf stat: pid " + child.pid() + " (domain storage0), 1 threads"),
                    r.out);
            assertTrue(r.out.contains("sleep"), "the thread row names the thread: " + r.out);
            assertTrue(r.out.contains("# collector cost: "), r.out);
            List<String> rows = Files.readAllLines(csv);
            assertTrue(rows.size() >= 1 + 2 * 2, "two intervals x two events: " + rows);
            assertTrue(rows.get(1).contains(",storage0," + child.pid() + "," + child.pid() + ",sleep,task-clock,"),
                    rows.get(1));
            assertTrue(Files.readAllLines(json).getFirst().contains("\"domain\":\"storage0\""));

            Result missing = run("perf", "stat", "--domain", "nosuch", "--state-dir", dir.toString());
            assertEquals(2, missing.status);
            assertEquals("vos perf stat: no domain named 'nosuch' in this control plane\n", missing.err);
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void stat_badPid_oneLineAndStatus1() {
        Result r = run("perf", "stat", "--pid", "4194305");
        assertEquals(1, r.status);
        assertEquals("vos perf stat: no such process: pid 4194305 (not in /proc; it may have exited)\n", r.err);
    }

    @Test
    void help_everyPerfCommand_printsUsage() {
        for (String[] args : new String[][]{{"perf", "--help"}, {"perf", "stat", "--help"}, {"perf", "record", "-h"}}) {
            Result r = run(args);
            assertEquals(0, r.status, String.join(" ", args) + ": " + r.err);
            assertTrue(r.out.startsWith("Usage: vos perf"), r.out);
        }
    }

    @Test
    void stat_pidAndDomainTogether_isAUsageError() {
        Result r = run("perf", "stat", "--pid", "1", "--domain", "x");
        assertEquals(2, r.status);
        assertTrue(r.err.contains("mutually exclusive"), r.err);
    }

    @Test
    void record_childProcess_writesCollapsedAndSvg() throws Exception {
        Process child = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done").start();
        try {
            Path out = dir.resolve("rec");
            Result r = run("perf", "record", "--pid", Long.toString(child.pid()), "--duration", "700ms", "-o",
                    out.toString());
            assertEquals(0, r.status, r.err);
            assertTrue(r.out.contains("# wrote " + out + ".collapsed and " + out + ".svg"), r.out);
            String collapsed = Files.readString(Path.of(out + ".collapsed"));
            assertTrue(collapsed.startsWith("sh;"), "rooted at the thread: " + collapsed);
            assertTrue(Files.readString(Path.of(out + ".svg")).contains("<svg"));
        } finally {
            child.destroyForcibly().waitFor();
        }
    }
}
