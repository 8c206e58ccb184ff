package dev.vos.ring.layout;

/**
 * Offsets of the ring segment's header: the first {@link #HEADER_BYTES} bytes of every segment.
 *
 * <p>Each cache line has one writer on the fast path, so that a line read on the hot path is not invalidated by
 * unrelated writes; the other side writes a futex word there only to wake a sleeper, which is rare by design.
 * Layout version {@value #VERSION} (checked by {@code RingLayoutTest} against {@code docs/ring-protocol.md}):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  line 0: identity and geometry
 *  |                        MAGIC "VOSRING1"                       |  written once by the creator (the
 *  +-------------------------------+-------------------------------+  client), VERSION published last
 *  |            VERSION            |          SLOT_COUNT           |  with a release store; immutable
 *  +-------------------------------+-------------------------------+  afterwards
 *  |       DATA_BYTES_PER_SLOT     |           (reserved)          |
 *  +-------------------------------+-------------------------------+
 *  |                         SEGMENT_BYTES                         |
 *  |                          GENERATION                           |
 *  |                      LIVENESS_TIMEOUT_NS                      |
 *  |                       CREATED_EPOCH_MS                        |
 *  +---------------------------------------------------------------+  line 1: server status (server writes)
 *  |          SERVER_STATE         |          SERVER_PID           |
 *  |                           HEARTBEAT                           |
 *  |                      SERVER_START_TICKS                       |
 *  |                           STUCK_NS                            |
 *  |          STUCK_CALL           |         STUCK_WORKER          |
 *  |                     SERVER_PID_NAMESPACE                      |
 *  +---------------------------------------------------------------+  line 2: worker wake-up (server writes,
 *  |         WORKER_FUTEX          |         AWAKE_WORKERS         |  clients read on every submission)
 *  +---------------------------------------------------------------+  line 3: client wake-up and state
 *  |         CLIENT_FUTEX          |        CLIENT_SLEEPING        |  (client writes, server reads on
 *  |         CLIENT_STATE          |                               |  every completion)
 *  +---------------------------------------------------------------+  line 4: submission queue tail
 *  |                          QUEUE_TAIL                           |  (client threads, getAndAdd)
 *  +---------------------------------------------------------------+  line 5: submission queue head
 *  |                          QUEUE_HEAD                           |  (server workers, compareAndSet)
 *  +---------------------------------------------------------------+  line 6: server counters (relaxed)
 *  |  CALLS_SERVED  |  PROTOCOL_ERRORS  |  CLIENT_WAKEUPS          |
 *  +---------------------------------------------------------------+  line 7: client counters (relaxed)
 *  |  WORKER_WAKEUPS                                               |
 *  +---------------------------------------------------------------+  512
 * </pre>
 * All fields are little-endian (x86_64). Futex words are 32-bit and 4-byte aligned, as {@code futex(2)} needs.
 */
public final class HeaderLayout {

    /** Bytes in a cache line on x86_64: the unit of ownership in this layout. */
    public static final int CACHE_LINE = 64;

    /** "VOSRING1" read as a little-endian long. */
    public static final long MAGIC_VALUE = 0x31474E4952534F56L;
    /**
     * The layout version this code reads and writes; bumped on any change of an offset or meaning. 2: HEARTBEAT is a
     * counter judged on the reader's clock (it was the server's {@code CLOCK_MONOTONIC} time in version 1). 3: a park
     * word per slot after the slots ({@code RingGeometry.parkWordsOffset}), which moves the data area for geometries
     * whose slots ended within 4 * slotCount bytes of a page boundary, and which a server reads after each completion.
     * Fields added in bytes that were unused and zero (SERVER_START_TICKS, the STUCK fields, SERVER_PID_NAMESPACE)
     * read as "unknown" or "none" from a server that does not write them, and did not change the version.
     */
    public static final int VERSION = 3;

    // line 0: identity and geometry (creator writes once)
    /** long: {@link #MAGIC_VALUE}. */
    public static final int MAGIC_OFFSET = 0;
    /** int: {@link #VERSION}, stored last with release semantics: a reader that sees it sees every other field. */
    public static final int VERSION_OFFSET = 8;
    /** int: number of call slots, a power of two in [{@code RingGeometry.MIN_SLOTS}, {@code MAX_SLOTS}]. */
    public static final int SLOT_COUNT_OFFSET = 12;
    /** int: bytes of the data area owned by each slot, a multiple of 4096. */
    public static final int DATA_BYTES_PER_SLOT_OFFSET = 16;
    /** long: total bytes of the segment; must equal the geometry's computed size and the file's size. */
    public static final int SEGMENT_BYTES_OFFSET = 24;
    /** long: the domain generation this segment belongs to; a restarted domain gets a fresh segment. */
    public static final int GENERATION_OFFSET = 32;
    /** long: a server whose heartbeat is older than this is declared hung by the client. */
    public static final int LIVENESS_TIMEOUT_NS_OFFSET = 40;
    /** long: wall-clock creation time, for operators reading a segment file. */
    public static final int CREATED_EPOCH_MS_OFFSET = 48;

    // line 1: server status
    /** int: one of the {@code SERVER_*} states below. */
    public static final int SERVER_STATE_OFFSET = CACHE_LINE;
    /** int: the server's pid, as the server sees it (its own pid namespace may differ from the client's). */
    public static final int SERVER_PID_OFFSET = CACHE_LINE + 4;
    /**
     * long: the server's heartbeat, a counter it bumps (release) once per beat. Not a time: the two sides' clocks
     * may differ (two Xen domains' {@code CLOCK_MONOTONIC} do), so the client judges how long it has not moved on its
     * own clock (acquire).
     */
    public static final int HEARTBEAT_OFFSET = CACHE_LINE + 8;
    /**
     * long: when the server's process started, in clock ticks after boot (field 22 of {@code /proc/PID/stat}), or 0
     * if it could not tell. With SERVER_PID it lets a client find the server's process in its own {@code /proc},
     * whatever pid namespace either side is in; written once, before SERVING.
     */
    public static final int SERVER_START_TICKS_OFFSET = CACHE_LINE + 16;
    /**
     * long: 0 while every worker makes progress; else how long a worker has been inside one call without progress
     * (not runnable, not in I/O, no CPU used), as of the heartbeat that published it. Plain, before HEARTBEAT.
     */
    public static final int STUCK_NS_OFFSET = CACHE_LINE + 24;
    /** int: the call number the stuck worker is in (meaningful while STUCK_NS is not 0). */
    public static final int STUCK_CALL_OFFSET = CACHE_LINE + 32;
    /** int: which worker is stuck, counted from 0 (meaningful while STUCK_NS is not 0). */
    public static final int STUCK_WORKER_OFFSET = CACHE_LINE + 36;
    /**
     * long: the server's pid namespace (the inode of its {@code /proc/self/ns/pid}), or 0 if it could not tell.
     * A client in the same namespace that cannot find the server's process in its {@code /proc} knows it is gone;
     * in any other namespace it cannot tell gone from hidden. Written once, before SERVING.
     */
    public static final int SERVER_PID_NAMESPACE_OFFSET = CACHE_LINE + 40;

    // line 2: worker wake-up
    /** int futex word: the process transport's doorbell to the workers, bumped by a client before it wakes one. */
    public static final int WORKER_FUTEX_OFFSET = 2 * CACHE_LINE;
    /** int: workers not asleep on {@link #WORKER_FUTEX_OFFSET}; a client wakes one only when this is 0. */
    public static final int AWAKE_WORKERS_OFFSET = 2 * CACHE_LINE + 4;

    // line 3: client wake-up and state
    /** int futex word: the process transport's doorbell to the client, bumped by a worker before it wakes it. */
    public static final int CLIENT_FUTEX_OFFSET = 3 * CACHE_LINE;
    /** int: 1 while the client's monitor sleeps on {@link #CLIENT_FUTEX_OFFSET} with parked callers. */
    public static final int CLIENT_SLEEPING_OFFSET = 3 * CACHE_LINE + 4;
    /** int: one of the {@code CLIENT_*} states below; a server stops serving a segment its client left. */
    public static final int CLIENT_STATE_OFFSET = 3 * CACHE_LINE + 8;

    // lines 4 and 5: the submission queue's two counters, on lines of their own
    /** long: next queue position a client claims (clients only). */
    public static final int QUEUE_TAIL_OFFSET = 4 * CACHE_LINE;
    /** long: next queue position a worker takes (workers only). */
    public static final int QUEUE_HEAD_OFFSET = 5 * CACHE_LINE;

    // line 6: server counters
    /** long: calls completed by the server (any result). */
    public static final int CALLS_SERVED_OFFSET = 6 * CACHE_LINE;
    /** long: queue entries and slots the server refused as malformed (never completed). */
    public static final int PROTOCOL_ERRORS_OFFSET = 6 * CACHE_LINE + 8;
    /** long: futex wakes the server sent to the client's monitor. */
    public static final int CLIENT_WAKEUPS_OFFSET = 6 * CACHE_LINE + 16;

    // line 7: client counters
    /** long: futex wakes clients sent to sleeping workers. */
    public static final int WORKER_WAKEUPS_OFFSET = 7 * CACHE_LINE;

    /** Size of the header; the submission queue starts here. */
    public static final int HEADER_BYTES = 8 * CACHE_LINE;

    /** SERVER_STATE: no server has attached yet. */
    public static final int SERVER_NEW = 0;
    /** SERVER_STATE: a server has claimed the segment and is filling in line 1; clients treat it as NEW. */
    public static final int SERVER_ATTACHING = 3;
    /** SERVER_STATE: a server is attached and serving. */
    public static final int SERVER_SERVING = 1;
    /** SERVER_STATE: the server stopped cleanly; calls still queued will not be served. */
    public static final int SERVER_STOPPED = 2;

    /** CLIENT_STATE: the client uses the segment. */
    public static final int CLIENT_ATTACHED = 0;
    /** CLIENT_STATE: the client closed or abandoned the segment (for example after declaring the server dead). */
    public static final int CLIENT_GONE = 1;

    private HeaderLayout() {
    }
}
