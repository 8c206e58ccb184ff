package dev.vos.net.domain;

import dev.vos.net.protocol.SockaddrLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.vos.net.domain.UnixDiag.*;
import static dev.vos.net.domain.UnixListenerQueue.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A Unix listener's queue as {@code ss -xl} reads it, from the kernel's sock_diag: the connections not yet accepted
 * and the backlog; and a reply that does not say so whole (an error, another socket, an attribute cut short) read as
 * nothing rather than as numbers.
 */
@Timeout(30)
class UnixListenerQueueTest {

    @TempDir
    Path dir;

    @Test
    void aListener_reportsItsWaitingConnectionsAndBacklog() throws Exception {
        Path path = dir.resolve("q.sock");
        int listener = (int) NetSyscalls.socket(SockaddrLayout.AF_UNIX, 1 | NetSyscalls.SOCK_CLOEXEC);
        assertTrue(listener >= 0);
        List<SocketChannel> clients = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SockaddrLayout.UN_BYTES, 8);
            int size = SockaddrLayout.encode(UnixDomainSocketAddress.of(path), address);
            assertEquals(0, NetSyscalls.bind(listener, address.address(), size));
            assertEquals(0, NetSyscalls.listen(listener, 7));
            assertEquals(new Queue(0, 7), queueOf(listener));
            for (int i = 0; i < 3; i++) {
                clients.add(SocketChannel.open(UnixDomainSocketAddress.of(path)));
            }
            assertEquals(new Queue(3, 7), queueOf(listener), "three made, none accepted");
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
            NetSyscalls.close(listener);
        }
    }

    @Test
    void theTwoEndsOfAConnection_nameEachOthersInode_andAListenerNone() throws Exception {
        Path path = dir.resolve("p.sock");
        int listener = (int) NetSyscalls.socket(SockaddrLayout.AF_UNIX, 1 | NetSyscalls.SOCK_CLOEXEC);
        int client = (int) NetSyscalls.socket(SockaddrLayout.AF_UNIX, 1 | NetSyscalls.SOCK_CLOEXEC);
        int served = -1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SockaddrLayout.UN_BYTES, 8);
            int size = SockaddrLayout.encode(UnixDomainSocketAddress.of(path), address);
            assertEquals(0, NetSyscalls.bind(listener, address.address(), size));
            assertEquals(0, NetSyscalls.listen(listener, 7));
            assertEquals(0, NetSyscalls.connect(client, address.address(), size));
            assertEquals(0, peerOf(client, arena), "not yet accepted: its other end has no inode until the accept");
            served = (int) NetSyscalls.accept4(listener, 0, 0, NetSyscalls.SOCK_CLOEXEC);
            assertTrue(served >= 0);
            assertEquals(UnixDiag.inode(served), peerOf(client, arena), "the end the accept gave");
            assertEquals(UnixDiag.inode(client), peerOf(served, arena));
            assertEquals(0, peerOf(listener, arena), "a listener has no peer");
        } finally {
            NetSyscalls.close(client);
            NetSyscalls.close(listener);
            if (served >= 0) {
                NetSyscalls.close(served);
            }
        }
    }

    private static long peerOf(int fd, Arena arena) {
        long inode = UnixDiag.inode(fd);
        return peerInode(ask(inode, UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN, ANSWER_BYTES, arena), inode);
    }

    @Test
    void aDescriptorThatIsNoUnixSocket_hasNoQueue() {
        int tcp = (int) NetSyscalls.socket(SockaddrLayout.AF_INET, 1 | NetSyscalls.SOCK_CLOEXEC);
        try {
            assertNull(queueOf(tcp), "the kernel knows no Unix socket of this inode");
        } finally {
            NetSyscalls.close(tcp);
        }
        assertNull(queueOf(Integer.MAX_VALUE), "no such descriptor");
    }

    /** The queue of the Unix listener {@code fd}, asked by its inode as {@code vos net ss} asks it. */
    private static Queue queueOf(int fd) {
        long inode = UnixDiag.inode(fd);
        if (inode < 0) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            return parse(ask(inode, UDIAG_SHOW_RQLEN | UDIAG_SHOW_PEER, ANSWER_BYTES, arena), inode);
        }
    }

    private static final int RQLEN_ATTR_BYTES = NLA_HDR_BYTES + RQLEN_BYTES;

    /** A reply for inode 42 of {@code length} bytes, with one UNIX_DIAG_RQLEN attribute of {@code attrLength}. */
    private static MemorySegment reply(Arena arena, int type, int length, int inode, int attrLength) {
        MemorySegment m = arena.allocate(ATTRS_OFFSET + RQLEN_ATTR_BYTES, 8);
        m.set(JAVA_INT, NLMSG_LEN_OFFSET, length);
        m.set(JAVA_SHORT, NLMSG_TYPE_OFFSET, (short) type);
        m.set(JAVA_INT, MSG_INO_OFFSET, inode);
        m.set(JAVA_SHORT, ATTRS_OFFSET + NLA_LEN_OFFSET, (short) attrLength);
        m.set(JAVA_SHORT, ATTRS_OFFSET + NLA_TYPE_OFFSET, (short) UNIX_DIAG_RQLEN);
        m.set(JAVA_INT, ATTRS_OFFSET + NLA_HDR_BYTES + RQLEN_RQUEUE_OFFSET, 5);
        m.set(JAVA_INT, ATTRS_OFFSET + NLA_HDR_BYTES + RQLEN_WQUEUE_OFFSET, 9);
        return m;
    }

    @Test
    void aReplyThatDoesNotSayItWhole_isReadAsNothing() {
        int whole = ATTRS_OFFSET + RQLEN_ATTR_BYTES;
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(new Queue(5, 9), parse(reply(arena, SOCK_DIAG_BY_FAMILY, whole, 42, RQLEN_ATTR_BYTES), 42));
            assertNull(parse(reply(arena, NLMSG_ERROR, whole, 42, RQLEN_ATTR_BYTES), 42), "an error reply");
            assertNull(parse(reply(arena, SOCK_DIAG_BY_FAMILY, whole, 43, RQLEN_ATTR_BYTES), 42), "another socket");
            assertNull(parse(reply(arena, SOCK_DIAG_BY_FAMILY, whole, 42, RQLEN_ATTR_BYTES - 4), 42),
                    "an attribute too short for both numbers");
            assertNull(parse(reply(arena, SOCK_DIAG_BY_FAMILY, whole, 42, RQLEN_ATTR_BYTES + 4), 42),
                    "an attribute longer than the message");
            assertNull(parse(reply(arena, SOCK_DIAG_BY_FAMILY, whole + 64, 42, RQLEN_ATTR_BYTES), 42),
                    "a message longer than what was received");
            assertNull(parse(reply(arena, SOCK_DIAG_BY_FAMILY, whole, 42, 0), 42), "an attribute of length 0");
            assertNull(parse(reply(arena, SOCK_DIAG_BY_FAMILY, whole, 42, RQLEN_ATTR_BYTES)
                    .asSlice(0, ATTRS_OFFSET - 1), 42), "cut before the attributes");
        }
    }
}
