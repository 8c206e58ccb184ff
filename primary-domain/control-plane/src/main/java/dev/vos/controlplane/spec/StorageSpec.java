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
 * @param mapReads          whether the domain answers reads of regular files by copying from read-only mappings of
 *                          them, without a system call (docs/storage.md, "Reads from a mapping of the file");
 *                          default true; false: every read is a pread
 */
public record StorageSpec(Path exportRoot, boolean allowSpecialFiles, boolean mapReads) {

    public StorageSpec {
        Objects.requireNonNull(exportRoot, "exportRoot");
    }

    /** Settings with the defaults for everything but the export root. */
    public StorageSpec(Path exportRoot) {
        this(exportRoot, false, true);
    }
}
