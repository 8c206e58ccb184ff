package dev.vos.cli;

import dev.vos.net.protocol.SocketRow;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The table {@code docs/network.md} shows under "Watching it" is what {@link SsTable} renders for those sockets, so
 * the example cannot drift from the format (columns, alignment, a Unix socket's inodes) without failing the build.
 */
class SsTableTest {

    private static final String SECTION = "## Watching it: `vos net ss`";

    @Test
    void theDocsExample_isWhatTheTableRenders() throws Exception {
        // Tests run in the module's directory (Maven's basedir).
        String doc = Files.readString(Path.of("../../docs/network.md"));
        int section = doc.indexOf(SECTION);
        assertTrue(section >= 0, "no section " + SECTION);
        int start = doc.indexOf("```text\n", section) + "```text\n".length();
        String example = doc.substring(start, doc.indexOf("```", start)).stripTrailing();

        long pid = 81234;
        List<NetCommand.Row> rows = List.of(
                row(pid, SocketRow.of("LISTEN", 0, 50, address(40457), null, 3)),
                row(pid, SocketRow.of("ESTAB", 0, 0, address(53618), address(40457), 4)),
                row(pid, SocketRow.of("ESTAB", 5, 0, address(40457), address(53618), 5)),
                row(pid, SocketRow.of("ESTAB", 7, 0, address(40457), address(53630), 6)),
                row(pid, SocketRow.unix("LISTEN", 1, 50, "/tmp/vos-net0/a.sock", null, 7, 31417, 0)),
                row(pid, SocketRow.unix("ESTAB", 0, 768, "", "/tmp/vos-net0/a.sock", 8, 31422, 31423)),
                row(pid, SocketRow.unix("ESTAB", 3, 0, "/tmp/vos-net0/a.sock", "", 9, 31423, 31422)),
                row(pid, SocketRow.unix("ESTAB", 0, 0, "", "/tmp/vos-net0/a.sock", 10, 31424, 0)));
        assertEquals(example, SsTable.render(rows));
    }

    @Test
    void json_givesEveryRowItsInodes_zeroForAnIpSocket() {
        String json = SsTable.json(List.of(
                row(7, SocketRow.of("LISTEN", 0, 50, address(40457), null, 3)),
                row(7, SocketRow.unix("ESTAB", 3, 0, "/tmp/a \"b\".sock", "", 9, 31423, 31422))));
        assertEquals("""
                [
                  {"session": 2, "pid": 7, "uid": 1001, "fd": 3, "netid": "tcp", "state": "LISTEN", "recvQ": 0, \
                "sendQ": 50, "local": "127.0.0.1:40457", "peer": "*:*", "inode": 0, "peerInode": 0},
                  {"session": 2, "pid": 7, "uid": 1001, "fd": 9, "netid": "u_str", "state": "ESTAB", "recvQ": 3, \
                "sendQ": 0, "local": "/tmp/a \\"b\\".sock", "peer": "*", "inode": 31423, "peerInode": 31422}
                ]""", json);
    }

    private static NetCommand.Row row(long pid, SocketRow socket) {
        return new NetCommand.Row(2, pid, 1001, socket);
    }

    private static InetSocketAddress address(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }
}
