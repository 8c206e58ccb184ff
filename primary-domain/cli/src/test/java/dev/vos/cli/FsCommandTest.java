package dev.vos.cli;

import dev.vos.client.fs.StorageDomain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vos fs}: an operator's commands on a real storage domain, checked against the real disk. */
class FsCommandTest {

    @TempDir
    static Path dir;
    private static StorageDomain domain;

    @BeforeAll
    static void up() throws Exception {
        domain = StorageDomain.start(dir.resolve("vos"));
    }

    @AfterAll
    static void down() throws Exception {
        domain.close();
    }

    private record Run(int status, String out, String err) {
    }

    private static Run vos(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--state-dir";
        all[args.length + 1] = domain.plane().stateDir().toString();
        int status = VosCli.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void putLsStatGetRm_roundTrip() throws Exception {
        Path local = Files.writeString(dir.resolve("report.csv"), "day,calls\n1,42\n");
        assertEquals(0, vos("fs", "mkdir", "-p", "storage0:/reports/2026").status());
        Run put = vos("fs", "put", local.toString(), "storage0:/reports/2026/report.csv");
        assertEquals(0, put.status(), put.err());
        assertTrue(put.out().contains("15 bytes, forced"), put.out());
        assertEquals("day,calls\n1,42\n", Files.readString(domain.exportRoot().resolve("reports/2026/report.csv")));

        Run ls = vos("fs", "ls", "-R", "storage0:/reports");
        assertEquals(0, ls.status(), ls.err());
        assertTrue(ls.out().lines().anyMatch(l -> l.startsWith("drwx") && l.endsWith(" 2026")), ls.out());
        assertTrue(ls.out().lines().anyMatch(l -> l.startsWith("-rw") && l.contains(" 15 ")
                && l.endsWith("2026/report.csv")), ls.out());

        Run stat = vos("fs", "stat", "storage0:/reports/2026/report.csv");
        assertTrue(stat.out().lines().anyMatch(l -> l.matches("size\\s+15")), stat.out());

        Path back = dir.resolve("back.csv");
        assertEquals(0, vos("fs", "get", "storage0:/reports/2026/report.csv", back.toString()).status());
        assertEquals("day,calls\n1,42\n", Files.readString(back));

        Run cp = vos("fs", "cp", "storage0:/reports/2026/report.csv", "storage0:/reports/copy.csv");
        assertEquals(0, cp.status(), cp.err());
        assertEquals("storage0:/reports/copy.csv: 15 bytes", cp.out().strip());
        assertEquals("day,calls\n1,42\n", Files.readString(domain.exportRoot().resolve("reports/copy.csv")));
        Run cpAgain = vos("fs", "cp", "storage0:/reports/2026/report.csv", "storage0:/reports/copy.csv");
        assertEquals(1, cpAgain.status());
        assertTrue(cpAgain.err().contains("/reports/copy.csv"), cpAgain.err());
        assertEquals(0, vos("fs", "rm", "storage0:/reports/copy.csv").status());

        Run again = vos("fs", "put", local.toString(), "storage0:/reports/2026/report.csv");
        assertEquals(1, again.status());
        assertTrue(again.err().contains("--force"), again.err());

        Run full = vos("fs", "rm", "storage0:/reports/2026");
        assertEquals(1, full.status());
        assertTrue(full.err().contains("/reports/2026: directory not empty"), full.err());
        assertEquals(0, vos("fs", "rm", "storage0:/reports/2026/report.csv").status());
        assertFalse(Files.exists(domain.exportRoot().resolve("reports/2026/report.csv")));
    }

    @Test
    void errors_areOneLine_withAStatusThatSaysWhose() {
        Run missing = vos("fs", "ls", "storage0:/nope");
        assertEquals(1, missing.status());
        assertEquals("vos fs ls: /nope: no such file or directory", missing.err().strip());
        Run escape = vos("fs", "cat", "storage0:/../neighbour/secret.txt");
        assertEquals(1, escape.status());
        assertTrue(escape.err().contains("leaves the storage domain's export root"), escape.err());
        Run usage = vos("fs", "ls", "no-colon");
        assertEquals(2, usage.status());
        assertTrue(usage.err().contains("is not DOMAIN:/path"), usage.err());
        Run down = vos("fs", "ls", "nosuchdomain:/");
        assertEquals(1, down.status());
        assertTrue(down.err().contains("nosuchdomain is not serving"), down.err());
    }
}
