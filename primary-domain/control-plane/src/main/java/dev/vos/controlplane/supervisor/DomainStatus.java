package dev.vos.controlplane.supervisor;

import java.time.Instant;

/**
 * A domain as {@code vos ps} shows it.
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
 */
public record DomainStatus(String name, String kind, DomainState state, long generation, long pid, Instant since,
                           int restarts, String lastExit, String reason) {
}
