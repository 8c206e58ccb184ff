package dev.vos.cli;

import dev.vos.net.protocol.SocketRow;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code vos net ss -t -u -x -l --session N} choose rows as {@code ss}'s options do. */
class SsFilterTest {

    private static final InetSocketAddress HERE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
    private static final NetCommand.Row TCP_LISTEN = row(1, SocketRow.of("LISTEN", 0, 50, HERE, null, 1));
    private static final NetCommand.Row TCP_ESTAB = row(2, SocketRow.of("ESTAB", 0, 0, HERE, HERE, 2));
    private static final NetCommand.Row UDP = row(2, SocketRow.udp("UNCONN", 0, 0, HERE, null, 3));
    private static final NetCommand.Row UNIX_LISTEN = row(1, SocketRow.unix("LISTEN", 0, 50, "/a", null, 4, 7, 0));
    private static final NetCommand.Row UNIX_ESTAB = row(2, SocketRow.unix("ESTAB", 0, 0, "", "/a", 5, 8, 9));
    private static final List<NetCommand.Row> ALL = List.of(TCP_LISTEN, TCP_ESTAB, UDP, UNIX_LISTEN, UNIX_ESTAB);

    @Test
    void noOption_showsEverySocket() {
        assertEquals(ALL, select(new NetCommand.Filter(false, false, false, false, null)));
    }

    @Test
    void kinds_addUp_andListeningKeepsListenersOfThoseKinds() {
        assertEquals(List.of(TCP_LISTEN, TCP_ESTAB), select(new NetCommand.Filter(true, false, false, false, null)));
        assertEquals(List.of(UDP, UNIX_LISTEN, UNIX_ESTAB),
                select(new NetCommand.Filter(false, true, true, false, null)));
        assertEquals(List.of(TCP_LISTEN, UNIX_LISTEN), select(new NetCommand.Filter(false, false, false, true, null)));
        assertEquals(List.of(UNIX_LISTEN), select(new NetCommand.Filter(false, false, true, true, null)));
    }

    @Test
    void aSession_keepsThatClientsSocketsOnly() {
        assertEquals(List.of(TCP_ESTAB, UDP, UNIX_ESTAB),
                select(new NetCommand.Filter(false, false, false, false, 2L)));
        assertEquals(List.of(), select(new NetCommand.Filter(false, true, false, false, 1L)));
    }

    private static List<NetCommand.Row> select(NetCommand.Filter filter) {
        return ALL.stream().filter(filter::admits).toList();
    }

    private static NetCommand.Row row(long session, SocketRow socket) {
        return new NetCommand.Row(session, 100 + session, 1000, socket);
    }
}
