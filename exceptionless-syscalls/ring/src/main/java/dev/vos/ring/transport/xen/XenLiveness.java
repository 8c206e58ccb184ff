package dev.vos.ring.transport.xen;

import static dev.vos.ring.layout.HeaderLayout.AWAKE_WORKERS_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.CACHE_LINE;
import static dev.vos.ring.layout.HeaderLayout.CLIENT_STATE_OFFSET;

/**
 * The Xen transport's two liveness bytes, in header bytes the ring leaves unused (docs/ring-protocol.md, section 15).
 * Each side stores {@link #ALIVE} in its own byte once it has mapped the segment and asks its grant device to clear
 * that byte when its mapping goes ({@link UnmapNotify}): a side that dies, however it dies, leaves a 0 its peer reads
 * at once. A byte is written by one side and the kernel only, and read by the other: a plain store, made visible by
 * the release store that follows it (the client's VERSION, the server's SERVING).
 * <pre>
 *   line 2 (workers' line):  WORKER_FUTEX @128, AWAKE_WORKERS @132, SERVER_ALIVE @136 (u8)
 *   line 3 (client's line):  CLIENT_FUTEX @192, CLIENT_SLEEPING @196, CLIENT_STATE @200, CLIENT_ALIVE @204 (u8)
 * </pre>
 */
public final class XenLiveness {

    /** u8: 1 while the server's mapping of the segment exists; its unmap notification clears it. */
    public static final int SERVER_ALIVE_OFFSET = AWAKE_WORKERS_OFFSET + 4;
    /** u8: 1 while the client's grant of the segment is mapped; its unmap notification clears it. */
    public static final int CLIENT_ALIVE_OFFSET = CLIENT_STATE_OFFSET + 4;
    /** The value of a live side's byte. */
    public static final byte ALIVE = 1;

    static {
        if (SERVER_ALIVE_OFFSET >= 3 * CACHE_LINE || CLIENT_ALIVE_OFFSET >= 4 * CACHE_LINE) {
            throw new ExceptionInInitializerError("the liveness bytes left their cache lines");
        }
    }

    private XenLiveness() {
    }
}
