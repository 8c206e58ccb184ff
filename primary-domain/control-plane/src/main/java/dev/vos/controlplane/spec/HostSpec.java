package dev.vos.controlplane.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The service domains of one host and how to supervise them: what {@link SpecParser} makes of a spec file.
 *
 * @param version      the format's version; always {@value #VERSION}
 * @param specFile     the file it was read from (absolute), or null when it was parsed from a string
 * @param controlPlane the control plane's settings; every field has a default, so the section is optional
 * @param supervisor   the restart limits every domain starts from; default {@link SupervisorSpec#DEFAULTS}
 * @param domains      the domains in the spec's order; at least one, names unique
 */
public record HostSpec(int version, Path specFile, ControlPlaneSpec controlPlane, SupervisorSpec supervisor,
                       List<DomainSpec> domains) {

    /** The only version of the format so far. */
    public static final int VERSION = 1;

    public HostSpec {
        Objects.requireNonNull(controlPlane, "controlPlane");
        Objects.requireNonNull(supervisor, "supervisor");
        domains = List.copyOf(domains);
    }

    /** The same spec with another state directory (the {@code --state-dir} option of {@code vos up}). */
    public HostSpec withStateDir(Path stateDir) {
        return withControlPlane(controlPlane.withStateDir(stateDir));
    }

    /** The same spec with other control-plane settings. */
    public HostSpec withControlPlane(ControlPlaneSpec settings) {
        return new HostSpec(version, specFile, settings, supervisor, domains);
    }

    /** The domain called {@code name}, if there is one. */
    public Optional<DomainSpec> domain(String name) {
        return domains.stream().filter(d -> d.name().equals(name)).findFirst();
    }
}
