package dev.vos.storage.domain;

/**
 * How a descriptor's preads are served: from a mapping of its file ({@link ReadMapping}), or not (yet) so
 * ({@link NoMapping}). Held by the descriptor's {@link DescriptorTable.Entry}; changed only while it is pinned.
 */
sealed interface ReadView permits ReadMapping, ReadView.NoMapping {

    /** Why a descriptor's preads go to the kernel. */
    enum NoMapping implements ReadView {
        /** No read has asked yet: the first read tries to map the file. */
        UNTRIED,
        /**
         * The file was empty when a read tried (nothing to map): a later read tries again once a pread found bytes
         * (the file grew), so an empty file costs one statx, not one per read.
         */
        EMPTY,
        /**
         * Never mapped: not a regular file, a descriptor that cannot read, mapping turned off, the session's cap
         * reached, or mmap refused. Its preads are the kernel's, as before mappings.
         */
        NEVER
    }
}
