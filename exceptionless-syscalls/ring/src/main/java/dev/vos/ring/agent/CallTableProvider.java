package dev.vos.ring.agent;

import dev.vos.ring.server.CallTable;

import java.util.Map;

/**
 * Adds a domain kind's calls to an agent's call table. A kind's module (storage, net) registers one through
 * {@code META-INF/services/dev.vos.ring.agent.CallTableProvider}; the agent loads the one whose {@link #kind()}
 * matches its own. Core calls are always there.
 */
public interface CallTableProvider {

    /** The domain kind this provider serves, as spelled in the spec ("storage", "net"). */
    String kind();

    /**
     * Registers the kind's calls. {@code options} are the agent's {@code --option key=value} settings (for example
     * the storage domain's export root); a provider throws {@link IllegalArgumentException} naming a bad one.
     * A provider whose calls keep per-client state (descriptors) also sets
     * {@link CallTable.Builder#sessionState}: each client's ring then gets its own state, closed when the client's
     * session ends.
     */
    void register(CallTable.Builder table, Map<String, String> options);
}
