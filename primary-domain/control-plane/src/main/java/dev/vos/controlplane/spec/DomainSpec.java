package dev.vos.controlplane.spec;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One service domain of the host, as the spec describes it, with every default filled in.
 *
 * @param name       unique within the spec; {@code [a-z][a-z0-9-]{0,30}}; required
 * @param kind       what the domain does; required
 * @param backend    where it runs; default {@link BackendKind#PROCESS}
 * @param restart    when it is restarted; default {@link RestartPolicy#PERMANENT} (OTP's default)
 * @param limits     its effective restart limits: the spec's {@code supervisor:} defaults overridden by the domain's
 *                   {@code restart:} section
 * @param resources  memory and CPU pinning; default {@link ResourcesSpec#DEFAULTS}
 * @param namespaces the Linux namespaces it gets of its own; default {@link #DEFAULT_NAMESPACES} (mount, pid);
 *                   {@link Namespace#NET} only for kind net
 * @param storage    its storage settings; present if and only if the kind is storage, else null
 * @param net        its network settings; present if and only if the kind is net, else null
 * @param xen        its Xen guest settings; present if and only if the backend is xen, else null
 */
public record DomainSpec(String name, DomainKind kind, BackendKind backend, RestartPolicy restart,
                         SupervisorSpec limits, ResourcesSpec resources, Set<Namespace> namespaces,
                         StorageSpec storage, NetSpec net, XenSpec xen) {

    public static final Set<Namespace> DEFAULT_NAMESPACES =
            Collections.unmodifiableSet(EnumSet.of(Namespace.MOUNT, Namespace.PID));

    public DomainSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(resources, "resources");
        // An EnumSet keeps the declaration order, so a printed spec reads the same every time.
        EnumSet<Namespace> copy = EnumSet.noneOf(Namespace.class);
        copy.addAll(namespaces);
        namespaces = Collections.unmodifiableSet(copy);
    }
}
