package dev.vos.backend;

import java.nio.file.Path;
import java.util.Map;

/**
 * A way of running domains, found through {@link java.util.ServiceLoader}: the control plane opens the backend
 * that each domain's spec names ({@code backend: process}, the default, or {@code backend: xen}) through the
 * provider of that name on its class path. A host without the Xen backend's jar never loads JNA or libxl.
 *
 * <p>Register an implementation in {@code META-INF/services/dev.vos.backend.DomainBackendProvider}.
 */
public interface DomainBackendProvider {

    /** The backend's name, as a spec spells it ("process", "xen"). */
    String name();

    /**
     * Opens the backend for the domains of a spec that run on it. Refuses at once what cannot work on this host,
     * before any domain starts.
     *
     * @param configs the backend's own config file of each of those domains that has one, by domain name (xen: the
     *                guest's xl.cfg, from {@code xen: {config: ...}}); empty for a backend that takes none
     * @throws BackendUnavailableException with one line: what is missing here, and what to do
     */
    DomainBackend open(Map<String, Path> configs) throws BackendUnavailableException;
}
