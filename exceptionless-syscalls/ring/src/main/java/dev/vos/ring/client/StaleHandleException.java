package dev.vos.ring.client;

import dev.vos.sys.Errno;

import java.io.IOException;

/**
 * A {@link DomainHandle} issued by a generation of a domain that has since died: the object it named is gone with
 * that generation. Errno {@code EBADF}. Open it again.
 */
public final class StaleHandleException extends IOException {

    private final DomainHandle handle;

    StaleHandleException(DomainHandle handle, long currentGeneration) {
        super("handle " + handle.value() + " was issued by generation " + handle.generation() + " of the domain, which"
                + " is gone; the domain now serves generation " + currentGeneration + ": the handle is stale (EBADF);"
                + " open it again");
        this.handle = handle;
    }

    /** The stale handle. */
    public DomainHandle handle() {
        return handle;
    }

    /** {@code EBADF}. */
    public int errno() {
        return Errno.EBADF;
    }
}
