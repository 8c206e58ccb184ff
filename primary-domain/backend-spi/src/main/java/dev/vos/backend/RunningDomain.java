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
     * How the supervisor reaches this generation's agent for its health ring: the launch's socket unless the backend
     * says otherwise. A Xen guest's agent is reached over the Xen transport; a guest that runs none, or a test's fake
     * domain, has {@link AgentRoute.None}, and is then watched through its backend's exit events alone.
     */
    default AgentRoute agent() {
        return new AgentRoute.Socket();
    }

    /**
     * What the backend sees of the domain's execution now, asked by a health watch whose heartbeat went stale and
     * that cannot see the domain's processes (a Xen guest's ring: the guest's kernel is not this one). It may be
     * slow (a call to the tool stack), never blocking. A process domain's watch sees its process itself and never
     * asks; the default says what {@link #isAlive()} says.
     */
    default Execution execution() {
        return isAlive() ? Execution.UNKNOWN : Execution.GONE;
    }

    /** A domain's execution, as far as a health watch acts on it. */
    enum Execution {
        /** Running, runnable, or blocked in its kernel: a stale heartbeat is a busy domain, up to a cap. */
        RUNNING,
        /** Paused ({@code xl pause}, the Xen analogue of SIGSTOP): a stale heartbeat is a hang at once. */
        PAUSED,
        /** Shut down, crashed, dying or gone: a death, whose exit event follows. */
        GONE,
        /** Not known to the backend. */
        UNKNOWN
    }

    /** How the journal names this generation: "pid 4242", "domid 7". */
    default String describe() {
        return "pid " + pid();
    }
}
