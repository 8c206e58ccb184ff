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
 * calls on a descriptor in queue order, as a synchronous worker does.
 *
 * <p><b>Group commit.</b> Forces never go beside reads and writes: a flush runs in two steps. First every read and
 * write gathered is submitted (in waves, see {@link #submitWave}) and <em>all</em> of them complete; then one fsync
 * per kernel descriptor that has forces in the batch is submitted, and its result answers every force of that
 * descriptor. So each force runs after every write queued before it (and possibly after writes queued after it,
 * which a force may cover too, as a concurrent caller's write may be covered by a native fsync), and 64 clients'
 * forces of one descriptor cost one fsync. The unit is the open file description (the kernel descriptor), not the
 * inode: since Linux 4.13 a writeback error is reported once to each open file description (errseq), so an fsync
 * through another description of the same file could answer 0 where this one's own fsync would answer EIO. Through
 * one description, the merged fsync reports an error to every force it answers, which is at least what each would
 * have seen alone. An fdatasync may be answered by an fsync (it does more), never the reverse: a group is issued as
 * fdatasync only when all its forces are.
 *
 * <p><b>Durability.</b> A call is answered from its completion only: a write is acknowledged once the kernel has
 * performed it, never when it was queued; a force once its fsync, issued after the writes it covers completed, has
 * completed. A domain killed with a batch in flight leaves those calls unanswered, and their clients fail them (the
 * ring's failure semantics); nothing acknowledged was still in the batch.
 *
 * <p>The io_uring is made on the first call gathered, on the worker's thread (it is single-issuer); where the kernel
 * refuses one (old, or turned off), the batch stays empty and every call takes the synchronous path.
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
    private static final long GROUP_USER_DATA = ENTRIES;
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
    /** A force's group (an index into the group arrays); -1 for a read or a write. */
    private final int[] groupOf = new int[ENTRIES];
    /** Each force group's kernel descriptor, and whether every force in it is an fdatasync. */
    private final int[] groupFds = new int[ENTRIES];
    private final boolean[] groupDataOnly = new boolean[ENTRIES];
    /** The iovecs of one run's preadv or pwritev (see {@link #runEnd}); the worker's alone. */
    private final Arena arena = Arena.ofShared();
    private final MemorySegment iovecs = arena.allocate(IOVEC_BYTES * ENTRIES, 8);
    private IoUring ring;
    private boolean unavailable;
    private int size;
    /** Reads and writes gathered: the first step of a flush. */
    private int transfers;
    private int groups;
    /** Operations submitted in the current step of a flush and not yet reaped. */
    private int pending;
    /** Calls gathered, and flushes: their ratio is the mean batch, for tests and figures. */
    long gathered;
    long flushes;
    /**
     * System calls that handed gathered calls to the kernel (io_uring_enter, or a run's preadv or pwritev): the
     * domain's figure (see {@link #submissions()}).
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
        int i = size;
        if (op.isSync()) {
            int g = group(entry.kernelFd());
            groupDataOnly[g] &= op == Op.FDATASYNC;
            groupOf[i] = g;
        } else {
            groupOf[i] = -1;
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

    /** The force group of kernel descriptor {@code fd}, made (as fdatasync-only until an fsync joins) if new. */
    private int group(int fd) {
        for (int g = 0; g < groups; g++) {
            if (groupFds[g] == fd) {
                return g;
            }
        }
        groupFds[groups] = fd;
        groupDataOnly[groups] = true;
        return groups++;
    }

    /**
     * Whether a read or write ({@code op}) on {@code entry}'s descriptor, over {@code [offset, offset + count)},
     * must not run beside the reads and writes the batch holds (see the class comment). Forces never conflict: they
     * run in the flush's second step, after all of these.
     */
    private boolean conflicts(DescriptorTable.Entry entry, Op op, long offset, int count) {
        int fd = entry.kernelFd();
        for (int i = 0; i < size; i++) {
            if (groupOf[i] >= 0 || entries[i].kernelFd() != fd || op == Op.READ && ops[i] == Op.READ) {
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
     * Executes what was gathered in two steps, each submitted and waited out: the reads and writes, in waves of
     * about {@link #WAVE_BYTES}, each answered from its own completion as it is reaped; then one fsync (or
     * fdatasync) per force group, whose result answers every force of the group. A call the kernel answers EAGAIN
     * (a descriptor it will not wait on) is executed synchronously instead. Should the ring itself fail, it is
     * closed (so that nothing it holds can run later) and the calls it did not answer are executed synchronously,
     * writes before forces: a write may then run twice, with the same bytes at the same offset.
     */
    @Override
    public void flush() {
        if (size == 0) {
            return;
        }
        flushes++;
        int next = 0;
        while (transfers > 0 && next < size && ring != null) {
            next = submitWave(next);
        }
        if (groups > 0 && ring != null) {
            for (int g = 0; g < groups; g++) {
                if (!ring.prepareFsync(groupFds[g], groupDataOnly[g], GROUP_USER_DATA + g)) {
                    throw new IllegalStateException("io_uring queue full with " + g + " of " + groups + " syncs");
                }
                figures.syncIssued();
            }
            submitAndReap(groups);
        }
        if (ring == null) {
            answerSynchronously();
        }
        size = 0;
        transfers = 0;
        groups = 0;
    }

    /**
     * Executes the reads and writes from call {@code from} on until they hold {@link #WAVE_BYTES} (a run of one
     * large read's chunks as one preadv, see {@link #runEnd}; the others in one io_uring_enter) and answers each as
     * it completes; returns the index of the first call not taken. So the domain reads chunk k + 1
     * while its client copies chunk k out of the shared area: a page-cached read completes inside io_uring_enter,
     * and a batch submitted whole would answer its first chunk only once its last was read.
     */
    private int submitWave(int from) {
        int wave = 0;
        long bytes = 0;
        int i = from;
        while (i < size && bytes < WAVE_BYTES) {
            if (groupOf[i] >= 0) {
                i++;
                continue;
            }
            int end = runEnd(i, WAVE_BYTES - bytes);
            for (int k = i; k < end; k++) {
                bytes += counts[k];
            }
            if (end - i > 1) {
                answerRun(i, end, vectored(i, end));
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
        while (j < size && bytes < room && groupOf[j] < 0 && ops[j] == ops[i] && entries[j].kernelFd() == fd
                && offsets[j] == offsets[j - 1] + counts[j - 1]) {
            bytes += counts[j];
            j++;
        }
        return j;
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

    /** Submits the {@code n} entries prepared and reaps until each has completed, or the ring failed (then closed). */
    private void submitAndReap(int n) {
        pending = n;
        while (pending > 0) {
            int r = ring.submitAndWait(pending);
            submissions++;
            if (r < 0 && r != -Errno.EAGAIN && r != -Errno.EBUSY) {
                LOG.log(Level.WARNING, "io_uring_enter failed ({0}); answering the batch synchronously",
                        Errno.name(-r));
                ring.close();
                ring = null;
                unavailable = true;
                return;
            }
            ring.reap(this::onCompletion);
        }
    }

    /** After a ring failure: every call not yet answered, reads and writes first, then each force group once. */
    private void answerSynchronously() {
        for (int i = 0; i < size; i++) {
            if (calls[i] != null && groupOf[i] < 0) {
                answer(i, executeSync(i));
            }
        }
        for (int g = 0; g < groups; g++) {
            for (int i = 0; i < size; i++) {
                if (groupOf[i] == g && calls[i] != null) {
                    answerGroup(g, syncNow(g)); // a group the ring answered before it failed is not synced again
                    break;
                }
            }
        }
    }

    private void onCompletion(long userData, int result) {
        if (userData >= GROUP_USER_DATA && userData < GROUP_USER_DATA + groups) {
            int g = (int) (userData - GROUP_USER_DATA);
            pending--;
            answerGroup(g, result == -Errno.EAGAIN ? syncNow(g) : result);
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
     * Answers every force of group {@code g} still unanswered with {@code result}. Counted before the first answer
     * goes out: a client that reads the figures after its force answered finds its force in them.
     */
    private void answerGroup(int g, long result) {
        int unanswered = 0;
        for (int i = 0; i < size; i++) {
            if (groupOf[i] == g && calls[i] != null) {
                unanswered++;
            }
        }
        figures.forcesAnswered(unanswered);
        for (int i = 0; i < size; i++) {
            if (groupOf[i] == g && calls[i] != null) {
                answer(i, result);
            }
        }
    }

    private void answer(int i, long result) {
        if (ops[i] == Op.READ) {
            figures.readTrapped();
        }
        calls[i].complete(result);
        tables[i].release(entries[i]);
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

    /** Group {@code g}'s fsync (or fdatasync) as a system call. */
    private long syncNow(int g) {
        figures.syncIssued();
        return groupDataOnly[g] ? StorageSyscalls.fdatasync(groupFds[g]) : StorageSyscalls.fsync(groupFds[g]);
    }

    @Override
    public void close() {
        flush();
        if (ring != null) {
            ring.close();
            ring = null;
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
