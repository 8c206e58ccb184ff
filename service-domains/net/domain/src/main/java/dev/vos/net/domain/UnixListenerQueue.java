package dev.vos.net.domain;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A Unix domain listener's queue, asked of {@code sock_diag} ({@link UnixDiag}) as {@code ss -xl} asks it: the
 * connections waiting to be accepted, and the backlog. Linux answers {@code SIOCINQ} on a Unix listener with EINVAL
 * and has no {@code TCP_INFO} for it, so this is the one place the numbers are. Asked only for {@code vos net ss},
 * never on a client's call.
 */
final class UnixListenerQueue {

    /** What a listener holds: connections made and not yet accepted, and the most it may hold. */
    record Queue(long waiting, long backlog) {
    }

    // struct unix_diag_rqlen, an attribute's payload
    static final int RQLEN_RQUEUE_OFFSET = 0;
    static final int RQLEN_WQUEUE_OFFSET = 4;
    static final int RQLEN_BYTES = 8;

    /** Room for an answer with this attribute and the peer's inode, which {@code vos net ss} asks beside it. */
    static final int ANSWER_BYTES = 1024;

    private UnixListenerQueue() {
    }

    /**
     * The queue in {@code answer}, the kernel's reply about the socket {@code inode}; null for a reply
     * {@link UnixDiag#attribute} rejects, or one without a whole {@code UNIX_DIAG_RQLEN}.
     */
    static Queue parse(MemorySegment answer, long inode) {
        MemorySegment rqlen = UnixDiag.attribute(answer, inode, UnixDiag.UNIX_DIAG_RQLEN);
        if (rqlen == null || rqlen.byteSize() < RQLEN_BYTES) {
            return null;
        }
        return new Queue(Integer.toUnsignedLong(rqlen.get(JAVA_INT, RQLEN_RQUEUE_OFFSET)),
                Integer.toUnsignedLong(rqlen.get(JAVA_INT, RQLEN_WQUEUE_OFFSET)));
    }
}
