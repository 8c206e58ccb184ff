package dev.vos.net.domain;

import dev.vos.net.protocol.SockaddrLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.vos.net.domain.NetSyscalls.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One question to the kernel's {@code sock_diag} netlink interface about one Unix domain socket, by inode, as
 * {@code ss -x} asks it, and the attributes of its answer. What the numbers mean is the askers'
 * ({@link UnixListenerQueue}, {@link UnixPeers}); this class only asks, and checks every bound of the reply against
 * what was received. One netlink socket per question: it is asked for an operator's table or for a rare option,
 * never on a data path.
 *
 * <p>The kernel answers a {@code SOCK_DIAG_BY_FAMILY} request inside the {@code send}, so the receive never waits
 * ({@code MSG_DONTWAIT}): a kernel without {@code unix_diag} leaves nothing to receive, and the answer is null.
 * Layouts from {@code include/uapi/linux/netlink.h}, {@code sock_diag.h} and {@code unix_diag.h}, in host order.
 */
final class UnixDiag {

    static final int AF_NETLINK = 16;
    /** A netlink socket's type (not the protocol's {@code NetCalls.SOCK_DGRAM}, which a client names). */
    static final int SOCK_DGRAM = 2;
    static final int NETLINK_SOCK_DIAG = 4;
    /** {@code nlmsg_type} of a sock_diag request and of its answer. */
    static final int SOCK_DIAG_BY_FAMILY = 20;
    static final int NLM_F_REQUEST = 1;
    static final int NLMSG_ERROR = 2;
    /** {@code udiag_show} bits, and the attribute each asks for. */
    static final int UDIAG_SHOW_PEER = 0x04;
    static final int UDIAG_SHOW_ICONS = 0x08;
    static final int UDIAG_SHOW_RQLEN = 0x10;
    static final int UNIX_DIAG_PEER = 2;
    static final int UNIX_DIAG_ICONS = 3;
    static final int UNIX_DIAG_RQLEN = 4;
    /** An attribute's type, less the nested and byte-order flags. */
    static final int NLA_TYPE_MASK = 0x3FFF;

    // struct nlmsghdr
    static final int NLMSG_LEN_OFFSET = 0;
    static final int NLMSG_TYPE_OFFSET = 4;
    static final int NLMSG_FLAGS_OFFSET = 6;
    static final int NLMSG_HDR_BYTES = 16;

    // struct unix_diag_req, after the header
    static final int REQ_FAMILY_OFFSET = NLMSG_HDR_BYTES;
    static final int REQ_STATES_OFFSET = NLMSG_HDR_BYTES + 4;
    static final int REQ_INO_OFFSET = NLMSG_HDR_BYTES + 8;
    static final int REQ_SHOW_OFFSET = NLMSG_HDR_BYTES + 12;
    /** {@code udiag_cookie[2]}: all ones is "no cookie", a lookup by inode alone. */
    static final int REQ_COOKIE_OFFSET = NLMSG_HDR_BYTES + 16;
    static final int REQUEST_BYTES = NLMSG_HDR_BYTES + 24;

    // struct unix_diag_msg, after the header; its attributes follow it
    static final int MSG_INO_OFFSET = NLMSG_HDR_BYTES + 4;
    static final int MSG_BYTES = 16;
    static final int ATTRS_OFFSET = NLMSG_HDR_BYTES + MSG_BYTES;

    // struct nlattr; its payload follows
    static final int NLA_LEN_OFFSET = 0;
    static final int NLA_TYPE_OFFSET = 2;
    static final int NLA_HDR_BYTES = 4;

    private UnixDiag() {
    }

    /** The inode of the socket {@code fd}, or -1 if it cannot be had (no such descriptor). */
    static long inode(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(STAT_BYTES, 8);
            return fstat(fd, stat.address()) < 0 ? -1 : stat.get(JAVA_LONG, STAT_INO_OFFSET);
        }
    }

    /**
     * The kernel's answer about the Unix socket {@code inode} with the attributes {@code show} asks for, in
     * {@code arena}, at most {@code capacity} bytes of it; null if the kernel did not answer.
     */
    static MemorySegment ask(long inode, int show, int capacity, Arena arena) {
        long diag = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (diag < 0) {
            return null;
        }
        try {
            MemorySegment request = arena.allocate(REQUEST_BYTES, 8);
            request.set(JAVA_INT, NLMSG_LEN_OFFSET, REQUEST_BYTES);
            request.set(JAVA_SHORT, NLMSG_TYPE_OFFSET, (short) SOCK_DIAG_BY_FAMILY);
            request.set(JAVA_SHORT, NLMSG_FLAGS_OFFSET, (short) NLM_F_REQUEST);
            request.set(JAVA_BYTE, REQ_FAMILY_OFFSET, (byte) SockaddrLayout.AF_UNIX);
            request.set(JAVA_INT, REQ_STATES_OFFSET, -1);
            request.set(JAVA_INT, REQ_INO_OFFSET, (int) inode);
            request.set(JAVA_INT, REQ_SHOW_OFFSET, show);
            request.set(JAVA_LONG, REQ_COOKIE_OFFSET, -1L);
            if (send((int) diag, request.address(), REQUEST_BYTES, 0) != REQUEST_BYTES) {
                return null;
            }
            MemorySegment answer = arena.allocate(capacity, 8);
            long n = recv((int) diag, answer.address(), capacity, MSG_DONTWAIT);
            return n < 0 ? null : answer.asSlice(0, n);
        } finally {
            close((int) diag);
        }
    }

    /**
     * The inode of the other end of the connection of the socket {@code inode}, from {@code answer} (asked with
     * {@link #UDIAG_SHOW_PEER}); 0 if it has none (a listener, a socket not connected) or the answer does not say.
     */
    static long peerInode(MemorySegment answer, long inode) {
        MemorySegment peer = attribute(answer, inode, UNIX_DIAG_PEER);
        return peer == null || peer.byteSize() < Integer.BYTES ? 0 : Integer.toUnsignedLong(peer.get(JAVA_INT, 0));
    }

    /**
     * The payload of attribute {@code type} in {@code answer}, the kernel's reply about the socket {@code inode};
     * null for an error reply, a reply about another socket, one cut short, or one without that attribute. Every
     * bound read from the reply is checked against what was received.
     */
    static MemorySegment attribute(MemorySegment answer, long inode, int type) {
        if (answer == null || answer.byteSize() < ATTRS_OFFSET) {
            return null;
        }
        long length = Integer.toUnsignedLong(answer.get(JAVA_INT, NLMSG_LEN_OFFSET));
        if (answer.get(JAVA_SHORT, NLMSG_TYPE_OFFSET) != SOCK_DIAG_BY_FAMILY || length > answer.byteSize()
                || Integer.toUnsignedLong(answer.get(JAVA_INT, MSG_INO_OFFSET)) != (inode & 0xFFFF_FFFFL)) {
            return null; // NLMSG_ERROR among them: no such socket, or no unix_diag
        }
        long at = ATTRS_OFFSET;
        while (at + NLA_HDR_BYTES <= length) {
            int attrLength = Short.toUnsignedInt(answer.get(JAVA_SHORT, at + NLA_LEN_OFFSET));
            if (attrLength < NLA_HDR_BYTES || at + attrLength > length) {
                return null;
            }
            if ((answer.get(JAVA_SHORT, at + NLA_TYPE_OFFSET) & NLA_TYPE_MASK) == type) {
                return answer.asSlice(at + NLA_HDR_BYTES, attrLength - NLA_HDR_BYTES);
            }
            at += (attrLength + 3) & ~3; // NLA_ALIGN
        }
        return null;
    }
}
