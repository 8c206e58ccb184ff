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
