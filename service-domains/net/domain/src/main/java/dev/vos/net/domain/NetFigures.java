package dev.vos.net.domain;

import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.KindFigure;
import dev.vos.sys.Errno;

import java.util.concurrent.atomic.LongAdder;

/**
 * The net domain's own figures, all sessions together (one per agent, shared by its handlers and every session's
 * {@link SocketTable}): what the ring cannot count by itself because it is not a call's result. Each is counted
 * where the fact is known (a socket mapped or unmapped, an accept that handed a socket to its client, a connect
 * answered ECONNREFUSED, whether at once or when a parked connect completed), and read by the supervisor's
 * {@code STATS} from any thread; LongAdder, because every worker and the readiness loop count.
 */
final class NetFigures {

    private final LongAdder socketsOpen = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();

    /** Registers the figures with {@code table}. */
    void register(CallTable.Builder table) {
        table.figure(KindFigure.NET_SOCKETS_OPEN, socketsOpen::sum)
                .figure(KindFigure.NET_CONNECTIONS_ACCEPTED, accepted::sum)
                .figure(KindFigure.NET_CONNECTIONS_REFUSED, refused::sum);
    }

    /** {@code delta} sockets were mapped into (positive) or out of (negative) a session's table. */
    void socketsOpened(int delta) {
        socketsOpen.add(delta);
    }

    /** An accept handed its client a new socket. */
    void accepted() {
        accepted.increment();
    }

    /** A connect's final answer {@code result}, counted if the peer refused it; returned as it is. */
    long connectAnswered(long result) {
        if (result == -Errno.ECONNREFUSED) {
            refused.increment();
        }
        return result;
    }
}
