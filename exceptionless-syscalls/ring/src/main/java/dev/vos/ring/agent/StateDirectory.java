package dev.vos.ring.agent;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where a host's domain agents listen: the rendezvous between a control plane, which starts the agents, and the
 * clients that attach to them. A host's state directory holds {@code domains/NAME/agent.sock} for each domain
 * (and the control plane's own files beside it). Clients and the control plane agree on it here, so that neither
 * imports the other.
 */
public final class StateDirectory {

    private StateDirectory() {
    }

    /**
     * The default state directory: {@code $XDG_STATE_HOME/vos} when that is set to an absolute path, else
     * {@code ~/.local/state/vos} (the XDG Base Directory rules).
     */
    public static Path defaultPath() {
        return defaultPath(System.getenv(), System.getProperty("user.home"));
    }

    /** {@link #defaultPath()} for a given environment and home folder. */
    public static Path defaultPath(Map<String, String> env, String userHome) {
        String xdg = env.get("XDG_STATE_HOME");
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "vos").normalize();
        }
        return Path.of(userHome, ".local", "state", "vos").toAbsolutePath().normalize();
    }

    /** The directory of domain {@code name}: its agent's socket and its log. */
    public static Path domainDirectory(Path stateDir, String name) {
        return stateDir.resolve("domains").resolve(name);
    }

    /** Where the agent of domain {@code name} listens. */
    public static Path agentSocket(Path stateDir, String name) {
        return domainDirectory(stateDir, name).resolve("agent.sock");
    }

    /**
     * The record that domain {@code name} is a Xen guest ({@code xen-domain=XEN-NAME}): where a client learns to
     * attach to it over the Xen transport instead of at {@link #agentSocket} ({@code XenGuestSession}).
     */
    public static Path xenGuest(Path stateDir, String name) {
        return domainDirectory(stateDir, name).resolve("xen-guest");
    }

    /**
     * Where the control plane keeps the token of the supervisor's session with a domain's agent ({@link
     * SupervisorToken}), given the domain's directory: beside its socket, owner-only, a new one each generation.
     */
    public static Path supervisorToken(Path domainDirectory) {
        return domainDirectory.resolve("supervisor.token");
    }
}
