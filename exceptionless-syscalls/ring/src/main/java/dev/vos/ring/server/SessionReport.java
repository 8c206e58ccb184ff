package dev.vos.ring.server;

import java.util.List;

/**
 * Session state (see {@link CallTable.Builder#sessionState}) that can say what it holds, for an operator: the net
 * domain's socket table lists its sockets for {@code vos net ss}. Asked through the agent's {@code SESSIONS} core
 * call, by the control plane only, on a worker of its session: it must not block, and may run beside the session's
 * own calls.
 */
public interface SessionReport {

    /** How many rows there are now. */
    int reportSize();

    /**
     * Rows {@code from} to {@code from + count} (fewer at the end, or if things went meanwhile), one per thing held,
     * its fields the kind's, tab-separated: a listing longer than one payload is read a page at a time, without
     * reading from the kernel the rows of the pages before.
     */
    List<String> reportRows(int from, int count);
}
