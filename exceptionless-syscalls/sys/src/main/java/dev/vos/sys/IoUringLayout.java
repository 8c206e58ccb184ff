package dev.vos.sys;

/**
 * The kernel's io_uring structures as named offsets, from {@code include/uapi/linux/io_uring.h} (Linux 6.x; the
 * fields used here have not moved since 5.1). Layout only; {@link IoUring} does the work. Offsets accumulate from
 * the previous field so that none can silently overlap another, and {@code IoUringLayoutTest} checks the sizes.
 *
 * <p>A submission queue entry (SQE), 64 bytes; only the fields vos writes are named:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |    OPCODE     |     FLAGS     |            IOPRIO             |  0
 *  +---------------+---------------+-------------------------------+
 *  |                              FD                               |  4  s32
 *  +---------------------------------------------------------------+
 *  |                       OFF (file offset)                       |  8  u64
 *  +---------------------------------------------------------------+
 *  |                      ADDR (buffer address)                    | 16  u64
 *  +---------------------------------------------------------------+
 *  |                              LEN                              | 24  u32
 *  +---------------------------------------------------------------+
 *  |              OP_FLAGS (rw_flags, fsync_flags ...)             | 28  u32
 *  +---------------------------------------------------------------+
 *  |                           USER_DATA                           | 32  u64
 *  +---------------------------------------------------------------+
 *  |                  BUF_INDEX ... PAD (zero here)                | 40..63
 *  +---------------------------------------------------------------+
 * </pre>
 * A completion queue entry (CQE), 16 bytes: {@code u64 user_data; s32 res; u32 flags}.
 */
public final class IoUringLayout {

    /** {@code __NR_io_uring_setup} on x86_64. */
    public static final long SYS_IO_URING_SETUP = 425;
    /** {@code __NR_io_uring_enter} on x86_64. */
    public static final long SYS_IO_URING_ENTER = 426;

    // struct io_uring_params (120 bytes)
    /** u32: entries of the submission queue (the kernel rounds up to a power of two). */
    public static final int PARAMS_SQ_ENTRIES_OFFSET = 0;
    /** u32: entries of the completion queue (twice the SQ's by default). */
    public static final int PARAMS_CQ_ENTRIES_OFFSET = PARAMS_SQ_ENTRIES_OFFSET + 4;
    /** u32: IORING_SETUP_* flags in. */
    public static final int PARAMS_FLAGS_OFFSET = PARAMS_CQ_ENTRIES_OFFSET + 4;
    /** u32: IORING_FEAT_* flags out (after sq_thread_cpu and sq_thread_idle). */
    public static final int PARAMS_FEATURES_OFFSET = PARAMS_FLAGS_OFFSET + 4 + 4 + 4;
    /** struct io_sqring_offsets (40 bytes), after features, wq_fd and resv[3]. */
    public static final int PARAMS_SQ_OFF_OFFSET = PARAMS_FEATURES_OFFSET + 4 + 4 + 3 * 4;
    /** struct io_cqring_offsets (40 bytes). */
    public static final int PARAMS_CQ_OFF_OFFSET = PARAMS_SQ_OFF_OFFSET + 40;
    /** sizeof(struct io_uring_params). */
    public static final int PARAMS_BYTES = PARAMS_CQ_OFF_OFFSET + 40;

    // struct io_sqring_offsets: u32 head, tail, ring_mask, ring_entries, flags, dropped, array, resv1; u64 user_addr
    /** Within io_sqring_offsets: where the SQ head (u32, the kernel's) lies in the SQ ring mapping. */
    public static final int SQ_OFF_HEAD = 0;
    /** Within io_sqring_offsets: the SQ tail (u32, ours). */
    public static final int SQ_OFF_TAIL = SQ_OFF_HEAD + 4;
    /** Within io_sqring_offsets: the SQ mask (u32). */
    public static final int SQ_OFF_RING_MASK = SQ_OFF_TAIL + 4;
    /** Within io_sqring_offsets: the SQ entry count (u32). */
    public static final int SQ_OFF_RING_ENTRIES = SQ_OFF_RING_MASK + 4;
    /** Within io_sqring_offsets: the SQ index array (u32 per entry: which SQE each queue position names). */
    public static final int SQ_OFF_ARRAY = SQ_OFF_RING_ENTRIES + 4 + 4 + 4;

    // struct io_cqring_offsets: u32 head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1; u64 user_addr
    /** Within io_cqring_offsets: the CQ head (u32, ours). */
    public static final int CQ_OFF_HEAD = 0;
    /** Within io_cqring_offsets: the CQ tail (u32, the kernel's). */
    public static final int CQ_OFF_TAIL = CQ_OFF_HEAD + 4;
    /** Within io_cqring_offsets: the CQ mask (u32). */
    public static final int CQ_OFF_RING_MASK = CQ_OFF_TAIL + 4;
    /** Within io_cqring_offsets: the CQ entry count (u32). */
    public static final int CQ_OFF_RING_ENTRIES = CQ_OFF_RING_MASK + 4;
    /** Within io_cqring_offsets: the CQE array. */
    public static final int CQ_OFF_CQES = CQ_OFF_RING_ENTRIES + 4 + 4;

    // struct io_uring_sqe (64 bytes)
    /** u8: IORING_OP_*. */
    public static final int SQE_OPCODE_OFFSET = 0;
    /** u8: IOSQE_* flags. */
    public static final int SQE_FLAGS_OFFSET = SQE_OPCODE_OFFSET + 1;
    /** u16: I/O priority. */
    public static final int SQE_IOPRIO_OFFSET = SQE_FLAGS_OFFSET + 1;
    /** s32: the file descriptor. */
    public static final int SQE_FD_OFFSET = SQE_IOPRIO_OFFSET + 2;
    /** u64: the file offset. */
    public static final int SQE_OFF_OFFSET = SQE_FD_OFFSET + 4;
    /** u64: the buffer's address. */
    public static final int SQE_ADDR_OFFSET = SQE_OFF_OFFSET + 8;
    /** u32: the buffer's length. */
    public static final int SQE_LEN_OFFSET = SQE_ADDR_OFFSET + 8;
    /** u32: the operation's flags (rw_flags, fsync_flags). */
    public static final int SQE_OP_FLAGS_OFFSET = SQE_LEN_OFFSET + 4;
    /** u64: handed back unchanged in the completion. */
    public static final int SQE_USER_DATA_OFFSET = SQE_OP_FLAGS_OFFSET + 4;
    /** sizeof(struct io_uring_sqe) without IORING_SETUP_SQE128. */
    public static final int SQE_BYTES = 64;
    /** u64: {@code addr3}, a third address (a futex wait's bitset). */
    public static final int SQE_ADDR3_OFFSET = 48;

    // struct io_uring_cqe (16 bytes)
    /** u64: the SQE's user_data. */
    public static final int CQE_USER_DATA_OFFSET = 0;
    /** s32: the result, as the system call's (a value, or -errno). */
    public static final int CQE_RES_OFFSET = CQE_USER_DATA_OFFSET + 8;
    /** u32: IORING_CQE_F_* flags. */
    public static final int CQE_FLAGS_OFFSET = CQE_RES_OFFSET + 4;
    /** sizeof(struct io_uring_cqe) without IORING_SETUP_CQE32. */
    public static final int CQE_BYTES = CQE_FLAGS_OFFSET + 4;

    /** {@code IORING_OP_NOP}. */
    public static final int OP_NOP = 0;
    /** {@code IORING_OP_FSYNC}: fsync, or fdatasync with {@link #FSYNC_DATASYNC}. */
    public static final int OP_FSYNC = 3;
    /** {@code IORING_OP_READ} (5.6): pread(2). */
    public static final int OP_READ = 22;
    /** {@code IORING_OP_WRITE} (5.6): pwrite(2). */
    public static final int OP_WRITE = 23;
    /** {@code IORING_FSYNC_DATASYNC}: the fsync_flags bit for fdatasync. */
    public static final int FSYNC_DATASYNC = 1;
    /** {@code IORING_OP_ASYNC_CANCEL}: cancels the entry whose user_data is in {@code addr}. */
    public static final int OP_ASYNC_CANCEL = 14;
    /**
     * {@code IORING_OP_FUTEX_WAIT} (6.7): a futex2 wait. {@code addr} the word, {@code off} (addr2) the value it must
     * hold, {@code addr3} the bitset, {@code fd} the futex2 flags; its op_flags must be 0.
     */
    public static final int OP_FUTEX_WAIT = 51;
    /** {@code FUTEX2_SIZE_U32}: a 32-bit word, not private (it may be in memory shared between processes). */
    public static final int FUTEX2_SIZE_U32 = 0x02;
    /** {@code FUTEX_BITSET_MATCH_ANY}: woken by any wake of the word. */
    public static final long FUTEX_BITSET_MATCH_ANY = 0xffff_ffffL;

    /** {@code IORING_ENTER_GETEVENTS}: wait for {@code min_complete} completions. */
    public static final int ENTER_GETEVENTS = 1;
    /**
     * {@code IORING_ENTER_EXT_ARG} (5.11): the last two arguments of {@code io_uring_enter} are a
     * {@code struct io_uring_getevents_arg} and its size, which carries a timeout for the wait.
     */
    public static final int ENTER_EXT_ARG = 8;
    /** {@code IORING_FEAT_EXT_ARG} (5.11): {@link #ENTER_EXT_ARG} is understood. */
    public static final int FEAT_EXT_ARG = 1 << 8;

    // struct io_uring_getevents_arg (24 bytes)
    /** u64: a signal mask to wait with; 0: none. */
    public static final int GETEVENTS_ARG_SIGMASK_OFFSET = 0;
    /** u32: the signal mask's size. */
    public static final int GETEVENTS_ARG_SIGMASK_SZ_OFFSET = GETEVENTS_ARG_SIGMASK_OFFSET + 8;
    /** u32: min_wait_usec since 6.12, padding before; 0. */
    public static final int GETEVENTS_ARG_MIN_WAIT_OFFSET = GETEVENTS_ARG_SIGMASK_SZ_OFFSET + 4;
    /** u64: the address of a {@code struct __kernel_timespec}, the wait's timeout (relative). */
    public static final int GETEVENTS_ARG_TS_OFFSET = GETEVENTS_ARG_MIN_WAIT_OFFSET + 4;
    /** sizeof(struct io_uring_getevents_arg). */
    public static final int GETEVENTS_ARG_BYTES = GETEVENTS_ARG_TS_OFFSET + 8;

    // struct __kernel_timespec (16 bytes)
    /** s64: seconds. */
    public static final int TIMESPEC_SEC_OFFSET = 0;
    /** s64: nanoseconds, below a second. */
    public static final int TIMESPEC_NSEC_OFFSET = TIMESPEC_SEC_OFFSET + 8;
    /** sizeof(struct __kernel_timespec). */
    public static final int TIMESPEC_BYTES = TIMESPEC_NSEC_OFFSET + 8;

    /** {@code IORING_FEAT_SINGLE_MMAP} (5.4): one mapping holds the SQ and CQ rings. */
    public static final int FEAT_SINGLE_MMAP = 1;
    /** {@code IORING_OFF_SQ_RING}: mmap offset of the SQ ring (and the CQ ring with FEAT_SINGLE_MMAP). */
    public static final long OFF_SQ_RING = 0;
    /** {@code IORING_OFF_CQ_RING}: mmap offset of the CQ ring without FEAT_SINGLE_MMAP. */
    public static final long OFF_CQ_RING = 0x8000000L;
    /** {@code IORING_OFF_SQES}: mmap offset of the SQE array. */
    public static final long OFF_SQES = 0x10000000L;

    private IoUringLayout() {
    }

    /** The offset of SQE {@code index} in the SQE array. */
    public static long sqeOffset(int index) {
        return (long) index * SQE_BYTES;
    }
}
