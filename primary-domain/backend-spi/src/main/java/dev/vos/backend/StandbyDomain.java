package dev.vos.backend;

import java.util.concurrent.CompletionStage;

/**
 * A domain's next generation, started ahead of time and parked: its process is up and ready, but it has no socket
 * and no session, serves nothing, and no client can reach it, until the supervisor promotes it. A backend that
 * cannot keep one says so ({@link DomainBackend#supportsStandby()}).
 */
public interface StandbyDomain {

    /** The host pid of its main process (the JVM that becomes the generation), or -1 while it is not known yet. */
    long pid();

    /** Whether its process still runs. */
    boolean isAlive();

    /** Completes when its process has ended (promoted or not), with how it ended. */
    CompletionStage<DomainExit> exit();

    /**
     * Completes once it has parked: its JVM is up, its calls registered and warmed, its kind's resources open, so a
     * promotion costs only the socket's bind. Never completes if it ends first. A standby promoted before that
     * still becomes the generation; it just has more to do first.
     */
    CompletionStage<Void> parked();

    /**
     * Makes it generation {@code launch.generation()} of the domain it was started for, and returns once it listens
     * on {@code launch.socket()}, as {@link DomainBackend#start} does. Once only.
     *
     * @throws StandbyLostException when it is found dead (before or during the promotion): nothing of the new
     *                              generation ran; the caller starts one afresh
     * @throws DomainBackend.BackendException when it was promoted but did not listen
     */
    RunningDomain promote(DomainLaunch launch) throws StandbyLostException, DomainBackend.BackendException;

    /** Ends it (SIGKILL: it serves nothing, so nothing is lost) and waits until it is gone. */
    void discard();

    /** How the journal names it: "pid 4242". */
    default String describe() {
        return "pid " + pid();
    }

    /** A standby that died before it could become a generation. */
    final class StandbyLostException extends Exception {
        public StandbyLostException(String message) {
            super(message);
        }
    }
}
