package dev.vos.controlplane.spec;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The settings of a storage domain.
 *
 * @param exportRoot the directory the domain serves (absolute); required; a relative path in the spec resolves
 *                   against the spec file's folder, and the directory must exist when the spec is parsed
 */
public record StorageSpec(Path exportRoot) {

    public StorageSpec {
        Objects.requireNonNull(exportRoot, "exportRoot");
    }
}
