package dev.vos.ring;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Why a ring failed: every call in flight on it, and every later call, fails with a {@link DomainFailedException}
 * that carries one of these. One record per cause, with the evidence the client had: an owner that reacts to a
 * failure (the supervisor tells a hang from a death) switches over the cause, so a new cause is a compile error
 * wherever it is not handled, and no one tests the text of a message.
 *
 * <p>{@link #describe()} is the text people read (in exceptions, the journal, {@code vos client}); it is part of the
 * behaviour, kept as it was when the failures were strings.
 */
public sealed interface RingFailure {

    /**
     * One line for people: "the domain is hung: no heartbeat for 612.3 ms (liveness timeout 500.0 ms); its process
     * is stopped (state T)".
     */
    String describe();

    /**
     * The domain's process ended. Its owner, who watches the process, says so through {@code RingClient.fail}, with
     * the exit status or the signal when it knows them (at most one of the two; neither when it only knows that
     * the process is gone). The client's monitor reports it too, as {@link #unknown()}, when the heartbeat is stale
     * and the server's process has gone from {@code /proc} or is a zombie.
     *
     * @param exitStatus the status it exited with, as the owner read it (a JVM's {@code Process.exitValue()} is
     *                   {@code 128 + signal} after a signal)
     * @param signal     the signal that killed it
     */
    record Died(OptionalInt exitStatus, OptionalInt signal) implements RingFailure {

        public Died {
            if (exitStatus.isPresent() && signal.isPresent()) {
                throw new IllegalArgumentException("a process either exited (status " + exitStatus.getAsInt()
                        + ") or was killed (signal " + signal.getAsInt() + "), not both");
            }
        }

        /** It exited with {@code status}. */
        public static Died exited(int status) {
            return new Died(OptionalInt.of(status), OptionalInt.empty());
        }

        /** A signal killed it. */
        public static Died killedBy(int signal) {
            return new Died(OptionalInt.empty(), OptionalInt.of(signal));
        }

        /** It is gone; how is not known. */
        public static Died unknown() {
            return new Died(OptionalInt.empty(), OptionalInt.empty());
        }

        @Override
        public String describe() {
            if (exitStatus.isPresent()) {
                return "the domain process exited with status " + exitStatus.getAsInt();
            }
            if (signal.isPresent()) {
                return "the domain process was killed by signal " + signal.getAsInt();
            }
            return "the domain process died";
        }
    }

    /**
     * The server says it serves, but it is stopped (SIGSTOP), stuck, or dead without anyone having said so: its
     * heartbeat is older than the ring's liveness timeout and the evidence about its process says it is not merely
     * waiting for a CPU, or the server reports a worker stuck inside a call. {@code evidence} says which decided.
     *
     * @param heartbeatAgeNs    how old the heartbeat was when the client's monitor decided
     * @param livenessTimeoutNs the ring's liveness timeout
     * @param evidence          what decided, beside the heartbeat's age
     */
    record Hung(long heartbeatAgeNs, long livenessTimeoutNs, HangEvidence evidence) implements RingFailure {

        public Hung {
            Objects.requireNonNull(evidence, "evidence");
        }

        /** A hang judged by the heartbeat alone, with no other evidence. */
        public Hung(long heartbeatAgeNs, long livenessTimeoutNs) {
            this(heartbeatAgeNs, livenessTimeoutNs, new HangEvidence.HeartbeatOnly("no other evidence"));
        }

        @Override
        public String describe() {
            if (evidence instanceof HangEvidence.WorkerStuck) {
                return String.format(Locale.ROOT, "the domain is hung: %s (liveness timeout %.1f ms)",
                        evidence.describe(), livenessTimeoutNs / 1e6);
            }
            return String.format(Locale.ROOT, "the domain is hung: no heartbeat for %.1f ms (liveness timeout %.1f ms);"
                    + " %s", heartbeatAgeNs / 1e6, livenessTimeoutNs / 1e6, evidence.describe());
        }
    }

    /** The server marked the ring STOPPED: it was closed on its side, in an orderly way, and serves it no more. */
    record Stopped() implements RingFailure {
        @Override
        public String describe() {
            return "the domain stopped serving the ring";
        }
    }

    /**
     * The lifeline of the ring's agent session reached end of file: the agent closed the session, because its
     * process exited or it stopped serving. Its owner learns how the process ended on its own (a death, not a hang).
     */
    record LifelineClosed() implements RingFailure {
        @Override
        public String describe() {
            return "the domain's agent closed the session (its process exited or stopped serving)";
        }
    }

    /**
     * The lifeline of the ring's agent session failed with an I/O error other than end of file.
     *
     * @param error the error's message
     */
    record LifelineBroken(String error) implements RingFailure {
        @Override
        public String describe() {
            return "the session with the domain's agent broke: " + error;
        }
    }

    /** The client closed the ring itself ({@code RingClient.close}); the domain may be well. */
    record ClientClosed() implements RingFailure {
        @Override
        public String describe() {
            return "the client closed the ring";
        }
    }
}
