package dev.vos.cli;

import dev.vos.net.protocol.SocketRow;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders {@code vos net ss} rows as {@code ss -anp} does: the net id ({@code tcp}, {@code u_str}), aligned
 * columns, the numbers right-aligned, a Unix domain socket's addresses as {@code ss -x} writes them (the path, then
 * the inode: its own, and its peer's, {@code 0} for none), and a process column naming the client
 * ({@code pid=...,session=...,fd=...}: the client's pid as the domain's /proc sees it, "-" when the domain cannot see
 * it; the agent's session; the socket's serial in that session).
 */
final class SsTable {

    private static final String[] HEADER = {"Netid", "State", "Recv-Q", "Send-Q", "Local Address:Port",
        "Peer Address:Port", "Process"};
    /** Columns right-aligned, as ss aligns its queues. */
    private static final boolean[] RIGHT = {false, false, true, true, false, false, false};

    private SsTable() {
    }

    static String render(List<NetCommand.Row> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(HEADER);
        for (NetCommand.Row r : rows) {
            SocketRow s = r.socket();
            boolean unix = s.netid().equals(SocketRow.UNIX_NETID);
            cells.add(new String[] {s.netid(), s.state(), Long.toString(s.recvQ()), Long.toString(s.sendQ()),
                unix ? s.local() + " " + s.inode() : s.local(), unix ? s.peer() + " " + s.peerInode() : s.peer(),
                "pid=" + (r.pid() > 0 ? Long.toString(r.pid()) : "-") + ",session=" + r.session() + ",fd="
                        + s.serial()});
        }
        int[] width = new int[HEADER.length];
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                width[i] = Math.max(width[i], c[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                String cell = i == c.length - 1 ? c[i]
                        : String.format("%" + (RIGHT[i] ? "" : "-") + width[i] + "s", c[i]);
                out.append(cell).append(i == c.length - 1 ? "" : "  ");
            }
            out.append('\n');
        }
        return out.toString().stripTrailing();
    }

    /** The rows as one JSON array; every string is an address or a state name, escaped all the same. */
    static String json(List<NetCommand.Row> rows) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < rows.size(); i++) {
            NetCommand.Row r = rows.get(i);
            out.append(i == 0 ? "" : ",").append("\n  {\"session\": ").append(r.session())
                    .append(", \"pid\": ").append(r.pid()).append(", \"uid\": ").append(r.uid())
                    .append(", \"fd\": ").append(r.socket().serial())
                    .append(", \"netid\": ").append(quote(r.socket().netid()))
                    .append(", \"state\": ").append(quote(r.socket().state()))
                    .append(", \"recvQ\": ").append(r.socket().recvQ())
                    .append(", \"sendQ\": ").append(r.socket().sendQ())
                    .append(", \"local\": ").append(quote(r.socket().local()))
                    .append(", \"peer\": ").append(quote(r.socket().peer()))
                    .append(", \"inode\": ").append(r.socket().inode())
                    .append(", \"peerInode\": ").append(r.socket().peerInode()).append('}');
        }
        return out.append(rows.isEmpty() ? "]" : "\n]").toString();
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
