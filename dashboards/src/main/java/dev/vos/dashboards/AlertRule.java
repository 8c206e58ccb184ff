package dev.vos.dashboards;

import java.time.Duration;
import java.util.Objects;

/**
 * A Prometheus alerting rule, kept as the series it watches and the condition on them, so that the live check can
 * evaluate the series (which must exist while all is well) apart from the condition (which must hold only when
 * something is wrong).
 *
 * @param name        the alert's name
 * @param series      PromQL for the watched series, by instance and domain
 * @param condition   what makes it fire, appended to {@code series} ("> 0", "== 1")
 * @param pendingFor  how long the condition must hold before the alert fires ({@code for:})
 * @param severity    the {@code severity} label
 * @param summary     one line for the notification, with {@code {{ $labels.* }}} templates
 * @param description what it means and what to do
 */
public record AlertRule(String name, String series, String condition, Duration pendingFor, Severity severity,
                        String summary, String description) {

    /** The {@code severity} label's values. */
    public enum Severity {
        /** Someone should act now. */
        CRITICAL,
        /** Someone should look today. */
        WARNING,
        /** Worth knowing: vos handled it. */
        INFO;

        /** As written in the rule file. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public AlertRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(pendingFor, "pendingFor");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(description, "description");
    }

    /** The rule's {@code expr}: the series and the condition. */
    public String expr() {
        return "(" + series + ") " + condition;
    }
}
