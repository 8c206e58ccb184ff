package dev.vos.backend;

import java.util.Objects;

/**
 * How the supervisor reaches the vos agent of one generation, for its health ring: the ring whose heartbeat tells
 * it the domain hangs, and through which it reads the domain's figures. One per way an agent can be reached.
 */
public sealed interface AgentRoute {

    /** The process agent, listening on the launch's socket ({@link DomainLaunch#socket()}). */
    record Socket() implements AgentRoute {
    }

    /**
     * The vos agent inside a Xen guest, reached over the Xen transport (a ring offered through xenstore, granted
     * pages, an event channel).
     *
     * @param xenName the guest's name as {@code xl list} shows it; the agent is found by it in xenstore
     */
    record XenGuest(String xenName) implements AgentRoute {
        public XenGuest {
            Objects.requireNonNull(xenName, "xenName");
        }
    }

    /**
     * No agent to reach: the supervisor then watches the domain through its backend's exit events alone, and sees
     * no hangs.
     *
     * @param why why there is none, for the journal ("the guest's kernel command line names no vos.agent")
     */
    record None(String why) implements AgentRoute {
        public None {
            Objects.requireNonNull(why, "why");
        }
    }
}
