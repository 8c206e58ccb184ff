package dev.vos.storage.domain;

import dev.vos.ring.server.CallBatcher;
import dev.vos.ring.server.DeferredCall;
import dev.vos.ring.server.ServerCall;
import dev.vos.sys.Errno;
import dev.vos.sys.IoUring;
import dev.vos.sys.IoUringUnavailableException;
import dev.vos.sys.Linux;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One worker's batch of preads, pwrites, fsyncs and fdatasyncs, executed in one {@code io_uring_enter} when the
 * worker has drained its queue (see {@link CallBatcher}). Where the trap, not the copy, is what a 4 KiB read costs,
 * a batch of 32 pays about a third of 32 preads.
 *
 * <p><b>Order per descriptor.</b> The entries of one submission run concurrently in the kernel, so a call that must
 * follow another is never put beside it: on one kernel descriptor, a write beside a read or a write of an
 * overlapping range, and a write on an O_APPEND descriptor beside another write (Linux appends a pwrite there
 * whatever its offset) first flush the batch. Reads go together, and so do writes of disjoint ranges (the chunks of
 * one large write). With the worker's flush before every call that does not batch, a worker executes one client's
 * calls on a descriptor in queue order, as a synchronous worker does, but for forces: a force's fsync may still be
 * in flight when calls queued after it run (see "Forces in flight").
 *
 * <p><b>Group commit.</b> Forces never go beside reads and writes: a flush runs in two steps. First every read and
 * write gathered is submitted (in waves, see {@link #submitWave}) and <em>all</em> of them complete; then each force
 * of the batch joins its kernel descriptor's {@link ForceGroup}, and one fsync per descriptor answers every force
 * of its group. The unit is the open file description (the kernel descriptor), not the inode: since Linux 4.13 a
 * writeback error is reported once to each open file description (errseq), so an fsync through another description
 * of the same file could answer 0 where this one's own fsync would answer EIO. Through one description, the merged
 * fsync reports an error to every force it answers, which is at least what each would have seen alone. An
 * fdatasync may be answered by an fsync (it does more), never the reverse: a group is issued as fdatasync only when
 * all its forces are. So 64 clients' forces of one descriptor cost one fsync.
 *
 * <p><b>Forces in flight.</b> The worker does not wait for a force's fsync: it submits it and goes on serving, and
 * answers the group's forces when the fsync's completion is reaped (by a later flush, by {@link #reapCompleted}
 * after the worker drained its queue, or by {@link #awaitCompletion}, the worker's bounded wait in the kernel
 * when its queue is empty, in place of spinning or sleeping). While one client's
 * fsync takes its 0.3 to 1.4 ms, the other clients' reads and writes are served ({@link
 * StorageFigures#answeredBesideSync} counts them). What holds:
 * <ul>
 *   <li>A force's fsync is issued only after every write queued before the force on that descriptor has completed
 *       (the flush's first step), so it covers them: a force is answered only after they are durable.</li>
 *   <li>Writes queued after a force was issued may run, and be answered, while its fsync is in flight; that fsync
 *       may or may not cover them, as a native fsync may or may not cover a concurrent thread's write. A force
 *       promises nothing about writes its client did not see answered before it asked.</li>
 *   <li>At most one fsync per kernel descriptor is in flight. A force of a descriptor whose fsync is in flight
 *       waits, with every other force of it that comes meanwhile, for the next fsync, issued as soon as the one in
 *       flight completes: the one in flight may have been issued before this force's writes completed, so it cannot
 *       answer it, and issuing a second one at once would only queue behind the first in the file system's journal
 *       (ext4 commits one transaction at a time) while costing one more fsync. Waiting makes the next fsync answer
 *       every force that came during the last: group commit across flushes.</li>
 *   <li>Each force is answered exactly once, with the result of an fsync issued after it was gathered.</li>
 * </ul>
 *
 * <p><b>Durability.</b> A call is answered from its completion only: a write is acknowledged once the kernel has
 * performed it, never when it was queued; a force once its fsync, issued after the writes it covers completed, has
 * completed. A domain killed (or hung) with fsyncs in flight leaves those forces unanswered, and their clients fail
 * them within the ring's bound (the ring's failure semantics); nothing acknowledged was still in flight. The worker
 * waits for fsyncs only between calls (its progress word even, as in a flush), so the ring's stuck-worker judgement
 * never takes a wait for an fsync for a hang; a handler that hangs is still inside its call and still judged.
 *
 * <p>The io_uring is made on the first call gathered, on the worker's thread (it is single-issuer); where the kernel
 * refuses one (old, or turned off), the batch stays empty and every call, every force too, takes the synchronous
 * path, the worker waiting in it as before.
 */
final class StorageBatch implements CallBatcher {

    private static final System.Logger LOG = System.getLogger(StorageBatch.class.getName());
    /** Entries of the submission queue: the most calls one trap carries. */
    static final int ENTRIES = 64;
    /**
     * Bytes of reads and writes one wave of a flush carries at most (it ends with the call that passes it): a 1 MiB
     * read of 16 chunks goes out four chunks at a time, 64 reads of 4 KiB at once.
     */
    static final long WAVE_BYTES = 256 << 10;
    /** Bytes of one {@code struct iovec}: base, then length. */
    private static final long IOVEC_BYTES = 16;
    /** User data of a force group's fsync: this plus the group's index (a read or write's is its call index). */
    private static final long SYNC_USER_DATA = ENTRIES;
    /** The user data of the worker's wait on its doorbell word ({@link #awaitCompletionOrRing}): no call's. */
    private static final long RING_WAIT_USER_DATA = -1;
    /** The user data of that wait's cancellation. */
    private static final long RING_WAIT_CANCEL_USER_DATA = -2;
    /** Reaps after a cancellation before the wait is given up for lost (each waits at most 1 ms). */
    private static final int CANCEL_REAPS = 1000;
    private static volatile boolean loggedUnavailable;

    /** What a gathered call does. */
    enum Op {
        READ, WRITE, FSYNC, FDATASYNC;

        boolean isSync() {
            return this == FSYNC || this == FDATASYNC;
        }
    }

    private final StorageFigures figures;
    private final DeferredCall[] calls = new DeferredCall[ENTRIES];
    private final DescriptorTable[] tables = new DescriptorTable[ENTRIES];
    private final DescriptorTable.Entry[] entries = new DescriptorTable.Entry[ENTRIES];
    private final Op[] ops = new Op[ENTRIES];
    private final long[] addresses = new long[ENTRIES];
    private final int[] counts = new int[ENTRIES];
    private final long[] offsets = new long[ENTRIES];
    /**
     * The force group of each kernel descriptor with forces in flight or waiting, at a fixed index (its fsync's user
     * data is {@link #SYNC_USER_DATA} plus it); null where none. Grows, never shrinks: an index is never reused while
     * its fsync is in flight.
     */
    private ForceGroup[] forceGroups = new ForceGroup[ENTRIES];
    /** Fsyncs prepared or submitted whose completion has not been reaped. */
    private int syncsInFlight;
    /** Whether some group's forces wait with no fsync in flight: {@link #issueWaiting} has work. */
    private boolean issueDue;
    /** The iovecs of one run's preadv or pwritev (see {@link #runEnd}); the worker's alone. */
    private final Arena arena = Arena.ofShared();
    private final MemorySegment iovecs = arena.allocate(IOVEC_BYTES * ENTRIES, 8);
    private IoUring ring;
    private boolean unavailable;
    /** Whether this kernel's io_uring waits on a futex word (Linux 6.7); false once it said EINVAL. */
    private boolean futexWaits = true;
    /** Whether the wait on the doorbell word is in the ring and has not completed. */
    private boolean ringWaitPending;
    private int size;
    /**
     * Whether the batch being flushed is one read, with no call found waiting behind it yet: its chunks are copied
     * from the mapping ({@link #copyRun}).
     */
    private boolean loneRead;
    /** The worker's call, whose queue tells whether calls wait behind the batch; set by {@link #gather}. */
    private ServerCall worker;
    /** Reads and writes gathered: the first step of a flush. */
    private int transfers;
    /** Operations submitted in the current step of a flush and not yet reaped. */
    private int pending;
    /** Calls gathered, and flushes: their ratio is the mean batch, for tests and figures. */
    long gathered;
    long flushes;
    /**
     * System calls that handed gathered calls to the kernel (io_uring_enter, or a run's preadv or pwritev): the
     * domain's figure (see {@link #submissions()}). The io_uring_enter calls that only look for, or wait for, the
     * completion of an fsync in flight hand nothing over and are not counted: an idle worker's traps.
     */
    private long submissions;

    StorageBatch(StorageFigures figures) {
        this.figures = figures;
    }

    @Override
    public long submissions() {
        return submissions;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * Whether {@code call} should be gathered rather than executed at once: another call is queued behind it or the
     * batch holds some already, and io_uring is there. A call found alone takes the synchronous path.
     */
    boolean wants(ServerCall call) {
        return !unavailable && (size > 0 || call.hasQueuedBehind());
    }

    /**
     * Whether a force should be gathered: always where io_uring is there, alone or not, because a force executed
     * at once holds the worker in its fsync, and another client's call may come at any moment of it.
     */
    boolean wantsForce() {
        return !unavailable;
    }

    /** Whether an fsync this batch issued is in flight: a read or write answered now is answered beside it. */
    boolean syncInFlight() {
        return syncsInFlight > 0;
    }

    /**
     * Gathers {@code op} on {@code entry} (pinned in {@code table}; released once answered) and defers
     * {@code call}; false when no io_uring could be made (the caller then executes the call itself). A force joins
     * its descriptor's group; everything is prepared on the ring when the batch flushes.
     */
    boolean gather(ServerCall call, DescriptorTable table, DescriptorTable.Entry entry, Op op, long address,
                   int count, long offset) {
        if (ring == null && !open()) {
            return false;
        }
        if (size == ENTRIES || !op.isSync() && conflicts(entry, op, offset, count)) {
            flush();
        }
        worker = call;
        int i = size;
        if (!op.isSync()) {
            transfers++;
        }
        calls[i] = call.defer();
        tables[i] = table;
        entries[i] = entry;
        ops[i] = op;
        addresses[i] = address;
        counts[i] = count;
        offsets[i] = offset;
        size++;
        gathered++;
        return true;
    }

    /** The force group of kernel descriptor {@code fd}'s index, made if there is none. */
    private int forceGroup(int fd) {
        int free = -1;
        for (int k = 0; k < forceGroups.length; k++) {
            if (forceGroups[k] == null) {
                free = free < 0 ? k : free;
            } else if (forceGroups[k].kernelFd() == fd) {
                return k;
            }
        }
        if (free < 0) {
            free = forceGroups.length;
            forceGroups = Arrays.copyOf(forceGroups, 2 * forceGroups.length);
        }
        forceGroups[free] = new ForceGroup(fd);
        return free;
    }

    /**
     * Whether a read or write ({@code op}) on {@code entry}'s descriptor, over {@code [offset, offset + count)},
     * must not run beside the reads and writes the batch holds (see the class comment). Forces never conflict: they
     * run in the flush's second step, after all of these.
     */
    private boolean conflicts(DescriptorTable.Entry entry, Op op, long offset, int count) {
        int fd = entry.kernelFd();
        for (int i = 0; i < size; i++) {
            if (ops[i].isSync() || entries[i].kernelFd() != fd || op == Op.READ && ops[i] == Op.READ) {
                continue;
            }
            boolean appends = entry.append() && op == Op.WRITE && ops[i] == Op.WRITE;
            boolean overlap = offset < offsets[i] + counts[i] && offsets[i] < offset + count;
            if (appends || overlap) {
                return true;
            }
        }
        return false;
    }

    private boolean open() {
        try {
            ring = IoUring.create(ENTRIES);
            return true;
        } catch (IoUringUnavailableException e) {
            unavailable = true;
            if (!loggedUnavailable) {
                loggedUnavailable = true;
                LOG.log(Level.WARNING, "{0}; storage calls run one system call each", e.getMessage());
            }
            return false;
        }
    }

    /**
     * Executes what was gathered in two steps: the reads and writes, in waves of about {@link #WAVE_BYTES}, each
     * answered from its own completion as it is reaped, all of them waited out; then the forces, each joining its
     * descriptor's group, and one fsync (or fdatasync) submitted, not waited for, for every group without one in
     * flight (see the class comment). A call the kernel answers EAGAIN (a descriptor it will not wait on) is
     * executed synchronously instead. Should the ring itself fail, it is closed (so that nothing it holds can run
     * later) and the calls it did not answer are executed synchronously, writes before forces: a write may then run
     * twice, with the same bytes at the same offset.
     */
    @Override
    public void flush() {
        if (size == 0) {
            return;
        }
        flushes++;
        loneRead = isOneRead();
        int next = 0;
        while (transfers > 0 && next < size && ring != null) {
            next = submitWave(next);
        }
        if (ring != null) {
            commitForces();
        }
        if (ring == null) {
            answerSynchronously();
        }
        size = 0;
        transfers = 0;
    }

    /**
     * The flush's second step, once every read and write of the batch has completed: the batch's forces join their
     * descriptors' groups, and every group without an fsync in flight has one issued now, all in one submission.
     */
    private void commitForces() {
        boolean any = false;
        for (int i = 0; i < size; i++) {
            if (ops[i].isSync() && calls[i] != null) {
                forceGroups[forceGroup(entries[i].kernelFd())].add(
                        new ForceGroup.Force(calls[i], tables[i], entries[i]), ops[i] == Op.FDATASYNC);
                forget(i);
                any = true;
            }
        }
        if (any) {
            issueDue = true;
            issueWaiting();
        }
    }

    /**
     * Issues an fsync for every group whose forces wait and that has none in flight, and submits them in one
     * {@code io_uring_enter}, not waiting. Never from inside {@link IoUring#reap}: a submission that fails closes
     * the ring, which a reap still walking its completions would then read unmapped.
     */
    private void issueWaiting() {
        if (!issueDue) {
            return;
        }
        issueDue = false;
        for (int k = 0; k < forceGroups.length && ring != null; k++) {
            ForceGroup g = forceGroups[k];
            if (g == null || g.syncInFlight() || !g.hasWaiting()) {
                continue;
            }
            if (!ring.hasRoom()) {
                submitPrepared();
                if (ring == null) {
                    return;
                }
            }
            boolean dataOnly = g.issue();
            if (!ring.prepareFsync(g.kernelFd(), dataOnly, SYNC_USER_DATA + k)) {
                throw new IllegalStateException("io_uring queue full with room for one sync");
            }
            syncsInFlight++;
            figures.syncIssued();
        }
        if (ring != null && ring.unsubmitted() > 0) {
            submitPrepared();
        }
    }

    /** Submits what is prepared without waiting for anything. */
    private void submitPrepared() {
        int r = ring.submitAndWait(0);
        submissions++;
        failedOn(r);
    }

    /**
     * Whether {@code r}, what an {@code io_uring_enter} answered, says the ring failed; if so it is closed and no
     * longer used (the caller answers what it held synchronously). EAGAIN and EBUSY (reap, then enter again) and
     * ETIME (a timed wait that saw nothing) are not failures.
     */
    private boolean failedOn(int r) {
        if (r >= 0 || r == -Errno.EAGAIN || r == -Errno.EBUSY || r == -Errno.ETIME) {
            return false;
        }
        LOG.log(Level.WARNING, "io_uring_enter failed ({0}); answering the batch synchronously", Errno.name(-r));
        ring.close();
        ring = null;
        unavailable = true;
        return true;
    }

    /**
     * Answers the forces whose fsync completed, without waiting (one {@code io_uring_enter} that runs the
     * completions the kernel holds for this thread); for a worker that has just drained its queue.
     */
    @Override
    public void reapCompleted() {
        if (ring == null || syncsInFlight == 0) {
            return;
        }
        int r = ring.submitAndPeek(); // hands nothing gathered to the kernel: not one of the submissions
        if (!failedOn(r)) {
            reap();
        }
        if (ring == null) {
            answerSynchronously();
        }
    }

    /**
     * Waits at most {@code timeoutNs} for an fsync in flight to complete, and answers what did; where the kernel
     * cannot bound a wait, only looks. For a worker whose queue is empty: waiting in the kernel leaves its CPU to
     * the io_uring's worker that runs the fsync (it inherited the worker's affinity).
     */
    @Override
    public void awaitCompletion(long timeoutNs) {
        if (ring == null || syncsInFlight == 0) {
            return;
        }
        if (!ring.timedWaits()) {
            reapCompleted();
            return;
        }
        int r = ring.submitAndWait(1, timeoutNs); // nor this: the worker waits instead of sleeping
        if (!failedOn(r)) {
            reap();
        }
        if (ring == null) {
            answerSynchronously();
        }
    }

    /**
     * Sleeps until an fsync in flight completes or a client rings the worker (a wake of the doorbell word, which
     * must still hold {@code armed}), at most {@code timeoutNs}, and answers what completed: one futex wait in the
     * ring beside the fsyncs, and one {@code io_uring_enter} that waits for either. A wait the fsync ended is
     * cancelled before this returns, so that no wait of this ring is left on the word for a later ring to wake
     * instead of a sleeping worker. False where the ring cannot wait on a word (no io_uring, no timed waits, a
     * kernel before 6.7: its first try answers EINVAL, and later calls say false at once).
     */
    @Override
    public boolean awaitCompletionOrRing(long wordAddress, int armed, long timeoutNs) {
        if (ring == null || !futexWaits || !ring.timedWaits()) {
            return false; // for good: the worker stops asking (a failed ring is not made again)
        }
        if (syncsInFlight == 0) {
            return true; // nothing to wait for now; not a reason to stop asking
        }
        if (!ring.prepareFutexWait(wordAddress, armed, RING_WAIT_USER_DATA)) {
            throw new IllegalStateException("io_uring queue full with room for one futex wait");
        }
        ringWaitPending = true;
        int r = ring.submitAndWait(1, timeoutNs); // not a submission of gathered calls: not counted
        if (!failedOn(r)) {
            reap();
            endRingWait();
        }
        if (ring == null) {
            ringWaitPending = false;
            answerSynchronously();
        }
        return true;
    }

    /** Takes the wait on the doorbell word off the word if it is still there, and reaps until it has completed. */
    private void endRingWait() {
        if (!ringWaitPending || ring == null) {
            return; // completed, or the ring was closed by a failure in the reap, which ends every wait it holds
        }
        if (!ring.prepareCancel(RING_WAIT_USER_DATA, RING_WAIT_CANCEL_USER_DATA)) {
            throw new IllegalStateException("io_uring queue full with room for one cancellation");
        }
        for (int i = 0; i < CANCEL_REAPS && ringWaitPending && ring != null; i++) {
            if (!failedOn(ring.submitAndWait(1, 1_000_000L))) {
                reap();
            }
        }
        if (ringWaitPending && ring != null) {
            // Cannot happen on a working kernel (a futex wait is cancelled at once). Stop waiting on words, so that
            // no second wait joins a stale one; the worker waits the bounded way from now on.
            futexWaits = false;
            LOG.log(Level.WARNING, "a cancelled io_uring futex wait did not complete; the worker stops sleeping"
                    + " on its doorbell while fsyncs are in flight");
        }
    }

    @Override
    public boolean awaitsCompletions() {
        return syncsInFlight > 0;
    }

    /** Hands every completion ready to {@link #onCompletion}, then issues the fsyncs of forces that waited. */
    private void reap() {
        ring.reap(this::onCompletion);
        issueWaiting();
    }

    /**
     * Executes the reads and writes from call {@code from} on until they hold {@link #WAVE_BYTES} (a run of one
     * large read's chunks as one preadv, see {@link #runEnd}, or copied from the file's mapping when the batch is
     * that read alone, see {@link #copyRun}; the others in one io_uring_enter) and answers each as
     * it completes; returns the index of the first call not taken. So the domain reads chunk k + 1
     * while its client copies chunk k out of the shared area: a page-cached read completes inside io_uring_enter,
     * and a batch submitted whole would answer its first chunk only once its last was read.
     */
    private int submitWave(int from) {
        int wave = 0;
        long bytes = 0;
        int i = from;
        while (i < size && bytes < WAVE_BYTES) {
            if (ops[i].isSync()) {
                i++;
                continue;
            }
            int end = runEnd(i, WAVE_BYTES - bytes);
            for (int k = i; k < end; k++) {
                bytes += counts[k];
            }
            if (end - i > 1) {
                int copied = copyRun(i, end);
                if (copied < end) {
                    answerRun(copied, end, vectored(copied, end));
                }
            } else {
                int fd = entries[i].kernelFd();
                boolean prepared = ops[i] == Op.READ ? ring.prepareRead(fd, addresses[i], counts[i], offsets[i], i)
                        : ring.prepareWrite(fd, addresses[i], counts[i], offsets[i], i);
                if (!prepared) {
                    throw new IllegalStateException("io_uring queue full with " + wave + " of " + size + " prepared");
                }
                wave++;
            }
            i = end;
        }
        if (wave > 0) {
            submitAndReap(wave);
        }
        return i;
    }

    /**
     * The end (exclusive) of the run of calls from {@code i} that one preadv or pwritev carries, at most
     * {@code room} bytes: calls next to each other in the queue, all reads or all writes, of one descriptor (not an
     * O_APPEND one), each starting in the file where the one before ended: the chunks of one large read or write.
     * One system call reads them all (half the kernel's time of a pread per 64 KiB chunk, by HotPathCosts), into
     * each call's own chunk of the shared area.
     */
    private int runEnd(int i, long room) {
        if (entries[i].append()) {
            return i + 1;
        }
        int fd = entries[i].kernelFd();
        long bytes = counts[i];
        int j = i + 1;
        while (j < size && bytes < room && !ops[j].isSync() && ops[j] == ops[i] && entries[j].kernelFd() == fd
                && offsets[j] == offsets[j - 1] + counts[j - 1]) {
            bytes += counts[j];
            j++;
        }
        return j;
    }

    /**
     * Copies a lone read's chunks from {@code from} on out of its descriptor's mapping of the file (see
     * {@link ReadMapping#copy}), answering each as soon as it is copied; returns the index of the first call not
     * copied, which the kernel reads with the rest of the run. So the client copies chunk k out of the shared area
     * while the worker copies chunk k + 1 in, no trap paid. Only where the batch is one read ({@link #loneRead}) and
     * while no call waits behind it: a quiet sitting (2026-12-07 06:29-06:49, 1 MiB reads, 64 KiB chunks) found a
     * lone reader 11-17 % faster so, and 64 readers 3-9 % slower when every run was copied this way, for a reason
     * not taken apart (both CPUs were busy copying); with the check, 64 readers' figure was within its noise.
     */
    private int copyRun(int from, int to) {
        if (!loneRead || !(entries[from].view() instanceof ReadMapping mapping)) {
            return from;
        }
        int fd = entries[from].kernelFd();
        for (int k = from; k < to; k++) {
            if (worker.hasQueuedBehind()) {
                loneRead = false;
                return k;
            }
            long n = mapping.copy(fd, addresses[k], counts[k], offsets[k]);
            if (n == ReadMapping.NOT_SERVED) {
                return k; // past the known size, or due for its check: the kernel's answer is the truth
            }
            figures.readMapped();
            complete(k, n);
        }
        return to;
    }

    /** Whether the batch is one large read's chunks: reads that make one run (see {@link #runEnd}), and no more. */
    private boolean isOneRead() {
        return size > 0 && ops[0] == Op.READ && runEnd(0, Long.MAX_VALUE) == size;
    }

    /** preadv or pwritev of calls {@code [from, to)}, one iovec per call's chunk: the bytes moved, or -errno. */
    private long vectored(int from, int to) {
        for (int k = from; k < to; k++) {
            iovecs.set(JAVA_LONG, IOVEC_BYTES * (k - from), addresses[k]);
            iovecs.set(JAVA_LONG, IOVEC_BYTES * (k - from) + 8, counts[k]);
        }
        submissions++;
        return Linux.syscallErrno(ops[from] == Op.READ ? StorageSyscalls.SYS_PREADV : StorageSyscalls.SYS_PWRITEV,
                entries[from].kernelFd(), iovecs.address(), to - from, offsets[from], 0, 0);
    }

    /**
     * Answers calls {@code [from, to)} of one run from its result {@code n}: each call the bytes of its own chunk
     * among the first {@code n} (a short run, at the end of the file, answers its later chunks 0, as their own
     * preads would), or every call the error.
     */
    private void answerRun(int from, int to, long n) {
        long start = 0;
        for (int k = from; k < to; k++) {
            answer(k, n < 0 ? n : Math.min(Math.max(n - start, 0), counts[k]));
            start += counts[k];
        }
    }

    /**
     * Submits the {@code n} reads and writes prepared and reaps until each has completed, or the ring failed (then
     * closed). Fsyncs in flight that complete meanwhile are answered too.
     */
    private void submitAndReap(int n) {
        pending = n;
        while (pending > 0 && ring != null) {
            int r = ring.submitAndWait(pending);
            submissions++;
            if (failedOn(r)) {
                return;
            }
            reap();
        }
    }

    /**
     * After a ring failure: every call not yet answered, reads and writes first; then the forces, gathered or in
     * the groups (their fsyncs were cancelled with the ring, or their answers lost with it), one fsync per
     * descriptor answering all of its forces.
     */
    private void answerSynchronously() {
        for (int i = 0; i < size; i++) {
            if (calls[i] != null && !ops[i].isSync()) {
                answer(i, executeSync(i));
            }
        }
        for (int i = 0; i < size; i++) {
            if (calls[i] != null) {
                forceGroups[forceGroup(entries[i].kernelFd())].add(
                        new ForceGroup.Force(calls[i], tables[i], entries[i]), ops[i] == Op.FDATASYNC);
                forget(i);
            }
        }
        syncsInFlight = 0;
        for (int k = 0; k < forceGroups.length; k++) {
            ForceGroup g = forceGroups[k];
            if (g != null) {
                boolean dataOnly = g.allDataOnly();
                List<ForceGroup.Force> forces = g.takeAll();
                forceGroups[k] = null;
                if (!forces.isEmpty()) {
                    answerForces(forces, syncNow(g.kernelFd(), dataOnly));
                }
            }
        }
        size = 0;
        transfers = 0;
    }

    private void onCompletion(long userData, int result) {
        if (userData == RING_WAIT_USER_DATA) {
            ringWaitPending = false;
            if (result == -Errno.EINVAL) {
                futexWaits = false; // a kernel before 6.7: no IORING_OP_FUTEX_WAIT
            }
            return;
        }
        if (userData == RING_WAIT_CANCEL_USER_DATA) {
            return;
        }
        if (userData >= SYNC_USER_DATA) {
            syncCompleted(userData - SYNC_USER_DATA, result);
            return;
        }
        int i = (int) userData;
        if (i < 0 || i >= size || calls[i] == null) {
            return; // not ours (cannot happen: only this thread prepares entries)
        }
        pending--;
        answer(i, result == -Errno.EAGAIN ? executeSync(i) : result);
    }

    /**
     * Group {@code k}'s fsync completed with {@code result}: it answers the forces it was issued for, and the
     * forces that came while it ran go out in the next fsync once the reap is over (their writes completed before
     * they joined the group).
     */
    private void syncCompleted(long k, int result) {
        ForceGroup g = k < forceGroups.length ? forceGroups[(int) k] : null;
        if (g == null || !g.syncInFlight()) {
            return; // not ours (cannot happen: only this thread prepares entries)
        }
        syncsInFlight--;
        boolean dataOnly = g.inFlightDataOnly();
        answerForces(g.takeInFlight(), result == -Errno.EAGAIN ? syncNow(g.kernelFd(), dataOnly) : result);
        if (g.hasWaiting()) {
            issueDue = true; // issued once the reap is over (see issueWaiting)
        } else {
            forceGroups[(int) k] = null;
        }
    }

    /**
     * Answers each of {@code forces} with {@code result} and releases its descriptor. Counted before the first
     * answer goes out: a client that reads the figures after its force answered finds its force in them.
     */
    private void answerForces(List<ForceGroup.Force> forces, long result) {
        figures.forcesAnswered(forces.size());
        for (ForceGroup.Force f : forces) {
            f.call().complete(result);
            f.table().release(f.entry());
        }
    }

    private void answer(int i, long result) {
        if (ops[i] == Op.READ) {
            figures.readTrapped();
        }
        complete(i, result);
    }

    /** Answers call {@code i} with {@code result} and lets its descriptor go. */
    private void complete(int i, long result) {
        if (syncsInFlight > 0) {
            figures.answeredBesideSync();
        }
        calls[i].complete(result);
        tables[i].release(entries[i]);
        forget(i);
    }

    /** Call {@code i} is answered, or in a force group now: the batch no longer holds it. */
    private void forget(int i) {
        calls[i] = null;
        tables[i] = null;
        entries[i] = null;
    }

    private long executeSync(int i) {
        int fd = entries[i].kernelFd();
        return ops[i] == Op.READ
                ? Linux.syscallErrno(StorageSyscalls.SYS_PREAD64, fd, addresses[i], counts[i], offsets[i], 0, 0)
                : Linux.syscallErrno(StorageSyscalls.SYS_PWRITE64, fd, addresses[i], counts[i], offsets[i], 0, 0);
    }

    /** An fsync (or fdatasync) of kernel descriptor {@code fd} as a system call. */
    private long syncNow(int fd, boolean dataOnly) {
        figures.syncIssued();
        return dataOnly ? StorageSyscalls.fdatasync(fd) : StorageSyscalls.fsync(fd);
    }

    /** Flushes, then waits for every fsync in flight and answers its forces, before the ring goes. */
    @Override
    public void close() {
        flush();
        while (syncsInFlight > 0 && ring != null) {
            int r = ring.submitAndWait(1);
            if (!failedOn(r)) {
                reap();
            }
        }
        if (ring == null) {
            answerSynchronously();
        }
        if (ring != null) {
            ring.close();
            ring = null;
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
