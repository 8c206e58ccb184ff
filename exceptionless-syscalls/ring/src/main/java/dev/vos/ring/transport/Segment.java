package dev.vos.ring.transport;

import java.lang.foreign.MemorySegment;

/**
 * The shared bytes of one ring, mapped into this process read and write: what a transport gives the ring to lay its
 * header, queue, slots and data area over. The ring never learns how the bytes are shared; it asks the segment's
 * {@link #transport()} for the rest (the doorbells and the peer's liveness).
 *
 * <p>Implementations: the process transport's segment file or sealed memfd ({@code transport.process}); the Xen
 * transport's grant-shared pages ({@code transport.xen}; docs/ring-protocol.md, section 15).
 */
public interface Segment extends AutoCloseable {

    /** The whole mapping, shared with the peer; closed (any access throws {@link IllegalStateException}) by
     * {@link #close()}. */
    MemorySegment memory();

    /** Mapped size in bytes. */
    default long byteSize() {
        return memory().byteSize();
    }

    /** What to call the segment in messages: a path, {@code memfd:vos-LABEL}, grant references. */
    String name();

    /** Who may map these bytes besides this process, for people: the file's owner, whoever holds the descriptor. */
    String mappableBy();

    /** The transport this segment belongs to: its doorbells and peer watch work on it. */
    Transport transport();

    /** Unmaps the segment and releases what the transport holds for it; idempotent as far as the mapping goes. */
    @Override
    void close();
}
