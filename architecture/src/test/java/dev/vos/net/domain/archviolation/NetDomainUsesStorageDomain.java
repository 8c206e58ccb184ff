package dev.vos.net.domain.archviolation;

import dev.vos.storage.domain.StorageCallTableProvider;

/** A net domain class that reaches into the storage domain: two service domains tied together. */
public final class NetDomainUsesStorageDomain {
    StorageCallTableProvider provider;
}
