package dev.vos.controlplane.spec;

import java.util.List;

/**
 * What a domain may use of the host.
 *
 * @param memoryMb JVM heap of the domain's process in MiB; default {@value #DEFAULT_MEMORY_MB},
 *                 {@value #MIN_MEMORY_MB}..{@value #MAX_MEMORY_MB}
 * @param cpus     CPUs the domain is pinned to, in the spec's order, each below the host's available processors;
 *                 default empty (not pinned)
 */
public record ResourcesSpec(int memoryMb, List<Integer> cpus) {

    public static final int DEFAULT_MEMORY_MB = 128;
    public static final int MIN_MEMORY_MB = 32;
    public static final int MAX_MEMORY_MB = 65536;

    /** The resources of a domain without a {@code resources:} section. */
    public static final ResourcesSpec DEFAULTS = new ResourcesSpec(DEFAULT_MEMORY_MB, List.of());

    public ResourcesSpec {
        cpus = List.copyOf(cpus);
    }
}
