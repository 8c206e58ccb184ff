package dev.vos.dashboards;

import java.util.List;
import java.util.Objects;

/**
 * One Grafana panel: a title, what it shows, and its PromQL queries.
 *
 * @param title       shown on the panel
 * @param description the panel's hover text: what it shows and what to do about it
 * @param type        how it is drawn
 * @param unit        Grafana's unit id ("s", "ops", "short", "percentunit")
 * @param targets     its queries, at least one
 */
public record Panel(String title, String description, Type type, String unit, List<Target> targets) {

    /** The Grafana panel types vos uses. */
    public enum Type {
        /** Lines over time. */
        TIMESERIES("timeseries"),
        /** The latest value, big. */
        STAT("stat"),
        /** Bars over time, one per interval: for counts of events (restarts). */
        BARS("timeseries");

        private final String grafanaId;

        Type(String grafanaId) {
            this.grafanaId = grafanaId;
        }

        /** The panel type's id in the dashboard JSON. */
        public String grafanaId() {
            return grafanaId;
        }
    }

    /**
     * One query of a panel.
     *
     * @param expr   PromQL, with the dashboard's variables ({@code $instance}, {@code $domain},
     *               {@code $__rate_interval})
     * @param legend Grafana's legend format ({@code {{instance}} {{domain}}})
     */
    public record Target(String expr, String legend) {
        public Target {
            Objects.requireNonNull(expr, "expr");
            Objects.requireNonNull(legend, "legend");
        }
    }

    public Panel {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(unit, "unit");
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("panel '" + title + "' has no query");
        }
    }
}
