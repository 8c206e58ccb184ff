package dev.vos.controlplane.spec;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.OptionalInt;
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
 * @param startTimeoutMs how long a generation may take to start (its agent to listen, then to serve the
 *                   supervisor's health ring, each) before the start counts as failed; default
 *                   {@value #DEFAULT_START_TIMEOUT_MS}, from {@value #MIN_START_TIMEOUT_MS} to
 *                   {@value #MAX_START_TIMEOUT_MS}
 * @param stopGraceMs how long a generation that is stopped on purpose (operator stop or restart, control-plane
 *                   shutdown) has between SIGTERM (Xen: a shutdown request) and SIGKILL (Xen: destroy); OTP's
 *                   {@code shutdown} of a worker; default {@value #DEFAULT_STOP_GRACE_MS}, from 0 (killed at once,
 *                   OTP's {@code brutal_kill}) to {@value #MAX_STOP_GRACE_MS}
 * @param resources  memory and CPU pinning; default {@link ResourcesSpec#DEFAULTS}
 * @param namespaces the Linux namespaces it gets of its own; default {@link #DEFAULT_NAMESPACES} (mount, pid);
 *                   {@link Namespace#NET} only for kind net
 * @param storage    its storage settings; present if and only if the kind is storage, else null
 * @param net        its network settings; present if and only if the kind is net, else null
 * @param xen        its Xen guest settings; present if and only if the backend is xen, else null
 * @param attachGroup a group (gid) whose members may attach to the domain besides the control plane's user and
 *                   root (its agent's socket is then that group's too); default none. The state directory must let
 *                   that group reach the socket.
 * @param capabilities the Linux capabilities its process keeps; default none: it runs with the control plane's uid
 *                   and no capability at all
 * @param standby    whether the supervisor keeps a warm standby of the domain's next generation (process backend
 *                   only): a parked JVM, started after a generation serves, that is promoted instead of started when
 *                   the domain must restart; default {@value #DEFAULT_STANDBY}. Costs one parked JVM's memory
 */
public record DomainSpec(String name, DomainKind kind, BackendKind backend, RestartPolicy restart,
                         SupervisorSpec limits, long startTimeoutMs, long stopGraceMs, ResourcesSpec resources,
                         Set<Namespace> namespaces, StorageSpec storage, NetSpec net, XenSpec xen,
                         OptionalInt attachGroup, Set<Capability> capabilities, boolean standby) {

    public static final Set<Namespace> DEFAULT_NAMESPACES =
            Collections.unmodifiableSet(EnumSet.of(Namespace.MOUNT, Namespace.PID));

    /** A JVM domain listens in well under a second; a Xen guest under emulation takes some 15 s to be created. */
    public static final long DEFAULT_START_TIMEOUT_MS = 30_000;
    public static final long MIN_START_TIMEOUT_MS = 100;
    public static final long MAX_START_TIMEOUT_MS = 600_000;
    /** The largest gid {@code attachGroup} may name. */
    public static final long MAX_GID = Integer.MAX_VALUE;
    /** OTP's default {@code shutdown} for a worker. */
    public static final long DEFAULT_STOP_GRACE_MS = 5_000;
    /** Bounded, unlike OTP's {@code infinity}: a domain that ignores SIGTERM must not hold a shutdown forever. */
    public static final long MAX_STOP_GRACE_MS = 600_000;
    /**
     * No standby unless asked for: it costs a parked JVM (about 50 MB resident, and its heap reservation) per domain,
     * for as long as the domain runs.
     */
    public static final boolean DEFAULT_STANDBY = false;

    public DomainSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(attachGroup, "attachGroup");
        if (startTimeoutMs < MIN_START_TIMEOUT_MS || startTimeoutMs > MAX_START_TIMEOUT_MS) {
            throw new IllegalArgumentException("startTimeoutMs=" + startTimeoutMs + ", expected "
                    + MIN_START_TIMEOUT_MS + ".." + MAX_START_TIMEOUT_MS);
        }
        if (stopGraceMs < 0 || stopGraceMs > MAX_STOP_GRACE_MS) {
            throw new IllegalArgumentException("stopGraceMs=" + stopGraceMs + ", expected 0.." + MAX_STOP_GRACE_MS);
        }
        // An EnumSet keeps the declaration order, so a printed spec reads the same every time.
        EnumSet<Namespace> copy = EnumSet.noneOf(Namespace.class);
        copy.addAll(namespaces);
        namespaces = Collections.unmodifiableSet(copy);
        EnumSet<Capability> caps = EnumSet.noneOf(Capability.class);
        caps.addAll(capabilities);
        capabilities = Collections.unmodifiableSet(caps);
    }

    /** A domain without capabilities that only the control plane's user and root may attach to. */
    public DomainSpec(String name, DomainKind kind, BackendKind backend, RestartPolicy restart, SupervisorSpec limits,
                      long startTimeoutMs, long stopGraceMs, ResourcesSpec resources, Set<Namespace> namespaces,
                      StorageSpec storage, NetSpec net, XenSpec xen) {
        this(name, kind, backend, restart, limits, startTimeoutMs, stopGraceMs, resources, namespaces, storage, net,
                xen, OptionalInt.empty(), Set.of(), DEFAULT_STANDBY);
    }

    /** A domain without a standby. */
    public DomainSpec(String name, DomainKind kind, BackendKind backend, RestartPolicy restart, SupervisorSpec limits,
                      long startTimeoutMs, long stopGraceMs, ResourcesSpec resources, Set<Namespace> namespaces,
                      StorageSpec storage, NetSpec net, XenSpec xen, OptionalInt attachGroup,
                      Set<Capability> capabilities) {
        this(name, kind, backend, restart, limits, startTimeoutMs, stopGraceMs, resources, namespaces, storage, net,
                xen, attachGroup, capabilities, DEFAULT_STANDBY);
    }

    /** The same domain, with or without a standby. */
    public DomainSpec withStandby(boolean keep) {
        return new DomainSpec(name, kind, backend, restart, limits, startTimeoutMs, stopGraceMs, resources,
                namespaces, storage, net, xen, attachGroup, capabilities, keep);
    }

    /** {@link #startTimeoutMs()} as a duration. */
    public Duration startTimeout() {
        return Duration.ofMillis(startTimeoutMs);
    }

    /** {@link #stopGraceMs()} as a duration. */
    public Duration stopGrace() {
        return Duration.ofMillis(stopGraceMs);
    }
}
