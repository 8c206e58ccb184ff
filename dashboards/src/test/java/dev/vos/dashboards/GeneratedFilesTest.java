package dev.vos.dashboards;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboards and the rule file in the repository are what {@link Catalog} generates: an operator imports the
 * files, the live check evaluates the catalog, and this ties the two. With {@code -Dvos.dashboards.write=true} it
 * rewrites them instead.
 */
class GeneratedFilesTest {

    @Test
    void filesInTheRepository_matchTheCatalog() throws Exception {
        Path dir = Tools.dashboardsDir();
        if (Boolean.getBoolean("vos.dashboards.write")) {
            Generate.write(dir);
        }
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, String> f : Generate.files().entrySet()) {
            Path file = dir.resolve(f.getKey());
            if (!Files.exists(file) || !Files.readString(file).equals(f.getValue())) {
                stale.add(f.getKey());
            }
        }
        assertTrue(stale.isEmpty(), "dashboards/" + stale + " differ from Catalog; regenerate them with"
                + " ./mvnw -B -ntp -o -pl dashboards -am verify -Dvos.dashboards.write=true");
    }

    @Test
    void everyAlert_hasAUnitTestThatSeesItFire() throws Exception {
        String tests = Files.readString(Tools.dashboardsDir().resolve("prometheus/vos-rules.test.yml"));
        List<String> untested = new ArrayList<>();
        for (AlertRule a : Catalog.alerts()) {
            if (!tests.contains("alertname: " + a.name() + "\n        exp_alerts:\n          - exp_labels:")) {
                untested.add(a.name());
            }
        }
        assertTrue(untested.isEmpty(), "alerts no test in vos-rules.test.yml sees firing: " + untested);
    }
}
