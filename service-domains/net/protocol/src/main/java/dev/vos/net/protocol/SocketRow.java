package dev.vos.net.protocol;

import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * One socket of a net domain as {@code vos net ss} shows it, and its line: the net domain writes it (after the
 * agent's session fields), the {@code vos} command reads it back. Fields are tab-separated, in this order: the net
 * id as {@code ss} names it ({@value #NETID}, {@value #UDP_NETID}, or {@value #UNIX_NETID} for a Unix domain
 * stream), the state as {@code ss} names it ({@code LISTEN}, {@code ESTAB}, {@code SYN-SENT}, {@code CLOSED} ...),
 * the receive and send queues in bytes (on a listening socket: connections waiting to be accepted, and the backlog,
 * as {@code ss} shows them), the local and the peer address ({@code 127.0.0.1:8080}, {@code [::1]:8080}, or
 * {@value #NO_ADDRESS}; a Unix domain socket's path, or {@value #UNNAMED}), the socket's serial in its session
 * (the low half of its number), and, for a Unix domain socket, its inode and its peer's, as {@code ss -x} shows them
 * ({@code 0}: none; always {@code 0} for an IP socket), by which an operator pairs the two ends of a connection.
 */
public record SocketRow(String netid, String state, long recvQ, long sendQ, String local, String peer, long serial,
                        long inode, long peerInode) {

    /** The net id of a TCP socket. */
    public static final String NETID = "tcp";
    /** The net id of a UDP socket. */
    public static final String UDP_NETID = "udp";
    /** The net id of a Unix domain stream socket, as {@code ss} names it. */
    public static final String UNIX_NETID = "u_str";
    private static final java.util.Set<String> NETIDS = java.util.Set.of(NETID, UDP_NETID, UNIX_NETID);
    /** The state of a listening socket, as {@code ss} names it (the kernel's TCP_LISTEN, and a Unix listener). */
    public static final String LISTEN = "LISTEN";
    /** A Unix domain socket without a name, as {@code ss} shows it. */
    public static final String UNNAMED = "*";
    /** An address a socket does not have (not bound, not connected). */
    public static final String NO_ADDRESS = "*:*";
    /** Fields in a line. */
    public static final int FIELDS = 9;

    /** A row with the addresses formatted as {@code ss} does; {@code null} is {@value #NO_ADDRESS}. */
    public static SocketRow of(String state, long recvQ, long sendQ, InetSocketAddress local,
                               InetSocketAddress peer, long serial) {
        return new SocketRow(NETID, state, recvQ, sendQ, text(local), text(peer), serial, 0, 0);
    }

    /** A UDP socket's row, as {@link #of} makes a TCP socket's. */
    public static SocketRow udp(String state, long recvQ, long sendQ, InetSocketAddress local, InetSocketAddress peer,
                                long serial) {
        return new SocketRow(UDP_NETID, state, recvQ, sendQ, text(local), text(peer), serial, 0, 0);
    }

    /**
     * A Unix domain socket's row: its path and its peer's ({@code ""} or null: {@value #UNNAMED}), each character
     * below U+0020 shown as {@code ?}, since a client chose the path and the row is one line of tab-separated fields;
     * its inode and its peer's ({@code 0}: none, or not known).
     */
    public static SocketRow unix(String state, long recvQ, long sendQ, String local, String peer, long serial,
                                 long inode, long peerInode) {
        return new SocketRow(UNIX_NETID, state, recvQ, sendQ, path(local), path(peer), serial, inode, peerInode);
    }

    private static String path(String path) {
        if (path == null || path.isEmpty()) {
            return UNNAMED;
        }
        StringBuilder out = new StringBuilder(path.length());
        for (char c : path.toCharArray()) {
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return out.toString();
    }

    /** The line, without a newline. */
    public String line() {
        return String.join("\t", netid, state, Long.toString(recvQ), Long.toString(sendQ), local, peer,
                Long.toString(serial), Long.toString(inode), Long.toString(peerInode));
    }

    /**
     * Reads the row at {@code fields[from ...]}.
     *
     * @throws IllegalArgumentException if they are not a row of this format
     */
    public static SocketRow parse(String[] fields, int from) {
        if (fields.length - from != FIELDS || !NETIDS.contains(fields[from])) {
            throw new IllegalArgumentException("not a socket row: " + String.join("\t", fields));
        }
        try {
            return new SocketRow(fields[from], fields[from + 1], Long.parseLong(fields[from + 2]),
                    Long.parseLong(fields[from + 3]), fields[from + 4], fields[from + 5],
                    Long.parseLong(fields[from + 6]), Long.parseLong(fields[from + 7]),
                    Long.parseLong(fields[from + 8]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a socket row: " + String.join("\t", fields), e);
        }
    }

    /** {@code 127.0.0.1:8080}, {@code [::1]:8080}, or {@value #NO_ADDRESS}. */
    public static String text(InetSocketAddress address) {
        if (address == null) {
            return NO_ADDRESS;
        }
        if (address.getAddress() instanceof Inet6Address v6) {
            return "[" + compact(v6.getAddress()) + "]:" + address.getPort();
        }
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** An IPv6 address with its longest run of zero groups written {@code ::} (RFC 5952), as {@code ss} prints it. */
    static String compact(byte[] a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (a[2 * i] & 0xFF) << 8 | (a[2 * i + 1] & 0xFF);
        }
        int bestAt = -1;
        int bestLength = 1; // a single zero group is written 0, not ::
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestAt = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(g[i]));
        }
        return out.toString();
    }
}
