package dev.vos.dashboards;

import dev.vos.dashboards.Panel.Target;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboards serve any Prometheus and any number of hosts: the data source is a variable, no host is written in,
 * every query selects by the instance and domain variables, and every rate takes Grafana's
 * {@code $__rate_interval}. Checked on the JSON as written, read back.
 */
class DashboardLintTest {

    private static final Pattern RANGE = Pattern.compile("\\[([^]]*)]");
    private static final Pattern SELECTOR = Pattern.compile("\\b(vos_[a-z_]+)(\\{[^}]*})?");

    /** What is wrong with {@code d}'s JSON, as lines; empty when nothing is. */
    @SuppressWarnings("unchecked")
    static List<String> problems(Dashboard d) {
        List<String> problems = new ArrayList<>();
        String text = GrafanaJson.render(d);
        Map<String, Object> root = (Map<String, Object>) JsonReader.parse(text);
        for (String host : List.of("127.0.0.1", "localhost", ":9464")) {
            if (text.contains(host)) {
                problems.add(d.file() + ": names a host (" + host + ")");
            }
        }
        if (((Double) root.get("schemaVersion")).intValue() != GrafanaJson.SCHEMA_VERSION) {
            problems.add(d.file() + ": schemaVersion " + root.get("schemaVersion"));
        }
        List<Map<String, Object>> variables = (List<Map<String, Object>>) ((Map<String, Object>)
                root.get("templating")).get("list");
        Set<String> names = new HashSet<>();
        variables.forEach(v -> names.add((String) v.get("name")));
        if (!names.containsAll(List.of("datasource", "instance", "domain"))) {
            problems.add(d.file() + ": variables " + names);
        }
        for (Map<String, Object> panel : (List<Map<String, Object>>) root.get("panels")) {
            String title = d.file() + " / " + panel.get("title");
            checkDatasource(title, panel, problems);
            for (Map<String, Object> target : (List<Map<String, Object>>) panel.get("targets")) {
                checkDatasource(title, target, problems);
                problems.addAll(queryProblems(title, (String) target.get("expr")));
            }
        }
        return problems;
    }

    @SuppressWarnings("unchecked")
    private static void checkDatasource(String where, Map<String, Object> o, List<String> problems) {
        Map<String, Object> ds = (Map<String, Object>) o.get("datasource");
        if (ds == null || !GrafanaJson.DATASOURCE_UID.equals(ds.get("uid"))) {
            problems.add(where + ": data source " + ds + " is not the variable");
        }
    }

    static List<String> queryProblems(String where, String expr) {
        List<String> problems = new ArrayList<>();
        Matcher range = RANGE.matcher(expr);
        while (range.find()) {
            if (!range.group(1).equals("$__rate_interval")) {
                problems.add(where + ": range [" + range.group(1) + "] instead of [$__rate_interval] in " + expr);
            }
        }
        Matcher selector = SELECTOR.matcher(expr);
        while (selector.find()) {
            String labels = selector.group(2) == null ? "" : selector.group(2);
            if (!labels.contains("instance=~\"$instance\"") || !labels.contains("domain=~\"$domain\"")) {
                problems.add(where + ": " + selector.group(1) + " not selected by $instance and $domain in "
                        + expr);
            }
        }
        return problems;
    }

    @Test
    void everyDashboard_passes() {
        List<String> problems = new ArrayList<>();
        Set<String> uids = new HashSet<>();
        for (Dashboard d : Catalog.dashboards()) {
            problems.addAll(problems(d));
            assertTrue(uids.add(d.uid()), "two dashboards with uid " + d.uid());
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theLint_catchesAFixedWindow_aMissingInstance_andAHost() {
        Dashboard bad = new Dashboard("bad", "bad.json", "bad", "", List.of(new Panel("p", "", Panel.Type.TIMESERIES,
                "short", List.of(new Target("rate(vos_ring_calls_total{domain=~\"$domain\"}[5m])", ""),
                        new Target("up{instance=\"127.0.0.1:9464\"}", "")))));
        List<String> problems = problems(bad);
        assertTrue(problems.stream().anyMatch(p -> p.contains("[5m]")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("not selected by $instance")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("names a host")), problems.toString());
    }
}
