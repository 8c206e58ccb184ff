package dev.vos.backend;

/**
 * Starts service domains. One implementation per way of running a domain: {@code process} (a child process, the
 * embedded default) and {@code xen} (a Xen guest through libxl), each opened by its {@link DomainBackendProvider}.
 * The supervisor sees only this interface and {@link RunningDomain}: start, stop, kill, state, death notification.
 */
public interface DomainBackend extends AutoCloseable {

    /** The backend's name, as a spec spells it ("process"). */
    String name();

    /**
     * Starts one generation of a domain and returns once its agent listens on {@code launch.socket()}.
     *
     * @throws BackendException with a message that says what failed and what to do
     */
    RunningDomain start(DomainLaunch launch) throws BackendException;

    /** Whether this backend can start a parked standby of a domain ({@link #startStandby}). */
    default boolean supportsStandby() {
        return false;
    }

    /**
     * Starts a standby for the domain of {@code template}: the process of its next generation, started now and
     * parked until {@link StandbyDomain#promote}. Returns without waiting for it to be ready; it touches nothing of
     * the domain's current generation (its socket, its token). {@code template.generation()} is not used: the
     * standby learns its generation when it is promoted.
     *
     * @throws BackendException if it cannot be started, or this backend keeps no standbys
     */
    default StandbyDomain startStandby(DomainLaunch template) throws BackendException {
        throw new BackendException("backend " + name() + " keeps no standby");
    }

    /** Lets go of what the backend holds (after its domains have stopped); nothing, unless it says otherwise. */
    @Override
    default void close() {
    }

    /** A domain that could not be started. */
    final class BackendException extends Exception {
        public BackendException(String message) {
            super(message);
        }

        public BackendException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
