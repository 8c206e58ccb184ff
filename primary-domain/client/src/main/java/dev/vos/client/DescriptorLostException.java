package dev.vos.client;

import java.io.IOException;

/**
 * A channel or directory stream outlived the session of the domain that opened its descriptor: the domain died
 * (and perhaps came back), or this client's ring failed and it re-attached a new session to the same generation,
 * and the descriptor died with the old session. The message says which. Paths keep working; the file must be
 * opened again. Thrown by {@link DomainHandle#valueFor}, before anything is sent, so the descriptor's number never
 * reaches a later session, where it could name another file.
 */
public final class DescriptorLostException extends IOException {

    private final transient DomainHandle handle;

    DescriptorLostException(DomainHandle handle, String message) {
        super(message);
        this.handle = handle;
    }

    /** The lost handle. */
    public DomainHandle handle() {
        return handle;
    }
}
