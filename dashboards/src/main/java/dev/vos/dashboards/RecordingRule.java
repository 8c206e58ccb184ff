package dev.vos.dashboards;

import java.util.Objects;

/**
 * A Prometheus recording rule.
 *
 * @param record the recorded series' name, {@code level:metric:operations} as Prometheus's guide names them
 * @param expr   PromQL
 */
public record RecordingRule(String record, String expr) {
    public RecordingRule {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(expr, "expr");
    }
}
