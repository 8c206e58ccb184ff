package dev.vos.controlplane.supervisor;

import java.time.Instant;

/**
 * A domain as {@code vos ps} and the status page show it.
 *
 * @param name         the domain's name
 * @param kind         its kind ("storage", "net")
 * @param state        its lifecycle state
 * @param generation   its current (or last) generation; 0 before the first start
 * @param pid          host pid of its current process, -1 when none runs
 * @param since        when it entered {@code state}
 * @param restarts     restarts since the control plane started
 * @param lastExit     how the last generation ended ("killed by SIGKILL"), "" if none has
 * @param reason       why it is FAILED or STOPPED, "" otherwise
 * @param standby      its warm standby: none, starting, or parked
 * @param standbyPid   the standby's host pid, -1 when it has none or its pid is not known yet
 */
public record DomainStatus(String name, String kind, DomainState state, long generation, long pid, Instant since,
                           int restarts, String lastExit, String reason, StandbyState standby, long standbyPid) {

    /** A status without a standby. */
    public DomainStatus(String name, String kind, DomainState state, long generation, long pid, Instant since,
                        int restarts, String lastExit, String reason) {
        this(name, kind, state, generation, pid, since, restarts, lastExit, reason, StandbyState.NONE, -1);
    }

    /** The same status, with {@code standby} and its pid. */
    public DomainStatus withStandby(StandbyState standby, long standbyPid) {
        return new DomainStatus(name, kind, state, generation, pid, since, restarts, lastExit, reason, standby,
                standbyPid);
    }
}
