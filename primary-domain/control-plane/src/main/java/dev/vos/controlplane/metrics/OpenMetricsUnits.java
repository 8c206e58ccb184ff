package dev.vos.controlplane.metrics;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Adds the {@code # UNIT} line OpenMetrics allows to every family whose name ends in a base unit, where the scrape
 * has none. Micrometer puts a meter's base unit into its name ({@code vos_domain_uptime_seconds}) but not into the
 * family's metadata; Prometheus keeps the unit from the metadata (its {@code /api/v1/metadata} shows it, and
 * Grafana reads it from there), so without this line the unit would be only a convention of the name.
 */
final class OpenMetricsUnits {

    /** The base units vos names end with (Prometheus's naming guide: seconds, bytes; ratios have none). */
    static final List<String> UNITS = List.of("seconds", "bytes");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) [a-z]+");

    private OpenMetricsUnits() {
    }

    /** {@code scrape} (OpenMetrics text) with a {@code # UNIT} line after each TYPE line of a family in a unit. */
    static String add(String scrape) {
        StringBuilder out = new StringBuilder(scrape.length() + 256);
        String[] lines = scrape.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            out.append(lines[i]);
            if (i < lines.length - 1) {
                out.append('\n');
            }
            Matcher type = TYPE.matcher(lines[i]);
            if (!type.matches()) {
                continue;
            }
            String family = type.group(1);
            boolean hasUnit = i + 1 < lines.length && lines[i + 1].startsWith("# UNIT " + family + " ");
            for (String unit : UNITS) {
                if (!hasUnit && family.endsWith("_" + unit)) {
                    out.append("# UNIT ").append(family).append(' ').append(unit).append('\n');
                }
            }
        }
        return out.toString();
    }
}
