package dev.vos.controlplane.spec;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The settings of a domain run as a Xen guest.
 *
 * @param config the guest's xl config file (absolute); required when the backend is xen; a relative path in the
 *               spec resolves against the spec file's folder, and the file must exist when the spec is parsed
 */
public record XenSpec(Path config) {

    public XenSpec {
        Objects.requireNonNull(config, "config");
    }
}
