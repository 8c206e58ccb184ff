package dev.vos.ring.server;

/**
 * A class of another artifact (these tests) in the ring's server package, as benchmarks once put a probe there to
 * reach a package-private constructor: the one-artifact-per-package rule must fail on it.
 */
public final class SplitPackageProbe {
    RingServer server;
}
