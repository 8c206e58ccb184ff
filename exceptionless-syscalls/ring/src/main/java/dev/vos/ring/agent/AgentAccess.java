package dev.vos.ring.agent;

import dev.vos.sys.Linux;

import java.util.Arrays;
import java.util.OptionalInt;

/**
 * Who may attach to a domain agent, and how many sessions each may hold. The agent asks the kernel who connected
 * ({@code SO_PEERCRED}, {@code SO_PEERGROUPS}: what the peer was at {@code connect}, not what it claims) and admits
 * root, the user of the control plane that launched it, and, when one is configured, the members of one group
 * (by primary or supplementary group). Everyone else is answered {@code ERR permission denied} and logged.
 *
 * @param controlPlaneUid   the control plane's user, admitted ({@code --admit-uid}; default: the agent's own)
 * @param group             a group whose members are admitted too ({@code --admit-group}); default none
 * @param maxSessionsPerUid sessions one user may hold at once, and connections it may have in the handshake at once
 *                          ({@code --max-sessions-per-uid}, default {@value #DEFAULT_MAX_SESSIONS_PER_UID}); the
 *                          supervisor's session is not counted. With a domain's descriptors per session capped too
 *                          (the storage domain's 1024), one user can hold only so many of the domain's descriptors:
 *                          a user over its cap is refused its own attach, and nobody else is.
 */
public record AgentAccess(int controlPlaneUid, OptionalInt group, int maxSessionsPerUid) {

    /** Sessions per user by default: 16 x 1024 storage descriptors stays below a 20,000-descriptor limit. */
    public static final int DEFAULT_MAX_SESSIONS_PER_UID = 16;
    /** The most {@code maxSessionsPerUid} may be: each session is a thread of the agent's. */
    public static final int MAX_SESSIONS_PER_UID = 1024;

    public AgentAccess {
        if (controlPlaneUid < 0) {
            throw new IllegalArgumentException("controlPlaneUid=" + controlPlaneUid + ": a uid is not negative");
        }
        if (maxSessionsPerUid < 1 || maxSessionsPerUid > MAX_SESSIONS_PER_UID) {
            throw new IllegalArgumentException("maxSessionsPerUid=" + maxSessionsPerUid + ": must be in [1, "
                    + MAX_SESSIONS_PER_UID + "]");
        }
        if (group.isPresent() && group.getAsInt() < 0) {
            throw new IllegalArgumentException("group=" + group.getAsInt() + ": a gid is not negative");
        }
    }

    /** Root and this process's own user, no group, the default cap. */
    public static AgentAccess owner() {
        return new AgentAccess(Linux.getuid(), OptionalInt.empty(), DEFAULT_MAX_SESSIONS_PER_UID);
    }

    /** The same access with {@code gid}'s members admitted too. */
    public AgentAccess withGroup(int gid) {
        return new AgentAccess(controlPlaneUid, OptionalInt.of(gid), maxSessionsPerUid);
    }

    /** The same access with another cap. */
    public AgentAccess withMaxSessionsPerUid(int max) {
        return new AgentAccess(controlPlaneUid, group, max);
    }

    /** Whether {@code peer} may attach. */
    boolean admits(AgentSocket.Peer peer) {
        if (peer.uid() == 0 || peer.uid() == controlPlaneUid) {
            return true;
        }
        if (group.isEmpty()) {
            return false;
        }
        int gid = group.getAsInt();
        return peer.gid() == gid || Arrays.stream(peer.groups()).anyMatch(g -> g == gid);
    }
}
