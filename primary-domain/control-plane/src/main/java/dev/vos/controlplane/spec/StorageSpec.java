package dev.vos.controlplane.spec;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The settings of a storage domain.
 *
 * @param exportRoot        the directory the domain serves (absolute); required; a relative path in the spec
 *                          resolves against the spec file's folder, and the directory must exist when the spec is
 *                          parsed
 * @param allowSpecialFiles whether clients may open FIFOs, sockets and device nodes under the root; default false:
 *                          such opens are EACCES (opens never wait either way)
 */
public record StorageSpec(Path exportRoot, boolean allowSpecialFiles) {

    public StorageSpec {
        Objects.requireNonNull(exportRoot, "exportRoot");
    }

    /** Settings with the defaults for everything but the export root. */
    public StorageSpec(Path exportRoot) {
        this(exportRoot, false);
    }
}
