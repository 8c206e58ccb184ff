package dev.vos.client;

import java.io.IOException;

/**
 * A channel or directory stream outlived the session of the domain that opened its descriptor: the domain died
 * (and perhaps came back), and the descriptor died with it. Paths keep working; the file must be opened again.
 * Thrown by {@link DomainHandle#valueFor}, before anything is sent, so the descriptor's number never reaches a
 * later generation, where it could name another file.
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
