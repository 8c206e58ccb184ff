package dev.vos.backend.xen;

import dev.vos.backend.BackendUnavailableException;
import dev.vos.backend.DomainBackend;
import dev.vos.backend.DomainBackendProvider;
import dev.vos.backend.xen.libxl.XenUnavailableException;

import java.nio.file.Path;
import java.util.Map;

/** {@code backend: xen}: each domain generation a Xen PV guest, created through libxl from its xl.cfg. */
public final class XenBackendProvider implements DomainBackendProvider {

    @Override
    public String name() {
        return "xen";
    }

    /** Opens libxl; on a host without Xen, refuses with the one line that says what is missing. */
    @Override
    public DomainBackend open(Map<String, Path> configs) throws BackendUnavailableException {
        try {
            return XenBackend.open(configs);
        } catch (XenUnavailableException e) {
            throw new BackendUnavailableException(e.getMessage(), e);
        }
    }
}
