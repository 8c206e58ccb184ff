package dev.vos.storage.protocol.archviolation;

import dev.vos.storage.domain.StorageCallTableProvider;

/** A protocol class that imports the server's implementation instead of the other way round. */
public final class ProtocolUsesStorageDomain {
    StorageCallTableProvider provider;
}
