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
 * @param domainKind  the kind of domain it is about ("storage"): its {@code domain} variable lists only domains of
 *                    that kind (by {@code vos_domain_kind}); "" for every domain
 */
public record Dashboard(String uid, String file, String title, String description, List<Panel> panels,
                        String domainKind) {
    public Dashboard {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(domainKind, "domainKind");
        panels = List.copyOf(panels);
    }

    /** A dashboard about every domain, whatever its kind. */
    public Dashboard(String uid, String file, String title, String description, List<Panel> panels) {
        this(uid, file, title, description, panels, "");
    }

    /** The PromQL its {@code domain} variable lists the domains with, under {@code label_values(..., domain)}. */
    public String domainSeries() {
        return domainKind.isEmpty() ? "vos_domain_up{instance=~\"$instance\"}"
                : "vos_domain_kind{instance=~\"$instance\",kind=\"" + domainKind + "\"}";
    }
}
