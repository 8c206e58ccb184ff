package dev.vos.dashboards;

import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control plane's status page in headless Chromium: it shows the running domain; storage0 is killed, and the
 * open page shows generation 2, the restart and the exit within a few seconds of the control plane knowing them.
 * The screenshot is kept in {@code target/status-page/}. Needs Debian's {@code chromium}; skips, saying so,
 * without it.
 */
@Timeout(240)
class StatusPageBrowserTest {

    /** The page polls every second; this is that and its drawing, with room for a loaded machine. */
    private static final long SHOWN_WITHIN_MS = 5_000;

    @TempDir
    Path dir;

    @Test
    void killADomain_theOpenPageShowsTheNewGenerationAndTheRestart() throws Exception {
        Path chromium = Tools.find("chromium").orElse(null);
        Assumptions.assumeTrue(chromium != null, "chromium is not installed" + Tools.INSTALL);
        Files.createDirectories(dir.resolve("export"));
        Path spec = dir.resolve("host.yaml");
        Files.writeString(spec, """
                version: 1
                controlPlane:
                  stateDir: ./state
                  metricsPort: 0
                supervisor:
                  backoff:
                    initialMs: 50
                domains:
                  - name: storage0
                    kind: storage
                    backend: process
                    standby: true
                    resources:
                      memoryMb: 64
                    storage:
                      exportRoot: ./export
                """);
        Path out = Path.of("target", "status-page");
        Files.createDirectories(out);
        try (ControlPlane plane = ControlPlane.start(SpecParser.parse(spec),
                new PrintStream(OutputStream.nullOutputStream()));
             HeadlessChromium page = HeadlessChromium.open(chromium, dir.resolve("profile"),
                     "http://127.0.0.1:" + plane.metricsPort() + "/")) {
            DomainStatus first = plane.ps().getFirst();
            assertEquals(DomainState.RUNNING, first.state());
            String row = "document.querySelector('#domains tr[data-domain=\"storage0\"]')";
            assertTrue(await(page, row + "?.querySelector('.generation')?.textContent",
                    Long.toString(first.generation()), HeadlessChromium.PATIENCE.toMillis()),
                    "the page shows generation " + first.generation() + ": " + page.evaluate(row + "?.innerText"));
            assertEquals("RUNNING", page.evaluate(row + ".querySelector('.state').textContent"));
            assertEquals(Long.toString(first.pid()), page.evaluate(row + ".querySelector('.pid').textContent"));
            // The standby is started a second after the domain runs, and parks once its JVM is ready.
            assertTrue(await(page, "/^parked [1-9][0-9]*$/.test(" + row + ".querySelector('.standby').textContent)",
                    "true", HeadlessChromium.PATIENCE.toMillis()), "the standby, parked: "
                    + page.evaluate(row + ".querySelector('.standby').textContent"));
            // Uptime counts from RUNNING: "-" for its first tenth of a second, then whole seconds.
            assertTrue(await(page, "/^[1-9][0-9]* s$/.test(" + row + ".querySelector('.uptime').textContent)",
                    "true", HeadlessChromium.PATIENCE.toMillis()), "a running domain's uptime, in seconds: "
                    + page.evaluate(row + ".querySelector('.uptime').textContent"));
            Files.write(out.resolve("status-before-kill.png"), page.screenshot());

            ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            DomainStatus now = plane.ps().getFirst();
            while (!(now.state() == DomainState.RUNNING && now.generation() > first.generation())
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
                now = plane.ps().getFirst();
            }
            assertEquals(first.generation() + 1, now.generation(), "the control plane restarted storage0");
            long known = System.nanoTime();
            // RUNNING too: the generation grows when it is STARTING, so generation and restarts alone would pass on a
            // page that never showed the new generation up.
            boolean shown = await(page, row + ".querySelector('.generation').textContent + '/' + "
                    + row + ".querySelector('.restarts').textContent + '/' + "
                    + row + ".querySelector('.state').textContent", now.generation() + "/1/RUNNING", SHOWN_WITHIN_MS);
            long shownAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - known);
            Files.write(out.resolve("status-after-restart.png"), page.screenshot());
            assertTrue(shown, "the page shows generation " + now.generation() + " RUNNING and 1 restart within "
                    + SHOWN_WITHIN_MS + " ms; it shows: " + page.evaluate(row + ".innerText"));
            assertTrue(page.evaluate(row + ".querySelector('.lastExit').textContent").contains("SIGKILL"),
                    page.evaluate(row + ".innerText"));
            assertTrue(page.evaluate("document.getElementById('events').innerText").contains("DOMAIN_EXITED"),
                    page.evaluate("document.getElementById('events').innerText"));
            // A chart draws a line from two samples of the control plane's history on; on a fast machine the
            // restart is shown before the second sample is taken, so the line is awaited as the rest is.
            assertTrue(await(page, "document.querySelectorAll('#charts svg polyline').length > 0 ? '1' : '0'", "1",
                    HeadlessChromium.PATIENCE.toMillis()), "the charts are drawn");
            System.out.println("status page showed generation " + now.generation() + " " + shownAfterMs
                    + " ms after the control plane had it; screenshots in " + out.toAbsolutePath());
        }
    }

    private static boolean await(HeadlessChromium page, String expression, String expected, long withinMs)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMs);
        while (true) {
            if (expected.equals(page.evaluate(expression))) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
    }
}
