package dev.vos.dashboards;

import java.util.List;
import java.util.Objects;

/**
 * One Grafana dashboard.
 *
 * @param uid         stable id, so that a re-import replaces the dashboard instead of adding a copy
 * @param file        the file name it is written to under {@code dashboards/grafana/}
 * @param title       its title
 * @param description what it is for
 * @param panels      its panels, laid out two to a row in this order
 */
public record Dashboard(String uid, String file, String title, String description, List<Panel> panels) {
    public Dashboard {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(description, "description");
        panels = List.copyOf(panels);
    }
}
