package dev.vos.perf.sys;

/**
 * The records in a sampling ring ({@code perf_event.h}, {@code enum perf_event_type}), as the collector asks for
 * them: {@code sample_type = IP | TID | TIME | CALLCHAIN}, {@code sample_id_all = 1}.
 *
 * <pre>
 *  header:  | type u32 | misc u16 | size u16 |            size counts the header; records are 8-byte aligned
 *  SAMPLE:  | header | ip u64 | pid u32 | tid u32 | time u64 | nr u64 | ips[nr] u64 |
 *  LOST:    | header | id u64 | lost u64 | sample_id (pid u32, tid u32, time u64) |
 *  LOST_SAMPLES: | header | lost u64 | sample_id |
 * </pre>
 */
public final class RecordDescriptor {

    /** {@code perf_event_header.type}. */
    public static final int TYPE_OFFSET = 0;
    /** {@code perf_event_header.misc}: where the sample was taken (user, kernel, ...). */
    public static final int MISC_OFFSET = 4;
    /** {@code perf_event_header.size}: the whole record's length. */
    public static final int SIZE_OFFSET = 6;
    /** Bytes of the header. */
    public static final int HEADER_LENGTH = 8;

    /** SAMPLE: {@code u64 ip}. */
    public static final int SAMPLE_IP_OFFSET = HEADER_LENGTH;
    /** SAMPLE: {@code u32 pid}. */
    public static final int SAMPLE_PID_OFFSET = SAMPLE_IP_OFFSET + Long.BYTES;
    /** SAMPLE: {@code u32 tid}. */
    public static final int SAMPLE_TID_OFFSET = SAMPLE_PID_OFFSET + Integer.BYTES;
    /** SAMPLE: {@code u64 time} (perf clock, ns). */
    public static final int SAMPLE_TIME_OFFSET = SAMPLE_TID_OFFSET + Integer.BYTES;
    /** SAMPLE: {@code u64 nr}, the callchain's length. */
    public static final int SAMPLE_NR_OFFSET = SAMPLE_TIME_OFFSET + Long.BYTES;
    /** SAMPLE: {@code u64 ips[nr]}, innermost first, with context markers. */
    public static final int SAMPLE_IPS_OFFSET = SAMPLE_NR_OFFSET + Long.BYTES;

    /** LOST: {@code u64 lost}. */
    public static final int LOST_LOST_OFFSET = HEADER_LENGTH + Long.BYTES;
    /** LOST_SAMPLES: {@code u64 lost}. */
    public static final int LOST_SAMPLES_LOST_OFFSET = HEADER_LENGTH;

    /** {@code PERF_RECORD_LOST}: the kernel dropped records because the ring was full. */
    public static final int PERF_RECORD_LOST = 2;
    /** {@code PERF_RECORD_THROTTLE}: sampling was throttled (too many interrupts). */
    public static final int PERF_RECORD_THROTTLE = 5;
    /** {@code PERF_RECORD_UNTHROTTLE}. */
    public static final int PERF_RECORD_UNTHROTTLE = 6;
    /** {@code PERF_RECORD_SAMPLE}. */
    public static final int PERF_RECORD_SAMPLE = 9;
    /** {@code PERF_RECORD_LOST_SAMPLES}: samples dropped before reaching the ring. */
    public static final int PERF_RECORD_LOST_SAMPLES = 13;

    /** Callchain entries at or above this (as unsigned) are context markers, not addresses. */
    public static final long PERF_CONTEXT_MAX = -4095L;
    /** {@code PERF_CONTEXT_KERNEL}: the entries that follow are kernel addresses. */
    public static final long PERF_CONTEXT_KERNEL = -128L;
    /** {@code PERF_CONTEXT_USER}: the entries that follow are user addresses. */
    public static final long PERF_CONTEXT_USER = -512L;

    private RecordDescriptor() {
    }

    /** True when a callchain entry is a context marker ({@code >= PERF_CONTEXT_MAX} as an unsigned value). */
    public static boolean isContextMarker(long entry) {
        return Long.compareUnsigned(entry, PERF_CONTEXT_MAX) >= 0;
    }
}
