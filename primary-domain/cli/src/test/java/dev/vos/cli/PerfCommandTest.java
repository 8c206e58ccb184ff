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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vos perf stat|record} end to end on real child processes: targets, perf's options and layouts, exit
 * statuses, a domain resolved through a control socket.
 */
class PerfCommandTest {

    @TempDir
    Path dir;

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = VosCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(status, out.toString(), err.toString());
    }

    /** A stand-in control plane answering ps with one domain: name, state and pid as given. */
    private ControlSocket controlPlane(String name, String state, long pid) throws Exception {
        return ControlSocket.listen(dir.resolve("control.sock"), c -> c instanceof Command.Ps
                ? List.of(String.join("\t", name, "storage", state, "1", Long.toString(pid), Instant.now().toString(),
                "0", "", ""))
                : List.of());
    }

    @Test
    void stat_domainResolvedThroughTheControlPlane_countsItsProcessAndWritesFiles() throws Exception {
        Process child = new ProcessBuilder("sleep", "30").start();
        try (ControlSocket socket = controlPlane("storage0", "RUNNING", child.pid())) {
            Path csv = dir.resolve("out.csv");
            Path json = dir.resolve("out.jsonl");
            Result r = run("perf", "stat", "--domain", "storage0", "--state-dir", dir.toString(), "--per-thread",
                    "-I", "200ms", "--duration", "500ms", "-e", "task-clock,cs,cycles", "--csv", csv.toString(),
                    "--json", json.toString());
            assertEquals(0, r.status, r.err);
            assertTrue(r.err.startsWith("# vos perf stat: counting process id '" + child.pid() + "', 1 thread"),
                    r.err);
            assertTrue(r.err.contains("sleep-" + child.pid()), "the thread row names the thread: " + r.err);
            assertTrue(r.err.contains("# collector cost: "), r.err);
            List<String> rows = Files.readAllLines(csv);
            assertTrue(rows.size() >= 1 + 2 * 2, "two intervals x two events: " + rows);
            assertTrue(rows.get(1).contains("," + child.pid() + "," + child.pid() + ",sleep,task-clock,"), rows.get(1));
            assertTrue(Files.readAllLines(json).getFirst().contains("\"process\":{\"task-clock\":"));

            Result missing = run("perf", "stat", "--domain", "nosuch", "--state-dir", dir.toString());
            assertEquals(2, missing.status);
            assertEquals("vos perf stat: no domain named 'nosuch' in this control plane\n", missing.err);
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void stat_xenDomainWithoutAHostProcess_refusedInOneLineNamingTheGuestCollector() throws Exception {
        try (ControlSocket socket = controlPlane("guest0", "RUNNING", -1)) {
            Result r = run("perf", "stat", "--domain", "guest0", "--state-dir", dir.toString());
            assertEquals(1, r.status, r.err);
            assertEquals(1, r.err.strip().lines().count(), r.err);
            assertTrue(r.err.startsWith("vos perf stat: domain guest0 runs in a Xen guest (no host process): its"
                    + " threads can only be counted by a collector inside the guest"), r.err);
        }
    }

    @Test
    void stat_badPid_oneLineAndStatus1() {
        Result r = run("perf", "stat", "-p", "4194305");
        assertEquals(1, r.status);
        assertEquals("vos perf stat: no such process: pid 4194305 (not in /proc; it may have exited)\n", r.err);
        Result t = run("perf", "stat", "-t", "4194305");
        assertEquals(1, t.status);
        assertEquals("vos perf stat: no such thread: tid 4194305 (not in /proc; it may have exited)\n", t.err);
    }

    @Test
    void stat_onlyAHardwareEventWithoutAPmu_oneLineAndStatus1() {
        Result r = run("perf", "stat", "-e", "cycles", "--", "true");
        if (r.status == 0) {
            return; // this machine has a PMU: cycles counted
        }
        assertEquals(1, r.status, r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertTrue(r.err.startsWith("vos perf stat: none of the events can be counted here: cycles: not supported:"
                + " no hardware PMU (ENOENT)"), r.err);
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
    void stat_badUsage_status2AndWhy() {
        Result both = run("perf", "stat", "-p", "1", "--domain", "x");
        assertEquals(2, both.status);
        assertTrue(both.err.contains("give one target"), both.err);
        Result none = run("perf", "stat");
        assertEquals(2, none.status);
        assertTrue(none.err.contains("no target"), none.err);
        Result repeat = run("perf", "stat", "-r", "3", "-p", "1");
        assertEquals(2, repeat.status);
        assertTrue(repeat.err.contains("-r repeats a command"), repeat.err);
        Result tiny = run("perf", "stat", "-I", "5", "-p", "1");
        assertEquals(2, tiny.status);
        assertTrue(tiny.err.contains("-I must be at least 10 ms"), tiny.err);
        Result group = run("perf", "stat", "-e", "{task-clock,cs", "--", "true");
        assertEquals(2, group.status);
        assertTrue(group.err.contains("'{' without '}'"), group.err);
    }

    @Test
    void stat_command_countedFromExecAndItsExitStatusReturned() {
        Result r = run("perf", "stat", "-x,", "-e", "task-clock,page-faults", "--", "sh", "-c",
                "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 3");
        assertEquals(3, r.status, "the command's own status, as perf returns it: " + r.err);
        String[] clock = line(r.err, "task-clock").split(",");
        assertEquals("msec", clock[1]);
        assertTrue(Double.parseDouble(clock[0]) > 5, "the shell's loop was counted: " + r.err);
        assertTrue(Long.parseLong(line(r.err, "page-faults").split(",")[0]) > 10, r.err);
        Result missing = run("perf", "stat", "--", "/no/such/command");
        assertEquals(127, missing.status);
        assertEquals("vos perf stat: cannot run '/no/such/command': no such executable file\n", missing.err);
    }

    @Test
    void stat_command_runsAtTheNicenessTheLauncherNames_notAtVosPerfs() throws Exception {
        // bin/vos starts vos perf at nice -10 where it may, and names the user's niceness in this property; a
        // lower priority than the test JVM's is one anybody may set, so 7 stands in for the user's here.
        Path seen = dir.resolve("niceness");
        System.setProperty(PerfTarget.COMMAND_NICENESS, "7");
        try {
            Result r = run("perf", "stat", "-e", "task-clock", "--", "sh", "-c", "nice > " + seen);
            assertEquals(0, r.status, r.err);
        } finally {
            System.clearProperty(PerfTarget.COMMAND_NICENESS);
        }
        assertEquals("7", Files.readString(seen).strip(), "the command ran at the niceness it was given");
        Result plain = run("perf", "stat", "-e", "task-clock", "--", "sh", "-c", "nice > " + seen);
        assertEquals(0, plain.status, plain.err);
        assertEquals(Files.readString(Path.of("/proc/self/stat")).split(" ")[18],
                Files.readString(seen).strip(), "without the property, the command runs at vos perf's own");
    }

    @Test
    void stat_intervalInMilliseconds_asPerfTakesIt() {
        Result r = run("perf", "stat", "-I", "100", "-e", "task-clock", "--", "sleep", "0.35");
        assertEquals(0, r.status, r.err);
        long lines = r.err.lines().filter(l -> l.matches("\\s+\\d+\\.\\d{9}\\s+[\\d.]+ msec task-clock.*")).count();
        assertTrue(lines >= 3, "an interval line every 100 ms: " + r.err);
        assertTrue(r.err.contains("#           time             counts unit events"), r.err);
        assertTrue(r.err.contains(" Performance counter stats for 'sleep 0.35':"), "and the summary: " + r.err);
    }

    @Test
    void stat_jsonOutput_oneObjectPerCounterWithPerfsKeys() {
        Result r = run("perf", "stat", "-j", "-e", "task-clock,cs:u,cycles", "--", "true");
        assertEquals(0, r.status, r.err);
        List<String> lines = r.err.lines().toList();
        assertEquals(3, lines.size(), r.err);
        Pattern p = Pattern.compile("\\{\"counter-value\" : \"([^\"]+)\", \"unit\" : \"(\\w*)\","
                + " \"event\" : \"([^\"]+)\", \"event-runtime\" : \\d+, \"pcnt-running\" : [\\d.]+,"
                + " \"metric-value\" : [\\d.]+, \"metric-unit\" : \"[^\"]*\"}");
        for (String l : lines) {
            assertTrue(p.matcher(l).matches(), l);
        }
        assertTrue(lines.get(1).contains("\"event\" : \"cs:u\""), "modifiers kept in the name: " + lines.get(1));
        assertTrue(lines.get(2).startsWith("{\"counter-value\" : \"<not supported>\"")
                || lines.get(2).contains("\"event\" : \"cycles\""), lines.get(2));
    }

    @Test
    void stat_repeat_meansAndTheirVariation() {
        Result r = run("perf", "stat", "-r", "3", "-e", "task-clock", "--", "sh", "-c", "true");
        assertEquals(0, r.status, r.err);
        assertTrue(r.err.contains(" Performance counter stats for 'sh -c true' (3 runs):"), r.err);
        assertTrue(r.err.matches("(?s).* \\+- [\\d.]+ seconds time elapsed  \\( \\+- +[\\d.]+% \\).*"), r.err);
    }

    @Test
    void stat_allCpusPerCpu_aRowPerCpu() {
        Result r = run("perf", "stat", "-a", "-A", "-x,", "-e", "cs", "--", "sleep", "0.2");
        assertEquals(0, r.status, r.err);
        List<String> rows = r.err.lines().filter(l -> l.startsWith("CPU")).toList();
        assertEquals(Runtime.getRuntime().availableProcessors(), rows.size(), r.err);
        long switches = rows.stream().mapToLong(l -> Long.parseLong(l.split(",")[1])).sum();
        assertTrue(switches > 0, "a sleeping second CPU still switches: " + r.err);
    }

    @Test
    void stat_streamThenInput_samePerThreadSummary() throws Exception {
        Process child = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; sleep 30")
                .start();
        try {
            Path stream = dir.resolve("stream.jsonl");
            Result live = run("perf", "stat", "-x,", "--per-thread", "-e", "task-clock", "-I", "100", "--duration",
                    "500ms", "--stream", stream.toString(), "-p", Long.toString(child.pid()));
            assertEquals(0, live.status, live.err);
            assertTrue(Files.readAllLines(stream).getFirst().startsWith("{\"vos_perf_stream\":1,\"pid\":"
                    + child.pid()), "a header, then the intervals");
            Result replayed = run("perf", "stat", "-x,", "--per-thread", "--input", stream.toString());
            assertEquals(0, replayed.status, replayed.err);
            String summary = "sh-" + child.pid() + ",";
            String mine = live.err.lines().filter(l -> l.startsWith(summary)).findFirst().orElseThrow();
            String theirs = replayed.err.lines().filter(l -> l.startsWith(summary)).findFirst().orElseThrow();
            assertEquals(mine.split(",")[1], theirs.split(",")[1], live.err + "\n---\n" + replayed.err);
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void record_childProcess_writesPerfScriptCollapsedAndSvg() throws Exception {
        Process child = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 4000000 ]; do i=$((i+1)); done").start();
        try {
            Path out = dir.resolve("rec");
            Result r = run("perf", "record", "-p", Long.toString(child.pid()), "--duration", "700ms", "-o",
                    out.toString());
            assertEquals(0, r.status, r.err);
            assertTrue(r.out.contains("# wrote " + out + ".perf.txt, " + out + ".collapsed and " + out + ".svg"),
                    r.out);
            String collapsed = Files.readString(Path.of(out + ".collapsed"));
            assertTrue(collapsed.startsWith("sh;"), "rooted at the thread: " + collapsed);
            assertTrue(Files.readString(Path.of(out + ".svg")).contains("<svg"));
            assertPerfScript(Files.readString(Path.of(out + ".perf.txt")), "sh", child.pid());
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    /**
     * Every sample as the Firefox Profiler's and speedscope's importers read perf script (their regular expressions,
     * from src/profile-logic/import/linux-perf.ts and src/import/linux-tools-perf.ts).
     */
    static void assertPerfScript(String text, String comm, long pid) {
        Pattern header = Pattern.compile("^\\S.*?\\s+(?:\\d+/)?\\d+\\s+(?:\\[\\d+\\]\\s+)?[\\d.]+:");
        Pattern time = Pattern.compile("^(.*)\\s+([\\d.]+):");
        Pattern headerFields = Pattern.compile("^(.*)\\s+(?:(\\d+)/)?(\\d+)\\b");
        Pattern frame = Pattern.compile("^\\s*(\\w+)\\s*(.+) \\((\\S*)\\)");
        String[] samples = text.split("\n\n");
        assertTrue(samples.length > 10, "samples: " + samples.length);
        for (String s : samples) {
            String[] lines = s.split("\n");
            assertTrue(header.matcher(lines[0]).find(), "a sample's first line: " + lines[0]);
            Matcher t = time.matcher(lines[0]);
            assertTrue(t.find(), lines[0]);
            Matcher m = headerFields.matcher(t.group(1));
            assertTrue(m.find(), lines[0]);
            assertEquals(comm, m.group(1).trim(), lines[0]);
            assertEquals(Long.toString(pid), m.group(2), lines[0]);
            assertTrue(lines[0].endsWith(" cpu-clock: "), lines[0]);
            assertTrue(lines.length >= 2, "at least one frame: " + s);
            for (int i = 1; i < lines.length; i++) {
                assertTrue(lines[i].startsWith("\t") && frame.matcher(lines[i]).find(), "a frame: " + lines[i]);
            }
        }
    }

    @Test
    void record_outputDirectoryMissing_refusedAtOnceWithItsCause() {
        long t0 = System.nanoTime();
        Result r = run("perf", "record", "-p", Long.toString(ProcessHandle.current().pid()), "--duration", "10s",
                "-o", "/no/such/dir/rec");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1, r.status, r.err);
        assertEquals("vos perf record: cannot write /no/such/dir/rec.perf.txt: no such directory /no/such/dir\n",
                r.err);
        assertTrue(ms < 5_000, "checked before sampling for 10 s: " + ms + " ms");
    }

    @Test
    void record_callGraphDwarf_refusedWithWhatToDoInstead() {
        Result r = run("perf", "record", "--call-graph", "dwarf", "-o", dir.resolve("x").toString(), "--", "true");
        assertEquals(2, r.status, r.err);
        assertTrue(r.err.contains("vos walks frame pointers only (fp)"), r.err);
    }

    /** The first line of {@code text} whose third CSV field is {@code event}. */
    static String line(String text, String event) {
        return text.lines().filter(l -> l.split(",").length > 2 && l.split(",")[2].equals(event)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + event + " line in:\n" + text));
    }
}
