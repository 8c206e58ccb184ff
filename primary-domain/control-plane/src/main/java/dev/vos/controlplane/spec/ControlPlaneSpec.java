package dev.vos.controlplane.spec;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The control plane's own settings.
 *
 * @param stateDir         where the control plane keeps its state (absolute); default {@code $XDG_STATE_HOME/vos}, or
 *                         {@code ~/.local/state/vos} when that is not set. A relative path in the spec resolves
 *                         against the spec file's folder. Created by the control plane, not by the parser.
 * @param metricsPort      TCP port of the Prometheus endpoint, served on 127.0.0.1 only; default
 *                         {@value #DEFAULT_METRICS_PORT}, 0 for any free port, at most 65535; unused when
 *                         {@code metricsSocket} is given
 * @param metricsSocket    when not null, the endpoint is served on this Unix socket (mode 0660) instead of a TCP
 *                         port, for hosts whose local users must not read the figures; absolute
 * @param metricsTokenFile when not null, a file holding the bearer token a scrape must present
 *                         ({@code Authorization: Bearer ...}); absolute; it must not be readable by others
 */
public record ControlPlaneSpec(Path stateDir, int metricsPort, Path metricsSocket, Path metricsTokenFile) {

    public static final int DEFAULT_METRICS_PORT = 9464;

    public ControlPlaneSpec {
        Objects.requireNonNull(stateDir, "stateDir");
    }

    /** Settings with the metrics on a loopback port, open to every local user. */
    public ControlPlaneSpec(Path stateDir, int metricsPort) {
        this(stateDir, metricsPort, null, null);
    }

    /** The same settings with another state directory. */
    public ControlPlaneSpec withStateDir(Path dir) {
        return new ControlPlaneSpec(dir, metricsPort, metricsSocket, metricsTokenFile);
    }
}
