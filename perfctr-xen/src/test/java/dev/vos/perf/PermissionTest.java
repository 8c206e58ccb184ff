package dev.vos.perf;

import dev.vos.perf.workload.WorkloadProcess;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An unprivileged user (nobody, through setpriv) attaching to a process it does not own: the kernel says EACCES and
 * the collector explains it in one line with the fix. Needs root to switch users; CI runs as root.
 */
class PermissionTest {

    @Test
    void attach_targetOfAnotherUser_isExplainedInOneLine() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run a process as nobody");
        Path dir = readableClassPath();
        try (WorkloadProcess w = WorkloadProcess.start(List.of(), "idle:1:0")) {
            List<String> cmd = asNobody(dir, Integer.toString(w.pid()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(3, p.exitValue(), out);
            assertEquals(1, out.lines().count(), "one line: " + out);
            assertTrue(out.startsWith("PerfAccessException: permission denied (EACCES) watching pid " + w.pid()), out);
            assertTrue(out.contains("perf_event_paranoid=" + PerfAccessException.paranoid()), out);
            assertTrue(out.contains("CAP_PERFMON"), out);
        } finally {
            delete(dir);
        }
    }

    @Test
    void attach_ownProcessAsNobodyAtParanoid2_countsUserSpaceOnly() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run a process as nobody");
        assumeTrue(PerfAccessException.paranoid().equals("2"), "the user-space fallback is what level 2 allows");
        Path dir = readableClassPath();
        try {
            Process p = new ProcessBuilder(asNobody(dir, "own-child")).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals("attached 1 userOnly=true", out);
        } finally {
            delete(dir);
        }
    }

    private static List<String> asNobody(Path dir, String arg) {
        return List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", dir + "/*:" + dir + "/classes:" + dir + "/test-classes",
                AttachMain.class.getName(), arg);
    }

    private static void delete(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(f -> f.toFile().delete());
        }
    }

    /** A copy of this test's class path that nobody can read (the local Maven repository is root's only). */
    private static Path readableClassPath() throws Exception {
        Path dir = Files.createTempDirectory("vos-perf-perm", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        List<String> entries = new ArrayList<>(
                List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        for (String e : entries) {
            Path src = Path.of(e);
            if (Files.isDirectory(src)) {
                Path target = dir.resolve(src.getFileName().toString().equals("test-classes") ? "test-classes"
                        : "classes");
                try (Stream<Path> s = Files.walk(src)) {
                    for (Path f : (Iterable<Path>) s::iterator) {
                        Path t = target.resolve(src.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else if (Files.isRegularFile(src)) {
                Files.copy(src, dir.resolve(src.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x"
                        : "rw-r--r--"));
            }
        }
        return dir;
    }
}
