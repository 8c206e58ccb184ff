package dev.vos.controlplane.process;

import dev.vos.backend.DomainBackend;
import dev.vos.backend.DomainBackendProvider;

import java.nio.file.Path;
import java.util.Map;

/** The embedded default backend, {@code backend: process}: each domain generation a child process. */
public final class ProcessBackendProvider implements DomainBackendProvider {

    @Override
    public String name() {
        return "process";
    }

    /** A process backend; it takes no config files, and any host that runs the control plane can run it. */
    @Override
    public DomainBackend open(Map<String, Path> configs) {
        return new ProcessBackend();
    }
}
