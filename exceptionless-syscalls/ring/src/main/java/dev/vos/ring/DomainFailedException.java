package dev.vos.ring;

import dev.vos.sys.Errno;

import java.io.IOException;
import java.util.Optional;

/**
 * A call could not complete because the service domain serving its ring died, hung, stopped, or was abandoned
 * by the client. At the raw layer this is errno {@code EIO}. Whether a failed call's side effects happened is
 * unknown, as for any call whose server vanished: only results the client received are facts.
 *
 * <p>When the ring itself failed, {@link #failure()} says why, as a {@link RingFailure}; it is empty when the call
 * never reached a ring (no server had attached yet, or the client was closed).
 */
public class DomainFailedException extends IOException {

    private final long generation;
    private final RingFailure failure;

    /** A failure that is not a ring's: no server attached, or the client was closed. */
    public DomainFailedException(String message, long generation) {
        this(message, generation, null);
    }

    /** A call on a ring that failed with {@code failure}; {@code message} names the call and the ring. */
    public DomainFailedException(String message, long generation, RingFailure failure) {
        super(message);
        this.generation = generation;
        this.failure = failure;
    }

    /** The generation of the domain the call was sent to. */
    public long generation() {
        return generation;
    }

    /** Why the ring failed, or empty when the call failed before any ring did. */
    public Optional<RingFailure> failure() {
        return Optional.ofNullable(failure);
    }

    /** The errno the raw layer reports for this failure: {@code EIO}. */
    public int errno() {
        return Errno.EIO;
    }
}
