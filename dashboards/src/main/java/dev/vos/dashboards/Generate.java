package dev.vos.dashboards;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the dashboards and the rule file from {@link Catalog}. {@code GeneratedFilesTest} fails while the files in
 * the repository differ from what this writes, and says how to run it:
 * <pre>
 *   ./mvnw -B -ntp -o -pl dashboards -am verify -Dvos.dashboards.write=true
 * </pre>
 */
public final class Generate {

    /** The rule file's name under {@code dashboards/prometheus/}. */
    public static final String RULE_FILE = "vos-rules.yml";

    private Generate() {
    }

    /** Every generated file, by its path relative to the {@code dashboards/} folder. */
    public static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        for (Dashboard d : Catalog.dashboards()) {
            files.put("grafana/" + d.file(), GrafanaJson.render(d));
        }
        files.put("prometheus/" + RULE_FILE, RuleFile.render(Catalog.recordingRules(), Catalog.alerts()));
        return files;
    }

    /** Writes {@link #files()} under {@code dashboardsDir}. */
    public static void write(Path dashboardsDir) throws IOException {
        for (Map.Entry<String, String> f : files().entrySet()) {
            Path file = dashboardsDir.resolve(f.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, f.getValue());
        }
    }

    /** {@code args[0]}: the dashboards folder (default: ./dashboards). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "dashboards");
        write(dir);
        System.out.println("wrote " + files().size() + " files under " + dir);
    }
}
