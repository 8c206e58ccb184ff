package dev.vos.backend;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** One generation of a domain, as its backend started it. */
public interface RunningDomain {

    /** The generation this is. */
    long generation();

    /** The host pid of the domain's main process (its JVM), for signals and perf; -1 where there is none. */
    long pid();

    /** Whether it is still running. */
    boolean isAlive();

    /**
     * Whether its end is already on its way: it is gone, or dying (a zombie, or its exit in progress), or it was sent
     * SIGKILL (or its backend's equivalent). Such a domain serves nobody, but it is not hung: its exit will be
     * reported, and killing it again would only say something false.
     */
    default boolean exitPending() {
        return !isAlive();
    }

    /** Completes when it has ended, with how it ended. */
    CompletionStage<DomainExit> exit();

    /**
     * Sends a signal to the domain's main process (fault injection: KILL, STOP, CONT, ...), or its backend's
     * equivalent; throws IllegalArgumentException, with what it supports, for a signal it has none for.
     */
    void signal(int signal);

    /** Asks it to stop (SIGTERM), and kills it if it has not stopped within {@code grace}. Blocks until it ended. */
    void stop(Duration grace);

    /**
     * Whether a domain agent serves the supervisor's health ring on the launch's socket. A Xen guest of the lab has
     * none (yet): the supervisor then watches it through its backend's death events only, and sees no hangs.
     */
    default boolean hasAgent() {
        return true;
    }

    /** How the journal names this generation: "pid 4242", "domid 7". */
    default String describe() {
        return "pid " + pid();
    }
}
