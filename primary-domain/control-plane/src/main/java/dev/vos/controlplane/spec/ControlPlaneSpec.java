package dev.vos.controlplane.spec;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The control plane's own settings.
 *
 * @param stateDir    where the control plane keeps its state (absolute); default {@code $XDG_STATE_HOME/vos}, or
 *                    {@code ~/.local/state/vos} when that is not set. A relative path in the spec resolves against
 *                    the spec file's folder. Created by the control plane, not by the parser.
 * @param metricsPort TCP port of the Prometheus endpoint, served on 127.0.0.1 only; default
 *                    {@value #DEFAULT_METRICS_PORT}, 0 for any free port, at most 65535
 */
public record ControlPlaneSpec(Path stateDir, int metricsPort) {

    public static final int DEFAULT_METRICS_PORT = 9464;

    public ControlPlaneSpec {
        Objects.requireNonNull(stateDir, "stateDir");
    }
}
