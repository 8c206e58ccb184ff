package dev.vos.storage.domain;

import dev.vos.ring.server.CallBatcher;
import dev.vos.ring.server.DeferredCall;
import dev.vos.ring.server.ServerCall;
import dev.vos.sys.Errno;
import dev.vos.sys.IoUring;
import dev.vos.sys.IoUringUnavailableException;
import dev.vos.sys.Linux;

import java.lang.System.Logger.Level;

/**
 * One worker's batch of preads, pwrites, fsyncs and fdatasyncs, executed in one {@code io_uring_enter} when the
 * worker has drained its queue (see {@link CallBatcher}). Where the trap, not the copy, is what a 4 KiB read costs,
 * a batch of 32 pays about a third of 32 preads.
 *
 * <p><b>Order per descriptor.</b> The entries of one submission run concurrently in the kernel, so a call that must
 * follow another is never put beside it: on one kernel descriptor, a write beside a read or a write of an
 * overlapping range, an fsync beside anything, and a write on an O_APPEND descriptor beside another write (Linux
 * appends a pwrite there whatever its offset) first flush the batch. Reads go together, and so do writes of
 * disjoint ranges (the chunks of one large write). With the worker's flush before every call that does not batch,
 * a worker executes one client's calls on a descriptor in queue order, as a synchronous worker does.
 *
 * <p><b>Durability.</b> A call is answered from its completion only: a write is acknowledged once the kernel has
 * performed it, never when it was queued. A domain killed with a batch in flight leaves those calls unanswered,
 * and their clients fail them (the ring's failure semantics); nothing acknowledged was still in the batch.
 *
 * <p>The io_uring is made on the first call gathered, on the worker's thread (it is single-issuer); where the kernel
 * refuses one (old, or turned off), the batch stays empty and every call takes the synchronous path.
 */
final class StorageBatch implements CallBatcher {

    private static final System.Logger LOG = System.getLogger(StorageBatch.class.getName());
    /** Entries of the submission queue: the most calls one trap carries. */
    static final int ENTRIES = 64;
    private static volatile boolean loggedUnavailable;

    /** What a gathered call does. */
    enum Op {
        READ, WRITE, FSYNC, FDATASYNC
    }

    private final DeferredCall[] calls = new DeferredCall[ENTRIES];
    private final DescriptorTable[] tables = new DescriptorTable[ENTRIES];
    private final DescriptorTable.Entry[] entries = new DescriptorTable.Entry[ENTRIES];
    private final Op[] ops = new Op[ENTRIES];
    private final long[] addresses = new long[ENTRIES];
    private final int[] counts = new int[ENTRIES];
    private final long[] offsets = new long[ENTRIES];
    private IoUring ring;
    private boolean unavailable;
    private int size;
    private int answered;
    /** Calls gathered, and flushes: their ratio is the mean batch, for tests and figures. */
    long gathered;
    long flushes;
    /** io_uring_enter calls that submitted gathered calls: the domain's figure (see {@link #submissions()}). */
    private long submissions;

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
     * {@code call}; false when no io_uring could be made (the caller then executes the call itself).
     */
    boolean gather(ServerCall call, DescriptorTable table, DescriptorTable.Entry entry, Op op, long address,
                   int count, long offset) {
        if (ring == null && !open()) {
            return false;
        }
        if (size == ENTRIES || conflicts(entry, op, offset, count)) {
            flush();
        }
        int i = size;
        boolean prepared = switch (op) {
            case READ -> ring.prepareRead(entry.kernelFd(), address, count, offset, i);
            case WRITE -> ring.prepareWrite(entry.kernelFd(), address, count, offset, i);
            case FSYNC -> ring.prepareFsync(entry.kernelFd(), false, i);
            case FDATASYNC -> ring.prepareFsync(entry.kernelFd(), true, i);
        };
        if (!prepared) {
            throw new IllegalStateException("io_uring queue full with " + size + " of " + ENTRIES + " gathered");
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

    /**
     * Whether {@code op} on {@code entry}'s descriptor, over {@code [offset, offset + count)}, must not run beside
     * what the batch holds (see the class comment).
     */
    private boolean conflicts(DescriptorTable.Entry entry, Op op, long offset, int count) {
        int fd = entry.kernelFd();
        for (int i = 0; i < size; i++) {
            if (entries[i].kernelFd() != fd || op == Op.READ && ops[i] == Op.READ) {
                continue;
            }
            boolean sync = op == Op.FSYNC || op == Op.FDATASYNC || ops[i] == Op.FSYNC || ops[i] == Op.FDATASYNC;
            boolean appends = entry.append() && op == Op.WRITE && ops[i] == Op.WRITE;
            boolean overlap = offset < offsets[i] + counts[i] && offsets[i] < offset + count;
            if (sync || appends || overlap) {
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
     * Submits what was gathered and waits for every completion; answers each call from its completion. A call the
     * kernel answers EAGAIN (a descriptor it will not wait on) is executed synchronously instead. Should the ring
     * itself fail, it is closed (so that nothing it holds can run later) and the calls it did not answer are
     * executed synchronously: a write may then run twice, with the same bytes at the same offset.
     */
    @Override
    public void flush() {
        if (size == 0) {
            return;
        }
        flushes++;
        answered = 0;
        while (answered < size) {
            int r = ring.submitAndWait(size - answered);
            submissions++;
            if (r < 0 && r != -Errno.EAGAIN && r != -Errno.EBUSY) {
                LOG.log(Level.WARNING, "io_uring_enter failed ({0}); answering the batch synchronously",
                        Errno.name(-r));
                ring.close();
                ring = null;
                unavailable = true;
                for (int i = 0; i < size; i++) {
                    if (calls[i] != null) {
                        answer(i, executeSync(i));
                    }
                }
                break;
            }
            ring.reap(this::onCompletion);
        }
        size = 0;
    }

    private void onCompletion(long userData, int result) {
        int i = (int) userData;
        if (i < 0 || i >= size || calls[i] == null) {
            return; // not ours (cannot happen: only this thread prepares entries)
        }
        answer(i, result == -Errno.EAGAIN ? executeSync(i) : result);
    }

    private void answer(int i, long result) {
        calls[i].complete(result);
        tables[i].release(entries[i]);
        calls[i] = null;
        tables[i] = null;
        entries[i] = null;
        answered++;
    }

    private long executeSync(int i) {
        int fd = entries[i].kernelFd();
        return switch (ops[i]) {
            case READ -> Linux.syscallErrno(StorageSyscalls.SYS_PREAD64, fd, addresses[i], counts[i], offsets[i], 0, 0);
            case WRITE -> Linux.syscallErrno(StorageSyscalls.SYS_PWRITE64, fd, addresses[i], counts[i], offsets[i],
                    0, 0);
            case FSYNC -> StorageSyscalls.fsync(fd);
            case FDATASYNC -> StorageSyscalls.fdatasync(fd);
        };
    }

    @Override
    public void close() {
        flush();
        if (ring != null) {
            ring.close();
            ring = null;
        }
    }
}
