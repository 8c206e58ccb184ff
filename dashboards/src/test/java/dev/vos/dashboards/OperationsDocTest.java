package dev.vos.dashboards;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/operations.md's walk from a fresh clone holds together with what is in the repository: the spec it starts
 * serves metrics where the shipped Prometheus configuration scrapes, under the job the alerts select; every file the
 * walk and the README name exists; every dashboard and every alert the catalog makes is in them. (The steps that
 * need Prometheus itself are {@link LiveCheckTest}'s and {@link PromtoolTest}'s.)
 */
class OperationsDocTest {

    private static final Pattern REPO_PATH = Pattern.compile("(?<![\\w/.-])((?:dashboards|examples|docs)/[\\w./-]+"
            + "\\.(?:json|yml|yaml|md|sh|java))");

    private static Path repository() {
        return Tools.dashboardsDir().getParent();
    }

    private static String read(String path) throws Exception {
        return Files.readString(repository().resolve(path));
    }

    @Test
    void theShippedPrometheusConfig_scrapesWhereTheExampleSpecServes_underTheAlertsJob() throws Exception {
        Matcher port = Pattern.compile("(?m)^\\s*metricsPort:\\s*(\\d+)").matcher(read("examples/host.yaml"));
        assertTrue(port.find(), "examples/host.yaml names its metrics port");
        String config = read("dashboards/prometheus/prometheus.yml");
        assertTrue(config.contains("targets: [\"127.0.0.1:" + port.group(1) + "\"]"), config);
        assertTrue(config.contains("job_name: " + Catalog.JOB), config);
        assertTrue(config.contains("- " + Generate.RULE_FILE), config);
        for (AlertRule a : Catalog.alerts()) {
            if (a.series().contains("job=")) {
                assertTrue(a.series().contains("job=\"" + Catalog.JOB + "\""), a.name() + ": " + a.series());
            }
        }
    }

    @Test
    void everyFileTheDocsName_exists() throws Exception {
        List<String> missing = new ArrayList<>();
        for (String doc : List.of("docs/operations.md", "README.md")) {
            Matcher m = REPO_PATH.matcher(read(doc));
            while (m.find()) {
                if (!Files.exists(repository().resolve(m.group(1)))) {
                    missing.add(doc + ": " + m.group(1));
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void everyDashboardAndAlert_isInTheWalkAndTheReadme() throws Exception {
        String operations = read("docs/operations.md");
        String readme = read("README.md");
        List<String> missing = new ArrayList<>();
        for (Dashboard d : Catalog.dashboards()) {
            if (!operations.contains(d.file())) {
                missing.add("docs/operations.md's import step: " + d.file());
            }
            if (!operations.contains("| " + d.title() + " |")) {
                missing.add("docs/operations.md's table of dashboards: " + d.title());
            }
            if (!readme.contains(d.file())) {
                missing.add("README.md's Grafana line: " + d.file());
            }
        }
        for (AlertRule a : Catalog.alerts()) {
            if (!operations.contains("| `" + a.name() + "` |")) {
                missing.add("docs/operations.md's table of alerts: " + a.name());
            }
        }
        assertEquals(List.of(), missing);
    }
}
