package dev.vos.dashboards;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Dashboard} as Grafana's dashboard JSON (the classic model, {@link #SCHEMA_VERSION}), ready for
 * Dashboards > Import. Nothing in it names a host or a data source: the data source is the variable
 * {@code datasource} (any Prometheus), the hosts the variable {@code instance} (every target that has vos series),
 * the domains the variable {@code domain}.
 */
public final class GrafanaJson {

    /** The dashboard JSON model's schema version written (Grafana 12's classic model). */
    public static final int SCHEMA_VERSION = 41;
    /** How every panel and query names its data source: the dashboard's variable. */
    public static final String DATASOURCE_UID = "${datasource}";
    private static final int WIDTH = 12;
    private static final int HEIGHT = 8;

    private GrafanaJson() {
    }

    /** The dashboard's JSON text. */
    public static String render(Dashboard d) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("uid", d.uid());
        root.put("title", d.title());
        root.put("description", d.description());
        root.put("tags", List.of("vos"));
        root.put("editable", true);
        root.put("graphTooltip", 1);
        root.put("timezone", "browser");
        root.put("refresh", "10s");
        root.put("time", map("from", "now-1h", "to", "now"));
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("version", 1);
        root.put("links", List.of());
        root.put("annotations", map("list", List.of()));
        root.put("templating", map("list", List.of(datasourceVariable(),
                queryVariable("instance", "Host", "label_values(vos_domain_up, instance)", true),
                // Of one kind: "All" is the list of its domains, which Grafana writes as (a|b); of every kind: .*
                queryVariable("domain", "Domain", "label_values(" + d.domainSeries() + ", domain)",
                        d.domainKind().isEmpty()))));
        List<Object> panels = new ArrayList<>();
        for (int i = 0; i < d.panels().size(); i++) {
            panels.add(panel(d.panels().get(i), i));
        }
        root.put("panels", panels);
        return Json.write(root);
    }

    private static Map<String, Object> datasource() {
        return map("type", "prometheus", "uid", DATASOURCE_UID);
    }

    private static Map<String, Object> datasourceVariable() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", "datasource");
        v.put("label", "Prometheus");
        v.put("type", "datasource");
        v.put("query", "prometheus");
        v.put("current", map());
        v.put("hide", 0);
        v.put("refresh", 1);
        v.put("regex", "");
        return v;
    }

    private static Map<String, Object> queryVariable(String name, String label, String query, boolean allIsAny) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", name);
        v.put("label", label);
        v.put("type", "query");
        v.put("datasource", datasource());
        v.put("query", map("query", query, "refId", "PrometheusVariableQueryEditor-VariableQuery"));
        v.put("definition", query);
        v.put("multi", true);
        v.put("includeAll", true);
        if (allIsAny) {
            v.put("allValue", ".*");
        }
        v.put("current", map());
        v.put("refresh", 2); // on time range change: a new host shows up without a reload
        v.put("sort", 1);
        v.put("hide", 0);
        return v;
    }

    private static Map<String, Object> panel(Panel p, int index) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", index + 1);
        out.put("type", p.type().grafanaId());
        out.put("title", p.title());
        out.put("description", p.description());
        out.put("datasource", datasource());
        out.put("gridPos", map("h", HEIGHT, "w", WIDTH, "x", index % 2 * WIDTH, "y", index / 2 * HEIGHT));
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("unit", p.unit());
        if (p.type() == Panel.Type.BARS) {
            defaults.put("custom", map("drawStyle", "bars", "fillOpacity", 80, "lineWidth", 1));
        }
        out.put("fieldConfig", map("defaults", defaults, "overrides", List.of()));
        out.put("options", map("legend", map("displayMode", "list", "placement", "bottom", "showLegend", true),
                "tooltip", map("mode", "multi", "sort", "desc")));
        List<Object> targets = new ArrayList<>();
        for (int i = 0; i < p.targets().size(); i++) {
            Panel.Target t = p.targets().get(i);
            Map<String, Object> target = new LinkedHashMap<>();
            target.put("refId", String.valueOf((char) ('A' + i)));
            target.put("datasource", datasource());
            target.put("expr", t.expr());
            target.put("legendFormat", t.legend());
            target.put("range", true);
            targets.add(target);
        }
        out.put("targets", targets);
        return out;
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
