package dev.vos.dashboards;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped rule file and configuration pass Prometheus's own checks, and every alert fires (and stays quiet) as
 * its unit tests ({@code dashboards/prometheus/vos-rules.test.yml}) say. Needs Debian's {@code promtool}.
 */
@Timeout(60)
class PromtoolTest {

    static Path promtool() {
        Path p = Tools.find("promtool").orElse(null);
        Assumptions.assumeTrue(p != null, "promtool is not installed" + Tools.INSTALL);
        return p;
    }

    /** Runs promtool in {@code dashboards/prometheus}; returns its output, asserting exit 0. */
    static String run(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = promtool().toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).directory(Tools.dashboardsDir().resolve("prometheus").toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", args) + ":\n" + out);
        return out;
    }

    @Test
    void checkRules_passes() throws Exception {
        String out = run("check", "rules", Generate.RULE_FILE);
        int rules = Catalog.alerts().size() + Catalog.recordingRules().size();
        assertTrue(out.contains("SUCCESS: " + rules + " rules found"), out);
    }

    @Test
    void checkConfig_passes() throws Exception {
        run("check", "config", "prometheus.yml");
    }

    @Test
    void testRules_everyAlertFiresAsItsTestsSay() throws Exception {
        String out = run("test", "rules", "vos-rules.test.yml");
        assertTrue(out.contains("SUCCESS"), out);
    }
}
