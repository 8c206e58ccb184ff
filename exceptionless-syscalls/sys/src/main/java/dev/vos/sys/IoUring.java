package dev.vos.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static dev.vos.sys.IoUringLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One io_uring instance through raw system calls ({@code io_uring_setup}, {@code io_uring_enter}) and its two
 * mappings, no liburing: many reads, writes and fsyncs handed to the kernel in one trap. Layout in
 * {@link IoUringLayout}.
 *
 * <p>Single-threaded: one thread prepares, submits and reaps (the storage domain's worker that owns it); it is set
 * up with {@code IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN} where the kernel has them (6.1), so that completions
 * are run only when that thread asks for them, in {@link #submitAndWait}, and no interrupt breaks into it.
 *
 * <p>Memory order, the kernel being the other side: the SQ tail is ours (a release store publishes the entries
 * before it, paired with the kernel's acquire), the SQ head the kernel's (read with acquire before an entry is
 * reused); the CQ tail is the kernel's (read with acquire, then the entries below it are valid), the CQ head ours
 * (a release store, after the entries were read, lets the kernel reuse them).
 */
public final class IoUring implements AutoCloseable {

    /** {@code IORING_SETUP_COOP_TASKRUN} (5.19). */
    static final int SETUP_COOP_TASKRUN = 1 << 8;
    /** {@code IORING_SETUP_SINGLE_ISSUER} (6.0). */
    static final int SETUP_SINGLE_ISSUER = 1 << 12;
    /** {@code IORING_SETUP_DEFER_TASKRUN} (6.1). */
    static final int SETUP_DEFER_TASKRUN = 1 << 13;
    private static final int[] SETUP_FLAG_CHOICES = {
        SETUP_SINGLE_ISSUER | SETUP_DEFER_TASKRUN, SETUP_COOP_TASKRUN, 0};

    private static final long PROT_READ_WRITE = 0x3;
    /** MAP_SHARED | MAP_POPULATE: the rings are touched at once by both sides; fault them in now. */
    private static final long MAP_SHARED_POPULATE = 0x01 | 0x8000;
    private static final VarHandle INT = JAVA_INT.varHandle();

    /** Receives completions from {@link #reap}. */
    @FunctionalInterface
    public interface Completions {
        /** One completion: the entry's user data and its result (a value, or {@code -errno}). */
        void complete(long userData, int result);
    }

    private final int fd;
    private final int setupFlags;
    /** Whether the kernel takes a timeout with a wait ({@code IORING_FEAT_EXT_ARG}). */
    private final boolean timedWaits;
    /** A {@code struct io_uring_getevents_arg} and the {@code struct __kernel_timespec} it points to. */
    private final Arena argArena = Arena.ofShared();
    private final MemorySegment waitArg = argArena.allocate(GETEVENTS_ARG_BYTES, 8);
    private final MemorySegment waitTimeout = argArena.allocate(TIMESPEC_BYTES, 8);
    private final MemorySegment rings;
    private final MemorySegment sqes;
    private final int sqEntries;
    private final int sqMask;
    private final int cqMask;
    private final long sqHeadOffset;
    private final long sqTailOffset;
    private final long cqHeadOffset;
    private final long cqTailOffset;
    private final long cqesOffset;
    /** Our SQ tail, ahead of the shared one until {@link #submitAndWait} publishes it. */
    private int sqTail;
    /** Entries prepared and not yet handed to the kernel by io_uring_enter. */
    private int unsubmitted;
    private boolean closed;

    private IoUring(int fd, int setupFlags, MemorySegment params, MemorySegment rings, MemorySegment sqes) {
        this.fd = fd;
        this.setupFlags = setupFlags;
        this.timedWaits = (params.get(JAVA_INT, PARAMS_FEATURES_OFFSET) & FEAT_EXT_ARG) != 0;
        waitArg.set(JAVA_LONG, GETEVENTS_ARG_TS_OFFSET, waitTimeout.address());
        this.rings = rings;
        this.sqes = sqes;
        this.sqEntries = params.get(JAVA_INT, PARAMS_SQ_ENTRIES_OFFSET);
        this.sqHeadOffset = params.get(JAVA_INT, PARAMS_SQ_OFF_OFFSET + SQ_OFF_HEAD);
        this.sqTailOffset = params.get(JAVA_INT, PARAMS_SQ_OFF_OFFSET + SQ_OFF_TAIL);
        this.sqMask = rings.get(JAVA_INT, params.get(JAVA_INT, PARAMS_SQ_OFF_OFFSET + SQ_OFF_RING_MASK));
        this.cqHeadOffset = params.get(JAVA_INT, PARAMS_CQ_OFF_OFFSET + CQ_OFF_HEAD);
        this.cqTailOffset = params.get(JAVA_INT, PARAMS_CQ_OFF_OFFSET + CQ_OFF_TAIL);
        this.cqMask = rings.get(JAVA_INT, params.get(JAVA_INT, PARAMS_CQ_OFF_OFFSET + CQ_OFF_RING_MASK));
        this.cqesOffset = params.get(JAVA_INT, PARAMS_CQ_OFF_OFFSET + CQ_OFF_CQES);
        this.sqTail = rings.get(JAVA_INT, sqTailOffset);
        // Queue position i always names SQE i: the index array is written once, here.
        long array = params.get(JAVA_INT, PARAMS_SQ_OFF_OFFSET + SQ_OFF_ARRAY);
        for (int i = 0; i < sqEntries; i++) {
            rings.set(JAVA_INT, array + 4L * i, i);
        }
    }

    /**
     * {@code io_uring_setup(entries, &params)} and the two mappings. Needs Linux 5.6 (IORING_OP_READ/WRITE) with
     * IORING_FEAT_SINGLE_MMAP (5.4).
     *
     * @throws IoUringUnavailableException when the kernel refuses (ENOSYS: no io_uring; EPERM: disabled by
     *         {@code kernel.io_uring_disabled} or a seccomp filter; ENOMEM), with the errno
     */
    public static IoUring create(int entries) throws IoUringUnavailableException {
        if (entries < 1 || entries > 4096 || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("entries=" + entries + ": a power of two in 1..4096");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(PARAMS_BYTES, 8);
            long ring = -Errno.EINVAL;
            int flags = 0;
            for (int choice : SETUP_FLAG_CHOICES) {
                params.fill((byte) 0);
                params.set(JAVA_INT, PARAMS_FLAGS_OFFSET, choice);
                ring = Linux.syscallErrno(SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
                flags = choice;
                if (ring != -Errno.EINVAL) {
                    break; // EINVAL: a flag this kernel does not know; try fewer
                }
            }
            if (ring < 0) {
                throw new IoUringUnavailableException((int) -ring);
            }
            int fd = (int) ring;
            if ((params.get(JAVA_INT, PARAMS_FEATURES_OFFSET) & FEAT_SINGLE_MMAP) == 0) {
                Linux.close(fd);
                throw new IoUringUnavailableException(Errno.ENOSYS);
            }
            int sq = params.get(JAVA_INT, PARAMS_SQ_ENTRIES_OFFSET);
            int cq = params.get(JAVA_INT, PARAMS_CQ_ENTRIES_OFFSET);
            long ringBytes = Math.max(params.get(JAVA_INT, PARAMS_SQ_OFF_OFFSET + SQ_OFF_ARRAY) + 4L * sq,
                    params.get(JAVA_INT, PARAMS_CQ_OFF_OFFSET + CQ_OFF_CQES) + (long) CQE_BYTES * cq);
            long sqeBytes = (long) SQE_BYTES * sq;
            long ringAddress = map(ringBytes, fd, OFF_SQ_RING);
            long sqeAddress = ringAddress < 0 ? ringAddress : map(sqeBytes, fd, OFF_SQES);
            if (ringAddress < 0 || sqeAddress < 0) {
                if (ringAddress >= 0) {
                    SharedMemory.munmap(ringAddress, ringBytes);
                }
                Linux.close(fd);
                throw new IoUringUnavailableException((int) -(ringAddress < 0 ? ringAddress : sqeAddress));
            }
            return new IoUring(fd, flags, params,
                    MemorySegment.ofAddress(ringAddress).reinterpret(ringBytes),
                    MemorySegment.ofAddress(sqeAddress).reinterpret(sqeBytes));
        }
    }

    private static long map(long bytes, int fd, long offset) {
        return Linux.syscallErrno(SharedMemory.SYS_MMAP, 0, bytes, PROT_READ_WRITE, MAP_SHARED_POPULATE, fd, offset);
    }

    /** Entries of the submission queue: the most operations one {@link #submitAndWait} carries. */
    public int entries() {
        return sqEntries;
    }

    /** The IORING_SETUP_* flags the kernel accepted. */
    public int setupFlags() {
        return setupFlags;
    }

    /** Entries prepared and not yet submitted. */
    public int unsubmitted() {
        return unsubmitted;
    }

    /** Whether another entry fits before the next {@link #submitAndWait}. */
    public boolean hasRoom() {
        int kernelHead = (int) INT.getAcquire(rings, sqHeadOffset); // the kernel has read every entry below it
        return sqTail - kernelHead < sqEntries;
    }

    /** Prepares {@code pread(fd, address, length, offset)}; false when the queue is full (submit first). */
    public boolean prepareRead(int fileFd, long address, int length, long offset, long userData) {
        return prepare(OP_READ, fileFd, address, length, offset, 0, userData);
    }

    /** Prepares {@code pwrite(fd, address, length, offset)}; false when the queue is full. */
    public boolean prepareWrite(int fileFd, long address, int length, long offset, long userData) {
        return prepare(OP_WRITE, fileFd, address, length, offset, 0, userData);
    }

    /** Prepares {@code fsync(fd)}, or {@code fdatasync(fd)} when {@code dataOnly}; false when the queue is full. */
    public boolean prepareFsync(int fileFd, boolean dataOnly, long userData) {
        return prepare(OP_FSYNC, fileFd, 0, 0, 0, dataOnly ? FSYNC_DATASYNC : 0, userData);
    }

    /**
     * Prepares a wait on the 32-bit futex word at {@code address} (not private: the word may be shared between
     * processes) while it holds {@code expected}: it completes with 0 once a {@code FUTEX_WAKE} of the word reaches
     * it, with {@code -EAGAIN} at once if the word holds another value when the kernel takes the entry, and with
     * {@code -EINVAL} on a kernel without the operation (before 6.7). False when the queue is full. Like a
     * {@code futex(FUTEX_WAIT)} it counts as one of the word's waiters until it completes or is cancelled.
     */
    public boolean prepareFutexWait(long address, int expected, long userData) {
        if (!prepare(OP_FUTEX_WAIT, FUTEX2_SIZE_U32, address, 0, Integer.toUnsignedLong(expected), 0, userData)) {
            return false;
        }
        sqes.set(JAVA_LONG, sqeOffset((sqTail - 1) & sqMask) + SQE_ADDR3_OFFSET, FUTEX_BITSET_MATCH_ANY);
        return true;
    }

    /**
     * Prepares the cancellation of the entry in flight whose user data is {@code target}: it completes with a value
     * that is not negative when it cancelled it (0, or the count cancelled on newer kernels; the target then
     * completes with {@code -ECANCELED}), {@code -ENOENT} when the target had completed already, {@code -EALREADY}
     * when it was running. False when the queue is full.
     */
    public boolean prepareCancel(long target, long userData) {
        return prepare(OP_ASYNC_CANCEL, -1, target, 0, 0, 0, userData);
    }

    /** Prepares a no-op (completes with 0); false when the queue is full. */
    public boolean prepareNop(long userData) {
        return prepare(OP_NOP, -1, 0, 0, 0, 0, userData);
    }

    private boolean prepare(int opcode, int fileFd, long address, int length, long offset, int opFlags,
                            long userData) {
        checkOpen();
        if (!hasRoom()) {
            return false;
        }
        long sqe = sqeOffset(sqTail & sqMask);
        sqes.asSlice(sqe, SQE_BYTES).fill((byte) 0);
        sqes.set(JAVA_BYTE, sqe + SQE_OPCODE_OFFSET, (byte) opcode);
        sqes.set(JAVA_SHORT, sqe + SQE_IOPRIO_OFFSET, (short) 0);
        sqes.set(JAVA_INT, sqe + SQE_FD_OFFSET, fileFd);
        sqes.set(JAVA_LONG, sqe + SQE_OFF_OFFSET, offset);
        sqes.set(JAVA_LONG, sqe + SQE_ADDR_OFFSET, address);
        sqes.set(JAVA_INT, sqe + SQE_LEN_OFFSET, length);
        sqes.set(JAVA_INT, sqe + SQE_OP_FLAGS_OFFSET, opFlags);
        sqes.set(JAVA_LONG, sqe + SQE_USER_DATA_OFFSET, userData);
        sqTail++;
        unsubmitted++;
        return true;
    }

    /**
     * Publishes the prepared entries and, in one {@code io_uring_enter}, submits them and waits until at least
     * {@code minComplete} completions are ready (0: submit only). Returns the entries submitted, or {@code -errno}
     * (EINTR is retried; EBUSY and EAGAIN mean: reap completions, then call again).
     */
    public int submitAndWait(int minComplete) {
        checkOpen();
        INT.setRelease(rings, sqTailOffset, sqTail); // release: the SQEs before the tail that names them
        return enter(minComplete, minComplete > 0 ? ENTER_GETEVENTS : 0, 0, 0);
    }

    /**
     * Submits what is prepared and, without waiting, runs the completions the kernel holds back for this thread
     * (with DEFER_TASKRUN an operation that completed, an fsync on the kernel's own worker, posts its completion
     * only when its ring's thread enters with GETEVENTS): {@link #reap} then sees every completion there is. One
     * {@code io_uring_enter}; returns the entries submitted, or {@code -errno} as {@link #submitAndWait}.
     */
    public int submitAndPeek() {
        checkOpen();
        INT.setRelease(rings, sqTailOffset, sqTail); // release: the SQEs before the tail that names them
        return enter(0, ENTER_GETEVENTS, 0, 0);
    }

    /** Whether {@link #submitAndWait(int, long)} can bound its wait (Linux 5.11, IORING_FEAT_EXT_ARG). */
    public boolean timedWaits() {
        return timedWaits;
    }

    /**
     * As {@link #submitAndWait(int)}, waiting at most {@code timeoutNs}: {@code -ETIME} when the time passed before
     * {@code minComplete} completions were ready. Only where {@link #timedWaits()}.
     */
    public int submitAndWait(int minComplete, long timeoutNs) {
        checkOpen();
        if (!timedWaits) {
            throw new IllegalStateException("this kernel's io_uring takes no timeout (IORING_FEAT_EXT_ARG)");
        }
        INT.setRelease(rings, sqTailOffset, sqTail); // release: the SQEs before the tail that names them
        waitTimeout.set(JAVA_LONG, TIMESPEC_SEC_OFFSET, timeoutNs / 1_000_000_000L);
        waitTimeout.set(JAVA_LONG, TIMESPEC_NSEC_OFFSET, timeoutNs % 1_000_000_000L);
        return enter(minComplete, ENTER_GETEVENTS | ENTER_EXT_ARG, waitArg.address(), GETEVENTS_ARG_BYTES);
    }

    /** {@code io_uring_enter} with the entries not yet submitted; EINTR is retried. */
    private int enter(int minComplete, int flags, long arg, long argBytes) {
        while (true) {
            long r = Linux.syscallErrno(SYS_IO_URING_ENTER, fd, unsubmitted, minComplete, flags, arg, argBytes);
            if (r == -Errno.EINTR) {
                continue;
            }
            if (r > 0) {
                unsubmitted -= (int) r;
            }
            return (int) r;
        }
    }

    /** Hands every completion ready now to {@code sink}, oldest first; returns how many. */
    public int reap(Completions sink) {
        checkOpen();
        int head = rings.get(JAVA_INT, cqHeadOffset); // ours: only this thread moves it
        int tail = (int) INT.getAcquire(rings, cqTailOffset); // acquire: the CQEs below the tail are written
        int n = 0;
        while (head != tail) {
            long cqe = cqesOffset + (long) (head & cqMask) * CQE_BYTES;
            long userData = rings.get(JAVA_LONG, cqe + CQE_USER_DATA_OFFSET);
            int result = rings.get(JAVA_INT, cqe + CQE_RES_OFFSET);
            head++;
            n++;
            // release: the kernel may reuse the entry once the head has passed it, so the reads come first
            INT.setRelease(rings, cqHeadOffset, head);
            sink.complete(userData, result);
        }
        return n;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the io_uring is closed");
        }
    }

    /** Unmaps the rings and closes the ring's descriptor; operations still in flight are cancelled by the kernel. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        SharedMemory.munmap(sqes.address(), sqes.byteSize());
        SharedMemory.munmap(rings.address(), rings.byteSize());
        Linux.close(fd);
        argArena.close();
    }
}
