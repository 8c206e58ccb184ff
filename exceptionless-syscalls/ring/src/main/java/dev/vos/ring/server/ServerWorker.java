package dev.vos.ring.server;

import dev.vos.ring.ProcStat;
import dev.vos.ring.RingSegment;
import dev.vos.ring.SubmitQueue;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.layout.SlotLayout;
import dev.vos.ring.transport.Doorbell;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.vos.ring.layout.HeaderLayout.AWAKE_WORKERS_OFFSET;

/**
 * One polling worker: takes slot indices off the submission queue, executes each call, completes its slot. After
 * {@code idleSpinNs} without work it sleeps on the server side's doorbell, and a client rings it only when no worker
 * is awake. Every slot it reads is untrusted: a slot not in state SUBMITTED is counted and dropped, an unknown call
 * number answers {@code ENOSYS}, and a handler that throws answers {@code EIO}; nothing a client writes can stop
 * the worker.
 *
 * <p>With a table that batches ({@link CallTable.Builder#batcher}), the worker drains: it serves every call already
 * queued, letting batching handlers gather theirs, and flushes the batch once the queue shows nothing more (or
 * before a call that does not batch). A call found alone takes the handler's synchronous path, so that one client
 * alone pays nothing for batching. Calls a flush left in flight ({@link CallBatcher#awaitsCompletions}) are
 * answered after each drain (a look, no wait) and, every {@link #IDLE_POLL_ROUNDS} empty polls, by a sleep in the
 * kernel that ends when one completes or a client rings ({@link #sleepInFlight}; where the transport or the kernel
 * cannot, a wait of at most {@link #IN_FLIGHT_WAIT_NS} counted awake). It does not spin because their work runs on
 * the kernel's threads, which share its CPU (an io_uring's workers inherit the affinity of the thread that made
 * it): spinning beside an fsync made it slower, and a lone client's forced writes fell to half (2026-12-05, see
 * docs/storage.md).
 */
final class ServerWorker implements Runnable {

    private static final System.Logger LOG = System.getLogger(ServerWorker.class.getName());
    /** Upper bound of one sleep on the doorbell, so that a stopping server is noticed even without a wake. */
    private static final long MAX_SLEEP_NS = 100_000_000L;
    /**
     * Empty polls of the queue between two looks at the clock (and at the table's {@link IdlePoll}): a power of
     * two. Spinning 64 times costs well under a microsecond, about what one trap of an idle poll does.
     */
    static final int IDLE_POLL_ROUNDS = 64;
    /**
     * Where the worker cannot sleep through calls in flight ({@link #sleepInFlight}), the longest it waits in the
     * kernel for one of them each time it finds its queue empty, instead of spinning: a client that submits
     * meanwhile does not ring it (it counts as awake) and waits at most this. A tenth of a 1 ms fsync.
     */
    static final long IN_FLIGHT_WAIT_NS = 100_000L;
    private static final VarHandle CALL_SEQUENCE;
    /** What {@link #execute} returns for a handler that threw (then answered EIO); no handler returns it. */
    private static final long HANDLER_THREW = Long.MIN_VALUE + 1;

    static {
        try {
            CALL_SEQUENCE = MethodHandles.lookup().findVarHandle(ServerWorker.class, "callSequence", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Numbers workers across every server of this process: how a stuck one is named in STUCK_WORKER and logs. */
    private static final AtomicInteger IDS = new AtomicInteger();

    private final RingServer server;
    private final RingSegment segment;
    /** The server side's doorbell: this worker sleeps on it, and rings the client through it. */
    private final Doorbell doorbell;
    private final RingGeometry geometry;
    private final SubmitQueue queue;
    private final CallTable table;
    private final ServerCall call;
    /** This worker's batch, or null when the table has none. */
    private final CallBatcher batcher;
    private final IdlePoll idlePoll;
    private final long idleSpinNs;
    private final int cpu;
    /** The only worker of its server: it takes calls without the compare-and-sets that arbitrate between workers. */
    private final boolean alone;
    /** Whether the batch can sleep on the doorbell's word with calls in flight; false once it said it cannot. */
    private boolean sleepsInFlight = true;

    // Counters owned by this worker; readers sum them racily (they only grow, and a long is read whole on x86_64).
    long callsServed;
    long protocolErrors;
    long clientWakeups;
    /** Calls handlers deferred (answered later, through {@link DeferredCall}). */
    long callsDeferred;
    /** Batch flushes: with {@link #callsDeferred}, the mean calls per trap of a batching domain. */
    long batchFlushes;
    /** Sleeps of this worker that a futex wake ended (counted here: the header's WORKER_WAKEUPS is the client's). */
    long workerWakeups;
    final long[] callsByNumber;
    /** What this worker's calls answered, counted on its thread (deferred ones completed elsewhere: the server's). */
    final ResultCounter results = new ResultCounter();
    final long[] serviceTimeBuckets = new long[ServiceTimes.BUCKETS];
    long serviceTimeSumNs;
    long serviceTimeSamples;

    /**
     * The worker's progress word, read by the heartbeat thread ({@link WorkerWatch}): odd while the worker is inside
     * a call, even between calls; +1 on entering a call and +1 on leaving it, each a release store (a plain store on
     * x86: no fence on the hot path), so that {@link #callNumber} written before it is seen with it.
     */
    @SuppressWarnings("unused") // through CALL_SEQUENCE
    private long callSequence;
    /** The call the worker is inside, while {@link #callSequence} is odd. */
    int callNumber;
    /** This worker's thread's {@code /proc/PID/task/TID}, set when it starts, or null if there is none. */
    volatile Path threadDirectory;
    /** This worker's thread, once it runs. */
    volatile Thread thread;
    /** This worker's number in this process, from 0. */
    final int id = IDS.getAndIncrement();

    ServerWorker(RingServer server, RingSegment segment, Doorbell doorbell, RingGeometry geometry, CallTable table,
                 long idleSpinNs, int cpu) {
        this.server = server;
        this.segment = segment;
        this.doorbell = doorbell;
        this.geometry = geometry;
        this.queue = new SubmitQueue(segment, geometry);
        this.table = table;
        this.call = new ServerCall(server, segment, geometry, server.sessionState());
        this.idleSpinNs = idleSpinNs;
        this.cpu = cpu;
        this.alone = !server.wakePeers();
        this.callsByNumber = new long[table.size()];
        this.batcher = table.newBatcher();
        this.idlePoll = table.newIdlePoll();
        this.call.attachWorker(this, queue, batcher, alone);
    }

    /** The server side's doorbell (a deferred call of this worker rings the client through it). */
    Doorbell doorbell() {
        return doorbell;
    }

    /** Whether the call this worker is inside may wait as long as it likes (see {@link CallTable#mayWait}). */
    boolean mayWait(int number) {
        return table.mayWait(number);
    }

    /** The name of call {@code number} in this worker's table. */
    String callName(int number) {
        return table.name(number);
    }

    /**
     * Counts the answer of a deferred call of this worker: here when it completes on this worker's thread (its
     * batch flush), else in the server's own counter, under its lock (an event loop's thread).
     */
    void countCompletion(int number, long result) {
        if (Thread.currentThread() == thread) {
            results.count(table.transfer(number), result);
        } else {
            server.countElsewhere(table.transfer(number), result);
        }
    }

    /** This worker's figures now (racy reads of counters that only grow); {@code inFlight} is the server's. */
    ServerStats stats() {
        return new ServerStats(callsServed, protocolErrors, workerWakeups, clientWakeups, 0, callsByNumber.clone(),
                serviceTimeBuckets.clone(), serviceTimeSumNs, results.errorsByErrno.clone(), results.bytesRead,
                results.bytesWritten, callsDeferred, batcher == null ? 0 : batcher.submissions());
    }

    /** The progress word (see {@link #callSequence}), with acquire: {@link #callNumber} is at least as new. */
    long callSequence() {
        return (long) CALL_SEQUENCE.getAcquire(this);
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        threadDirectory = ProcStat.currentThreadDirectory().orElse(null);
        try {
            serveUntilStopped();
            flushBatch();
        } catch (InternalError e) {
            server.segmentFaulted("worker", e);
        } finally {
            if (batcher != null) {
                batcher.close();
            }
        }
    }

    /** Flushes the batch if it holds calls; a batcher that throws has failed its calls itself (see CallBatcher). */
    private void flushBatch() {
        if (batcher == null || batcher.isEmpty()) {
            return;
        }
        batchFlushes++;
        try {
            batcher.flush();
        } catch (RuntimeException e) {
            server.handlerFailed("batch flush", e);
        }
    }

    /**
     * Answers the batch's calls in flight that completed, waiting up to {@link #IN_FLIGHT_WAIT_NS} for one if
     * {@code wait}; returns whether calls were in flight. A batcher that throws has failed its calls itself.
     */
    private boolean reapInFlight(boolean wait) {
        if (batcher == null || !batcher.awaitsCompletions()) {
            return false;
        }
        try {
            if (!wait) {
                batcher.reapCompleted();
            } else if (!sleepInFlight()) {
                batcher.awaitCompletion(IN_FLIGHT_WAIT_NS);
            }
        } catch (RuntimeException e) {
            server.handlerFailed("batch reap", e);
        }
        return true;
    }

    private void serveUntilStopped() {
        if (cpu >= 0) {
            int r = Linux.pinCurrentThread(cpu);
            if (r < 0) {
                LOG.log(Level.WARNING, "cannot pin worker to CPU {0}: {1}", cpu, Errno.name(-r));
            }
        }
        long idleSince = 0;
        int idleRounds = 0;
        while (server.isRunning()) {
            int slot = alone ? queue.pollAlone() : queue.poll();
            if (slot >= 0) {
                serve(slot);
                if (batcher != null && !queue.hasPublished()) {
                    flushBatch(); // drained: what was gathered goes to the kernel in one trap
                    reapInFlight(false);
                }
                idleSince = 0;
                continue;
            }
            if (slot == SubmitQueue.INVALID) {
                protocolErrors++;
                continue;
            }
            if (batcher != null && !batcher.isEmpty()) {
                // The batch was kept open for a call seen published behind the last one, and another worker took
                // that call: nothing else would flush it, and its callers would wait for this worker's next call.
                flushBatch();
                reapInFlight(false);
                continue;
            }
            Thread.onSpinWait();
            if ((++idleRounds & (IDLE_POLL_ROUNDS - 1)) != 0) {
                continue;
            }
            if (idlePoll != null) {
                idlePoll.poll();
            }
            // Calls in flight: wait for them in the kernel rather than spin. Their work runs on the kernel's
            // threads, which share this worker's CPU (an io_uring's workers inherit its affinity): a worker that
            // spins meanwhile takes the CPU the fsync needs.
            if (reapInFlight(true) || idleSpinNs == Long.MAX_VALUE) {
                continue;
            }
            long now = System.nanoTime();
            if (idleSince == 0) {
                idleSince = now;
            } else if (now - idleSince > idleSpinNs) {
                sleep();
                idleSince = 0;
            }
        }
    }

    /**
     * With calls in flight and the queue empty: sleeps until one of them completes or a client rings, counted asleep
     * as in {@link #sleep} (the same handshake), the batch's kernel wait watching both (its io_uring waits on the
     * doorbell's futex word beside the fsyncs). So the worker neither spins through an fsync nor leaves a client's
     * call waiting for it. False, without sleeping, where the doorbell is no futex word (the Xen transport) or the
     * batch cannot wait on one; the worker then waits at most {@link #IN_FLIGHT_WAIT_NS} counted awake.
     */
    private boolean sleepInFlight() {
        long word = doorbell.sleepWordAddress();
        if (!sleepsInFlight || word == 0) {
            return false;
        }
        sleepCounted(armed -> {
            sleepsInFlight = batcher.awaitCompletionOrRing(word, armed, MAX_SLEEP_NS);
            return false; // a ring and a completion end it alike: not told apart, not counted
        });
        return true;
    }

    /** Sleeps until a client rings this worker: {@link #sleepCounted} on the doorbell. */
    private void sleep() {
        sleepCounted(armed -> doorbell.await(armed, MAX_SLEEP_NS));
    }

    /** How a worker counted asleep waits once its last poll found nothing; true when a ring ended the wait. */
    @FunctionalInterface
    private interface Wait {
        boolean await(int armed);
    }

    /**
     * Waits counted asleep, then serves what its last poll found. The handshake with {@code RingClient}: the worker
     * arms the doorbell, then decrements AWAKE_WORKERS, then a full fence, then polls once more; a client publishes
     * its cell (a full fence), then reads AWAKE_WORKERS, and if it is 0 rings. Either the worker's last poll sees the
     * cell, or the client sees 0 awake workers; a ring between the arming and the wait makes the wait return at once.
     */
    private void sleepCounted(Wait wait) {
        int armed = doorbell.arm();
        segment.getAndAddInt(AWAKE_WORKERS_OFFSET, -1);
        VarHandle.fullFence(); // StoreLoad: the decrement before the re-poll (the cell is read with acquire)
        int slot = alone ? queue.pollAlone() : queue.poll();
        try {
            if (slot == SubmitQueue.EMPTY && server.isRunning()) {
                if (idlePoll != null) {
                    idlePoll.workerSleeps(); // its polls stop here: the domain's own waiter must take over
                }
                if (wait.await(armed)) {
                    workerWakeups++;
                }
            }
        } finally {
            segment.getAndAddInt(AWAKE_WORKERS_OFFSET, 1);
        }
        if (slot >= 0) {
            serve(slot);
            flushBatch();
        } else if (slot == SubmitQueue.INVALID) {
            protocolErrors++;
        }
    }

    private void serve(int slot) {
        long slotOffset = geometry.slotOffset(slot);
        long control = segment.getLongAcquire(slotOffset);
        if (SlotLayout.state(control) != SlotLayout.SUBMITTED) {
            protocolErrors++;
            return;
        }
        // Several workers race for a slot (a duplicated queue entry): the compare-and-set to ACCEPTED decides.
        // A sole worker serves entries one at a time, in order, so a duplicate finds its slot COMPLETE (or already
        // submitted again, and then serves that call once): it skips the marking and its two coherence steps.
        if (!alone && !segment.compareAndSetLong(slotOffset, control,
                SlotLayout.withState(control, SlotLayout.ACCEPTED))) {
            protocolErrors++;
            return;
        }
        if (server.wakePeers() && queue.hasPublished()) {
            server.wakeOneWorker();
        }
        int callNumber = SlotLayout.callNumber(control);
        if (batcher != null && !table.batched(callNumber)) {
            flushBatch(); // queue order: what was gathered before this call is done before it
        }
        call.load(slot, slotOffset, control);
        boolean timed = (callsServed & (ServiceTimes.SAMPLE_EVERY - 1)) == 0;
        long start = timed ? System.nanoTime() : 0;
        long sequence = (long) CALL_SEQUENCE.get(this);
        this.callNumber = callNumber;
        CALL_SEQUENCE.setRelease(this, sequence + 1); // inside a call
        long result = execute(callNumber);
        CALL_SEQUENCE.setRelease(this, sequence + 2); // out of it
        if (timed) {
            long ns = System.nanoTime() - start;
            serviceTimeBuckets[ServiceTimes.bucket(ns)]++;
            serviceTimeSumNs += ns;
            serviceTimeSamples++;
        }
        if (callNumber < callsByNumber.length) {
            callsByNumber[callNumber]++;
        }
        callsServed++;
        DeferredCall deferred = call.deferredCall();
        if (deferred != null) {
            if (result == HANDLER_THREW) {
                deferred.complete(-Errno.EIO); // it threw after deferring: answer now, so the client never hangs
            }
            callsDeferred++; // its DeferredCall publishes the result and wakes the client (once: the first wins)
            return;
        }
        if (result == HANDLER_THREW) {
            result = -Errno.EIO;
        }
        results.count(table.transfer(callNumber), result); // the value published below, not read back from the slot
        if (DeferredCall.publish(segment, doorbell, slotOffset, geometry.parkWordOffset(slot), control, result)) {
            clientWakeups++;
        }
    }

    private long execute(int callNumber) {
        CallHandler handler = table.handler(callNumber);
        if (handler == null) {
            return -Errno.ENOSYS;
        }
        try {
            return handler.handle(call);
        } catch (Throwable t) {
            server.handlerFailed(table.name(callNumber), t);
            return HANDLER_THREW;
        }
    }
}
