package dev.vos.storage.domain;

import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.KindFigure;

import java.util.concurrent.atomic.LongAdder;

/**
 * The storage domain's own figures, all sessions together (one per agent, shared by its handlers and every worker's
 * {@link StorageBatch}): what the ring cannot count because it is not a call's result. The forces answered against
 * the fsyncs issued for them is what shows group commit at work ({@link StorageBatch}): one fsync answering the
 * forces of many clients of one descriptor. Reads mapped against reads trapped shows how many preads cost no system
 * call ({@link ReadMapping}). Calls answered beside a sync show forces off the worker's path: reads and writes it
 * served while an fsync it had issued was in flight. LongAdder, because every worker counts and the supervisor's
 * {@code STATS} reads from another thread.
 */
final class StorageFigures {

    private final LongAdder forces = new LongAdder();
    private final LongAdder syncsIssued = new LongAdder();
    private final LongAdder readsMapped = new LongAdder();
    private final LongAdder readsTrapped = new LongAdder();
    private final LongAdder besideSync = new LongAdder();

    /** Registers the figures with {@code table}. */
    void register(CallTable.Builder table) {
        table.figure(KindFigure.STORAGE_FORCES, forces::sum)
                .figure(KindFigure.STORAGE_SYNCS_ISSUED, syncsIssued::sum)
                .figure(KindFigure.STORAGE_READS_MAPPED, readsMapped::sum)
                .figure(KindFigure.STORAGE_READS_TRAPPED, readsTrapped::sum)
                .figure(KindFigure.STORAGE_CALLS_BESIDE_SYNC, besideSync::sum);
    }

    /** {@code n} fsync or fdatasync calls were answered. */
    void forcesAnswered(int n) {
        forces.add(n);
    }

    /** One fsync or fdatasync went to the kernel (a system call, or an io_uring operation). */
    void syncIssued() {
        syncsIssued.increment();
    }

    /** A pread was answered by a copy from a mapping of the file, no system call. */
    void readMapped() {
        readsMapped.increment();
    }

    /** A pread was answered through the kernel (pread, or a batch's io_uring read or preadv). */
    void readTrapped() {
        readsTrapped.increment();
    }

    /** A pread or pwrite was answered while an fsync issued for a force was in flight. */
    void answeredBesideSync() {
        besideSync.increment();
    }

    long forces() {
        return forces.sum();
    }

    long syncsIssued() {
        return syncsIssued.sum();
    }
}
