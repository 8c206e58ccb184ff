package dev.vos.perf.sys;

/**
 * Layout of {@code struct perf_event_attr} (Linux {@code include/uapi/linux/perf_event.h}, v6.1..v6.18,
 * {@code PERF_ATTR_SIZE_VER8} = 136 bytes). Offsets are accumulated in the static block so that no two fields can
 * overlap silently; {@code PerfEventAttrDescriptorTest} checks them against the header's own figures.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          type (u32)                           |  0
 *  |                          size (u32)                           |  4
 *  |                         config (u64)                          |  8
 *  |             sample_period | sample_freq (u64)                 | 16
 *  |                       sample_type (u64)                       | 24
 *  |                       read_format (u64)                       | 32
 *  |        flags (u64 bit field: disabled, inherit, ... freq)     | 40
 *  |              wakeup_events | wakeup_watermark (u32)           | 48
 *  |                         bp_type (u32)                         | 52
 *  |   config1 (u64) | config2 (u64) | branch_sample_type (u64)    | 56..79
 *  |  sample_regs_user (u64) | sample_stack_user (u32) | clockid   | 80..95
 *  |  sample_regs_intr (u64) | aux_watermark (u32)                 | 96..107
 *  |  sample_max_stack (u16) | reserved (u16) | aux_sample_size    | 108..115
 *  |  aux_action (u32) | sig_data (u64) | config3 (u64)            | 116..135
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * A kernel older than the size given here accepts the larger struct as long as the bytes it does not know are zero
 * (they are, except {@code sample_max_stack}, which is only set for sampling and is known since v4.8).
 */
public final class PerfEventAttrDescriptor {

    /** {@code PERF_ATTR_SIZE_VER8}: the struct size this layout describes. */
    public static final int SIZE;
    /** {@code __u32 type}: {@link #PERF_TYPE_HARDWARE}, {@link #PERF_TYPE_SOFTWARE}, ... */
    public static final int TYPE_OFFSET;
    /** {@code __u32 size}: {@link #SIZE}, so the kernel knows which fields the caller knows. */
    public static final int SIZE_OFFSET;
    /** {@code __u64 config}: the event within its type. */
    public static final int CONFIG_OFFSET;
    /** {@code __u64 sample_period} or, with {@link #FLAG_FREQ}, {@code sample_freq} in Hz. */
    public static final int SAMPLE_PERIOD_OFFSET;
    /** {@code __u64 sample_type}: the {@code PERF_SAMPLE_*} fields each sample record carries. */
    public static final int SAMPLE_TYPE_OFFSET;
    /** {@code __u64 read_format}: the {@code PERF_FORMAT_*} layout read(2) returns. */
    public static final int READ_FORMAT_OFFSET;
    /** {@code __u64} bit field: {@code disabled:1, inherit:1, pinned:1, ...}; see the {@code FLAG_*} bits. */
    public static final int FLAGS_OFFSET;
    /** {@code __u32 wakeup_events}: samples between wake-ups (we poll, so it only matters for poll(2) users). */
    public static final int WAKEUP_EVENTS_OFFSET;
    /** {@code __u32 bp_type}. */
    public static final int BP_TYPE_OFFSET;
    /** {@code __u64 config1}. */
    public static final int CONFIG1_OFFSET;
    /** {@code __u64 config2}. */
    public static final int CONFIG2_OFFSET;
    /** {@code __u64 branch_sample_type}. */
    public static final int BRANCH_SAMPLE_TYPE_OFFSET;
    /** {@code __u64 sample_regs_user}. */
    public static final int SAMPLE_REGS_USER_OFFSET;
    /** {@code __u32 sample_stack_user}. */
    public static final int SAMPLE_STACK_USER_OFFSET;
    /** {@code __s32 clockid}. */
    public static final int CLOCKID_OFFSET;
    /** {@code __u64 sample_regs_intr}. */
    public static final int SAMPLE_REGS_INTR_OFFSET;
    /** {@code __u32 aux_watermark}. */
    public static final int AUX_WATERMARK_OFFSET;
    /** {@code __u16 sample_max_stack}: deepest callchain recorded (0: the sysctl's default, 127). */
    public static final int SAMPLE_MAX_STACK_OFFSET;
    /** {@code __u16 __reserved_2}. */
    public static final int RESERVED_2_OFFSET;
    /** {@code __u32 aux_sample_size}. */
    public static final int AUX_SAMPLE_SIZE_OFFSET;
    /** {@code __u32 aux_action} (was {@code __reserved_3}). */
    public static final int AUX_ACTION_OFFSET;
    /** {@code __u64 sig_data}. */
    public static final int SIG_DATA_OFFSET;
    /** {@code __u64 config3}. */
    public static final int CONFIG3_OFFSET;

    static {
        int offset = 0;
        TYPE_OFFSET = offset;
        offset += Integer.BYTES;
        SIZE_OFFSET = offset;
        offset += Integer.BYTES;
        CONFIG_OFFSET = offset;
        offset += Long.BYTES;
        SAMPLE_PERIOD_OFFSET = offset;
        offset += Long.BYTES;
        SAMPLE_TYPE_OFFSET = offset;
        offset += Long.BYTES;
        READ_FORMAT_OFFSET = offset;
        offset += Long.BYTES;
        FLAGS_OFFSET = offset;
        offset += Long.BYTES;
        WAKEUP_EVENTS_OFFSET = offset;
        offset += Integer.BYTES;
        BP_TYPE_OFFSET = offset;
        offset += Integer.BYTES;
        CONFIG1_OFFSET = offset;
        offset += Long.BYTES;
        CONFIG2_OFFSET = offset;
        offset += Long.BYTES;
        BRANCH_SAMPLE_TYPE_OFFSET = offset;
        offset += Long.BYTES;
        SAMPLE_REGS_USER_OFFSET = offset;
        offset += Long.BYTES;
        SAMPLE_STACK_USER_OFFSET = offset;
        offset += Integer.BYTES;
        CLOCKID_OFFSET = offset;
        offset += Integer.BYTES;
        SAMPLE_REGS_INTR_OFFSET = offset;
        offset += Long.BYTES;
        AUX_WATERMARK_OFFSET = offset;
        offset += Integer.BYTES;
        SAMPLE_MAX_STACK_OFFSET = offset;
        offset += Short.BYTES;
        RESERVED_2_OFFSET = offset;
        offset += Short.BYTES;
        AUX_SAMPLE_SIZE_OFFSET = offset;
        offset += Integer.BYTES;
        AUX_ACTION_OFFSET = offset;
        offset += Integer.BYTES;
        SIG_DATA_OFFSET = offset;
        offset += Long.BYTES;
        CONFIG3_OFFSET = offset;
        offset += Long.BYTES;
        SIZE = offset;
    }

    /** {@code PERF_TYPE_HARDWARE}: needs a PMU (absent here; virtualised on Xen only with vPMU). */
    public static final int PERF_TYPE_HARDWARE = 0;
    /** {@code PERF_TYPE_SOFTWARE}: kernel-counted, always there. */
    public static final int PERF_TYPE_SOFTWARE = 1;

    /** {@code PERF_COUNT_SW_DUMMY}: a software event that counts nothing; used for its side-band records. */
    public static final long SW_DUMMY = 9;

    /** {@code disabled}: start stopped (sampling events are enabled once their ring is mapped). */
    public static final long FLAG_DISABLED = 1L;
    /** {@code inherit}: threads the watched thread creates from now on are counted too, into this counter. */
    public static final long FLAG_INHERIT = 1L << 1;
    /** {@code exclude_user}: kernel (or hypervisor) only; perf's {@code :k}. */
    public static final long FLAG_EXCLUDE_USER = 1L << 4;
    /** {@code exclude_kernel}: user space only; unprivileged watchers need it at {@code perf_event_paranoid >= 2}. */
    public static final long FLAG_EXCLUDE_KERNEL = 1L << 5;
    /** {@code exclude_hv}: count nothing in the hypervisor (a Xen guest cannot see it anyway). */
    public static final long FLAG_EXCLUDE_HV = 1L << 6;
    /** {@code comm}: write a PERF_RECORD_COMM when the task is named (prctl, exec). */
    public static final long FLAG_COMM = 1L << 9;
    /** {@code freq}: {@link #SAMPLE_PERIOD_OFFSET} holds a frequency in Hz, not a period. */
    public static final long FLAG_FREQ = 1L << 10;
    /** {@code enable_on_exec}: a disabled event starts counting when its task calls exec (perf's command mode). */
    public static final long FLAG_ENABLE_ON_EXEC = 1L << 12;
    /** {@code task}: write PERF_RECORD_FORK and PERF_RECORD_EXIT as tasks are created and end. */
    public static final long FLAG_TASK = 1L << 13;
    /** {@code precise_ip} (2 bits): shift of the skid constraint, 0..3 (perf's {@code :p}). */
    public static final int PRECISE_IP_SHIFT = 15;
    /** {@code sample_id_all}: non-sample records (LOST, ...) carry the sample's TID/TIME too. */
    public static final long FLAG_SAMPLE_ID_ALL = 1L << 18;

    /** {@code use_clockid}: times in records are of {@link #CLOCKID_OFFSET}'s clock, not the perf clock. */
    public static final long FLAG_USE_CLOCKID = 1L << 25;
    /** {@code CLOCK_MONOTONIC}: the clock of {@code System.nanoTime()} on Linux. */
    public static final int CLOCK_MONOTONIC = 1;

    /** {@code exclude_callchain_kernel}: user-space frames only in callchains. */
    public static final long FLAG_EXCLUDE_CALLCHAIN_KERNEL = 1L << 21;

    /** {@code PERF_FORMAT_TOTAL_TIME_ENABLED}. */
    public static final long FORMAT_TOTAL_TIME_ENABLED = 1L;
    /** {@code PERF_FORMAT_TOTAL_TIME_RUNNING}. */
    public static final long FORMAT_TOTAL_TIME_RUNNING = 1L << 1;
    /** {@code PERF_FORMAT_ID}. */
    public static final long FORMAT_ID = 1L << 2;
    /** {@code PERF_FORMAT_GROUP}: one read(2) on the leader returns every member. */
    public static final long FORMAT_GROUP = 1L << 3;

    /** {@code PERF_SAMPLE_IP}. */
    public static final long SAMPLE_IP = 1L;
    /** {@code PERF_SAMPLE_TID}. */
    public static final long SAMPLE_TID = 1L << 1;
    /** {@code PERF_SAMPLE_TIME}. */
    public static final long SAMPLE_TIME = 1L << 2;
    /** {@code PERF_SAMPLE_CALLCHAIN}. */
    public static final long SAMPLE_CALLCHAIN = 1L << 5;
    /** {@code PERF_SAMPLE_CPU}: {@code u32 cpu, res}. */
    public static final long SAMPLE_CPU = 1L << 7;
    /** {@code PERF_SAMPLE_PERIOD}: {@code u64 period}, the count the sample stands for. */
    public static final long SAMPLE_PERIOD = 1L << 8;
    /** {@code PERF_SAMPLE_IDENTIFIER}: the event id, last in every non-sample record (with sample_id_all). */
    public static final long SAMPLE_IDENTIFIER = 1L << 16;

    private PerfEventAttrDescriptor() {
    }
}
