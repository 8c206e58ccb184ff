package dev.vos.ring;

import dev.vos.sys.Errno;

import java.io.IOException;

/**
 * A call could not complete because the service domain serving its ring died, hung, stopped, or was abandoned
 * by the client. At the raw layer this is errno {@code EIO}. Whether a failed call's side effects happened is
 * unknown, as for any call whose server vanished: only results the client received are facts.
 */
public class DomainFailedException extends IOException {

    private final long generation;

    public DomainFailedException(String message, long generation) {
        super(message);
        this.generation = generation;
    }

    /** The generation of the domain the call was sent to. */
    public long generation() {
        return generation;
    }

    /** The errno the raw layer reports for this failure: {@code EIO}. */
    public int errno() {
        return Errno.EIO;
    }
}
