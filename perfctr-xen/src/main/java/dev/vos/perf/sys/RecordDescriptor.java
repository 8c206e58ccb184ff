package dev.vos.perf.sys;

/**
 * The records in a sampling or tracking ring ({@code perf_event.h}, {@code enum perf_event_type}), as the collector
 * asks for them. Samples: {@code sample_type = IP | TID | TIME | CPU | PERIOD [| CALLCHAIN]}; every other record
 * ends in the {@code sample_id} of {@code sample_id_all}: for a tracking event ({@code TIME | IDENTIFIER}) the
 * time and then the id, last.
 *
 * <pre>
 *  header:  | type u32 | misc u16 | size u16 |            size counts the header; records are 8-byte aligned
 *  SAMPLE:  | header | ip u64 | pid u32 | tid u32 | time u64 | cpu u32 | res u32 | period u64 | nr u64 | ips[nr] |
 *  FORK, EXIT: | header | pid u32 | ppid u32 | tid u32 | ptid u32 | time u64 | sample_id |
 *  COMM:    | header | pid u32 | tid u32 | comm[] (NUL-terminated, padded to 8) | sample_id |
 *  LOST:    | header | id u64 | lost u64 | sample_id |
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
    /** SAMPLE: {@code u32 cpu} (then {@code u32 res}). */
    public static final int SAMPLE_CPU_OFFSET = SAMPLE_TIME_OFFSET + Long.BYTES;
    /** SAMPLE: {@code u64 period}: how many events the sample stands for. */
    public static final int SAMPLE_PERIOD_OFFSET = SAMPLE_CPU_OFFSET + Long.BYTES;
    /** SAMPLE: {@code u64 nr}, the callchain's length (only with CALLCHAIN). */
    public static final int SAMPLE_NR_OFFSET = SAMPLE_PERIOD_OFFSET + Long.BYTES;
    /** SAMPLE: {@code u64 ips[nr]}, innermost first, with context markers. */
    public static final int SAMPLE_IPS_OFFSET = SAMPLE_NR_OFFSET + Long.BYTES;

    /** FORK and EXIT: {@code u32 pid} (the process). */
    public static final int TASK_PID_OFFSET = HEADER_LENGTH;
    /** FORK and EXIT: {@code u32 tid} (the thread created or ended). */
    public static final int TASK_TID_OFFSET = TASK_PID_OFFSET + 2 * Integer.BYTES;
    /** FORK: {@code u32 ptid} (the thread that created it). */
    public static final int TASK_PTID_OFFSET = TASK_TID_OFFSET + Integer.BYTES;
    /** COMM: {@code u32 tid}. */
    public static final int COMM_TID_OFFSET = HEADER_LENGTH + Integer.BYTES;
    /** COMM: {@code char comm[]}. */
    public static final int COMM_NAME_OFFSET = COMM_TID_OFFSET + Integer.BYTES;
    /** Bytes of a tracking event's {@code sample_id} ({@code u64 time, u64 id}) at the end of a record. */
    public static final int TRACKING_SAMPLE_ID_LENGTH = 2 * Long.BYTES;

    /** LOST: {@code u64 lost}. */
    public static final int LOST_LOST_OFFSET = HEADER_LENGTH + Long.BYTES;
    /** LOST_SAMPLES: {@code u64 lost}. */
    public static final int LOST_SAMPLES_LOST_OFFSET = HEADER_LENGTH;

    /** {@code PERF_RECORD_LOST}: the kernel dropped records because the ring was full. */
    public static final int PERF_RECORD_LOST = 2;
    /** {@code PERF_RECORD_COMM}: a task was named (prctl, exec). */
    public static final int PERF_RECORD_COMM = 3;
    /** {@code PERF_RECORD_EXIT}: a task ended. */
    public static final int PERF_RECORD_EXIT = 4;
    /** {@code PERF_RECORD_THROTTLE}: sampling was throttled (too many interrupts). */
    public static final int PERF_RECORD_THROTTLE = 5;
    /** {@code PERF_RECORD_UNTHROTTLE}. */
    public static final int PERF_RECORD_UNTHROTTLE = 6;
    /** {@code PERF_RECORD_FORK}: a task was created. */
    public static final int PERF_RECORD_FORK = 7;
    /** {@code PERF_RECORD_SAMPLE}. */
    public static final int PERF_RECORD_SAMPLE = 9;
    /** {@code PERF_RECORD_LOST_SAMPLES}: samples dropped before reaching the ring. */
    public static final int PERF_RECORD_LOST_SAMPLES = 13;

    /** {@code PERF_RECORD_MISC_CPUMODE_MASK}: where in {@code misc} the sample's privilege level is. */
    public static final int CPUMODE_MASK = 7;
    /** {@code PERF_RECORD_MISC_KERNEL}: the sample was taken in the kernel. */
    public static final int MISC_KERNEL = 1;

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
