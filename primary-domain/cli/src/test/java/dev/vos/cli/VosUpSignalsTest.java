package dev.vos.cli;

import dev.vos.controlplane.journal.EventType;
import dev.vos.controlplane.journal.Journal;
import dev.vos.controlplane.journal.JournalEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code vos up} as a real process, stopped by a signal while it is still starting its domains: whatever has started
 * is stopped, in reverse order, and no domain outlives it. The review sent one SIGTERM before the "up" line and
 * counted 30 orphaned JVMs.
 */
@Timeout(300)
class VosUpSignalsTest {

    /** Enough JVMs starting at once on a small machine that the signal comes well before the "up" line. */
    private static final int DOMAINS = 6;
    /** How long after {@code vos up} is gone a domain process may still be dying. */
    private static final long ORPHAN_BOUND_MS = 10_000;

    @TempDir
    Path dir;
    private Path state;
    private Process up;
    private final List<String> output = new CopyOnWriteArrayList<>();

    @BeforeEach
    void spec() throws IOException {
        state = dir.resolve("state");
        StringBuilder yaml = new StringBuilder("""
                version: 1
                controlPlane: {stateDir: ./state, metricsPort: 0}
                domains:
                """);
        for (int i = 0; i < DOMAINS; i++) {
            Files.createDirectories(dir.resolve("export" + i));
            yaml.append("  - {name: storage").append(i).append(", kind: storage, resources: {memoryMb: 48},")
                    .append(" storage: {exportRoot: ./export").append(i).append("}}\n");
        }
        Files.writeString(dir.resolve("host.yaml"), yaml);
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (up != null) {
            up.destroyForcibly();
        }
        for (long pid : domainProcesses()) { // never leave one behind for the next test, whatever failed
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void sigtermWhileStarting_stopsWhatStarted_inReverseOrder_andLeavesNoDomain() throws Exception {
        startUpAndAwaitTheFirstDomain();
        up.destroy(); // SIGTERM
        assertTrue(up.waitFor(120, TimeUnit.SECONDS), "vos up did not end after SIGTERM");
        assertNoDomainLeft();
        List<JournalEvent> events = Journal.read(state.resolve("journal.jsonl")).events();
        List<String> stopped = events.stream().filter(e -> e.type() == EventType.DOMAIN_STOPPED)
                .map(JournalEvent::domain).toList();
        List<String> reverse = new ArrayList<>();
        for (int i = DOMAINS - 1; i >= 0; i--) {
            reverse.add("storage" + i);
        }
        assertEquals(reverse, stopped, "every domain stopped, last first");
        assertEquals(EventType.CONTROL_PLANE_STOPPED, events.getLast().type());
    }

    @Test
    void sigkillWhileStarting_theDomainsDieWithIt() throws Exception {
        startUpAndAwaitTheFirstDomain();
        up.destroyForcibly(); // SIGKILL: no hook runs; the domains must die with their parent
        assertTrue(up.waitFor(30, TimeUnit.SECONDS));
        assertNoDomainLeft();
    }

    /** Starts {@code vos up} and returns once a domain process exists, before the "up" line. */
    private void startUpAndAwaitTheFirstDomain() throws Exception {
        List<String> command = List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                VosCli.class.getName(), "up", dir.resolve("host.yaml").toString());
        up = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(up.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    output.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (domainProcesses().isEmpty()) {
            assertTrue(up.isAlive(), "vos up ended: " + output);
            assertTrue(System.nanoTime() < deadline, "no domain process within 120 s: " + output);
            Thread.sleep(5);
        }
        assertTrue(output.stream().noneMatch(l -> l.startsWith("vos: control plane up")),
                "the signal must come before the 'up' line to test the window: " + output);
    }

    private void assertNoDomainLeft() throws Exception {
        long deadline = System.nanoTime() + ORPHAN_BOUND_MS * 1_000_000L;
        List<Long> left = domainProcesses();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = domainProcesses();
        }
        assertEquals(List.of(), left, "domain processes outlived vos up by " + ORPHAN_BOUND_MS + " ms: "
                + describe(left) + "\nvos up said:\n" + String.join("\n", output));
    }

    /** Every live process whose command line names this test's state directory: the domains and their wrappers. */
    private List<Long> domainProcesses() throws IOException {
        List<Long> found = new ArrayList<>();
        String needle = state.toString();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
                    String stat = Files.readString(proc.resolve("stat"));
                    boolean zombie = stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
                    if (cmdline.contains(needle) && !zombie) {
                        found.add(Long.parseLong(proc.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        Collections.sort(found);
        return found;
    }

    private static String describe(List<Long> pids) {
        StringBuilder out = new StringBuilder();
        for (long pid : pids) {
            String command = ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("?");
            int name = command.indexOf("--name ");
            out.append("\n  ").append(pid).append(' ').append(command, 0, Math.min(command.length(), 60))
                    .append(name < 0 ? "" : " ... " + command.substring(name, Math.min(command.length(), name + 24)));
        }
        return out.toString();
    }
}
