package dev.vos.ring.client;

import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingFailure;
import dev.vos.ring.RingHeader;
import dev.vos.ring.RingSegment;
import dev.vos.ring.SegmentFiles;
import dev.vos.ring.SubmitQueue;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.layout.SlotLayout;
import dev.vos.ring.transport.Doorbell;
import dev.vos.ring.transport.Segment;
import dev.vos.ring.transport.SegmentMaker;
import dev.vos.ring.transport.Side;
import dev.vos.ring.transport.Transport;
import dev.vos.ring.transport.process.ProcessTransport;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import static dev.vos.ring.layout.HeaderLayout.*;

/**
 * The client side of one ring: creates the segment, hands out call slots to any number of platform or virtual
 * threads, and fails every call in flight when the domain dies, hangs or stops.
 *
 * <pre>{@code
 * try (RingClient ring = RingClient.create(SegmentFiles.path("demo", "1"), RingGeometry.DEFAULT, 1,
 *                                          WaitStrategy.busyPoll())) {
 *     // ... start a server on the same file ...
 *     ring.awaitServer(Duration.ofSeconds(10));
 *     long pid = ring.call(CoreCalls.GETPID);
 * }
 * }</pre>
 *
 * A client is bound to one generation of one domain. When that domain fails, the ring stays failed: the client
 * binds a fresh segment to the domain's next generation (the control plane's client runtime does this itself).
 *
 * <p>The client is written against the transport SPI ({@code dev.vos.ring.transport}): it lays the ring over a
 * {@link Segment}, wakes workers through its {@link Doorbell} and leaves a stale heartbeat to the transport's peer
 * watch. {@link #create(SegmentMaker, RingGeometry, long, WaitStrategy)} takes any transport's segments; {@link
 * #create(Path, RingGeometry, long, WaitStrategy)} and {@link #createSealed} are the process transport's, the
 * embedded default.
 */
public final class RingClient implements CallSource, AutoCloseable {

    /** How long {@link #close()} waits for threads still holding slots of a failed ring to let go. */
    public static final long CLOSE_DRAIN_MS = 2_000;

    private final Segment shared;
    private final RingSegment segment;
    private final Doorbell doorbell;
    private final RingGeometry geometry;
    private final long generation;
    private final WaitStrategy waitStrategy;
    private final SubmitQueue queue;
    private final CallSlot[] slots;
    private final SlotPool pool;
    private final Semaphore permits;
    private final ClientMonitor monitor;
    /** Whether platform-thread callers sleep on their slots' park words (the transport can wake a word). */
    private final boolean parkWords;
    /** The longest one sleep on a park word lasts before its caller looks again: the monitor's period. */
    private final long parkWordTimeoutNs;
    /** Sleeps on park words begun: the direct path's count, beside the monitor's unparks. */
    private final LongAdder parkWordSleeps = new LongAdder();
    private final AtomicReference<RingFailure> failure = new AtomicReference<>();
    private final CompletableFuture<RingFailure> failed = new CompletableFuture<>();
    /** Threads holding a slot right now; close() waits for them before it unmaps. */
    private final AtomicInteger holders = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean hasFailed;
    private volatile boolean serverSeen;

    private RingClient(Segment shared, RingGeometry geometry, long generation, WaitStrategy waitStrategy) {
        Transport transport = shared.transport();
        this.shared = shared;
        this.segment = RingSegment.view(shared.name(), shared.memory(), shared);
        this.doorbell = transport.doorbell(segment, Side.CLIENT);
        this.geometry = geometry;
        this.generation = generation;
        this.waitStrategy = waitStrategy;
        this.queue = new SubmitQueue(segment, geometry);
        this.slots = new CallSlot[geometry.slotCount()];
        for (int i = 0; i < slots.length; i++) {
            long chunk = geometry.dataChunkOffset(i);
            slots[i] = new CallSlot(this, segment, i, geometry.slotOffset(i), geometry.parkWordOffset(i),
                    segment.memory().asSlice(geometry.dataOffset() + chunk, geometry.dataBytesPerSlot()), chunk);
        }
        this.pool = new SlotPool(slots.length);
        // Fair: slots go in the order they were asked for. Unfair, a thread that released a batch took the slots
        // back before the waiter it had woken could run (on one carrier it always won), and a caller waiting for
        // one slot behind batches of 16 waited for minutes.
        this.permits = new Semaphore(slots.length, true);
        this.monitor = new ClientMonitor(this, segment, doorbell, transport.watchServer(segment,
                geometry.livenessTimeoutNs()), geometry);
        this.parkWords = doorbell.wakesWords();
        this.parkWordTimeoutNs = ClientMonitor.periodNs(geometry);
    }

    /**
     * Makes a segment of {@code geometry}'s size with {@code maker} (any transport's), formats it for {@code
     * geometry} and {@code generation}, and starts the client's monitor. The server maps the same segment by the
     * transport's own rendezvous. Takes the segment: it is closed if this fails, and when the client closes.
     */
    public static RingClient create(SegmentMaker maker, RingGeometry geometry, long generation,
                                    WaitStrategy waitStrategy) throws IOException {
        checkGeneration(generation);
        Segment shared = maker.create(geometry.segmentBytes());
        try {
            RingClient client = new RingClient(shared, geometry, generation, waitStrategy);
            RingHeader.format(client.segment, geometry, generation);
            client.monitor.start();
            return client;
        } catch (RuntimeException e) {
            shared.close();
            throw e;
        }
    }

    /**
     * The process transport's segment file at {@code file} (it must not exist; name it with {@link
     * SegmentFiles#path}): see {@link #create(SegmentMaker, RingGeometry, long, WaitStrategy)}. The server attaches
     * to the same file; the client deletes it when it closes.
     */
    public static RingClient create(Path file, RingGeometry geometry, long generation, WaitStrategy waitStrategy)
            throws IOException {
        return create(ProcessTransport.file(file), geometry, generation, waitStrategy);
    }

    /**
     * The process transport's sealed segment ({@link ProcessTransport#sealed}: a memfd no path names, whose size
     * cannot change): see {@link #create(SegmentMaker, RingGeometry, long, WaitStrategy)}. The server maps it from
     * the descriptor this client hands over ({@link #segmentDescriptor()}), as a domain agent's session does.
     */
    public static RingClient createSealed(String label, RingGeometry geometry, long generation,
                                          WaitStrategy waitStrategy) throws IOException {
        return create(ProcessTransport.sealed(label), geometry, generation, waitStrategy);
    }

    private static void checkGeneration(long generation) {
        if (generation < 1) {
            throw new IllegalArgumentException("generation=" + generation + ": generations count from 1");
        }
    }

    /** The shared bytes, as the transport made them. */
    public Segment sharedSegment() {
        return shared;
    }

    /** The process transport's segment file, or {@code null} for a sealed segment (which no path names). */
    public Path file() {
        return ProcessTransport.file(shared);
    }

    /** The segment's name for messages: its path, or {@code memfd:vos-LABEL}. */
    public String segmentName() {
        return segment.name();
    }

    /** The memfd of the process transport's sealed segment, for handing to its server; -1 for any other. */
    public int segmentDescriptor() {
        return ProcessTransport.descriptor(shared);
    }

    /** The geometry this ring was created with. */
    public RingGeometry geometry() {
        return geometry;
    }

    /** The domain generation this ring is bound to. */
    public long generation() {
        return generation;
    }

    /** How callers wait for their calls. */
    public WaitStrategy waitStrategy() {
        return waitStrategy;
    }

    /**
     * Waits until a server has attached and serves the ring.
     *
     * @throws DomainFailedException if none attached within {@code timeout}, or the ring failed meanwhile
     */
    public void awaitServer(Duration timeout) throws DomainFailedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!serverAttached()) {
            if (hasFailed) {
                throw failureFor(-1);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new DomainFailedException("no server attached to " + segment.name() + " (generation "
                        + generation + ") within " + timeout.toMillis() + " ms: is the domain running?", generation);
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DomainFailedException("interrupted while waiting for a server on " + segment.name(),
                        generation);
            }
        }
        serverSeen = true;
        checkUsable();
    }

    /**
     * Takes a free call slot, parking while all {@code slotCount} are in use.
     *
     * @throws DomainFailedException if the ring has failed (also when it fails while this thread waits)
     */
    @Override
    public CallSlot acquire() throws DomainFailedException {
        checkUsable();
        permits.acquireUninterruptibly();
        if (hasFailed) {
            permits.release();
            throw failureFor(-1);
        }
        CallSlot slot = slots[pool.pop()];
        holders.incrementAndGet();
        slot.hold();
        return slot;
    }

    /**
     * Takes {@code count} free call slots at once, or half the ring's slots if that is fewer (a batch may not starve
     * every other caller; {@link CallBatch#size()} says how many), parking until that many are free; all or none,
     * so that threads taking batches cannot each hold part of what the others wait for.
     *
     * @throws IllegalArgumentException if {@code count < 1}
     * @throws DomainFailedException if the ring has failed (also when it fails while this thread waits)
     */
    @Override
    public CallBatch acquireBatch(int wanted) throws DomainFailedException {
        if (wanted < 1) {
            throw new IllegalArgumentException("count=" + wanted + ": a batch takes at least one slot");
        }
        int count = Math.min(wanted, Math.max(1, slots.length / 2));
        checkUsable();
        permits.acquireUninterruptibly(count);
        if (hasFailed) {
            permits.release(count);
            throw failureFor(-1);
        }
        CallSlot[] taken = new CallSlot[count];
        for (int i = 0; i < count; i++) {
            taken[i] = slots[pool.pop()];
            holders.incrementAndGet();
            taken[i].hold();
        }
        return new CallBatch(this, taken);
    }

    /**
     * Declares the domain failed, for example because its owner saw the process exit
     * ({@link RingFailure.Died}): every call in flight and every later call fails with
     * {@link DomainFailedException} carrying {@code reason}, and the segment is marked abandoned so that a server
     * that wakes up later stops serving it. Idempotent; the first reason wins.
     */
    public void fail(RingFailure reason) {
        Objects.requireNonNull(reason, "reason");
        if (!failure.compareAndSet(null, reason)) {
            return;
        }
        hasFailed = true;
        segment.setIntVolatile(CLIENT_STATE_OFFSET, CLIENT_GONE);
        permits.release(slots.length + 1024); // wakes every thread blocked in acquire(); they see the failure
        monitor.stop();
        wakeParkWords();
        failed.complete(reason);
    }

    /**
     * Takes back every park word a caller sleeps on and wakes it, after {@link #hasFailed} was set (volatile): the
     * caller's half is in {@link CallSlot#parkUntilDone}, which stores its word, then re-checks the failed flag. A
     * caller that had not yet slept finds its word changed and does not sleep; one that stored it after this look
     * sees the flag.
     */
    private void wakeParkWords() {
        if (!parkWords) {
            return;
        }
        for (int i = 0; i < slots.length; i++) {
            long word = geometry.parkWordOffset(i);
            if (segment.getIntVolatile(word) != SlotLayout.PARK_NONE) {
                segment.setIntVolatile(word, SlotLayout.PARK_NONE);
                doorbell.wakeWord(word);
            }
        }
    }

    /** Whether the ring has failed or been closed. */
    public boolean hasFailed() {
        return hasFailed;
    }

    /**
     * Completes with the failure's reason when the ring fails or closes: for owners that react to it (a close is
     * {@link RingFailure.ClientClosed}).
     */
    public CompletionStage<RingFailure> whenFailed() {
        return failed.minimalCompletionStage();
    }

    /** Why the ring failed, or {@code null} while it has not. */
    public RingFailure failureReason() {
        return failure.get();
    }

    /** Futex wakes this client sent to sleeping workers. */
    public long workerWakeups() {
        return segment.getLongVolatile(WORKER_WAKEUPS_OFFSET);
    }

    /** Malformed entries the server refused, as of its last heartbeat. */
    public long serverProtocolErrors() {
        return segment.getLongVolatile(PROTOCOL_ERRORS_OFFSET);
    }

    void checkUsable() throws DomainFailedException {
        if (hasFailed) {
            throw failureFor(-1);
        }
        if (!serverSeen) {
            if (!serverAttached()) {
                throw new DomainFailedException("no server has attached to " + segment.name() + " (generation "
                        + generation + ") yet: start the domain, then call awaitServer()", generation);
            }
            serverSeen = true;
        }
    }

    private boolean serverAttached() {
        int state = segment.getIntVolatile(SERVER_STATE_OFFSET);
        return state != SERVER_NEW && state != SERVER_ATTACHING;
    }

    DomainFailedException failureFor(int callNumber) {
        String call = callNumber >= 0 ? "call " + callNumber + " on " : "";
        RingFailure reason = failure.get();
        return new DomainFailedException(call + "generation " + generation + " of " + segment.name() + " failed: "
                + reason.describe(), generation, reason);
    }

    /** Queues a slot without waking anyone; {@link #wakeIfIdle} follows, once for any number of offers. */
    void offer(int index) {
        queue.offer(index);
    }

    /**
     * Wakes a worker if none is awake (see {@code ServerWorker.sleep} for the handshake): after one or more
     * {@link #offer}s, whose volatile stores order the cells before this read of AWAKE_WORKERS.
     */
    void wakeIfIdle() {
        if (segment.getIntVolatile(AWAKE_WORKERS_OFFSET) == 0) {
            doorbell.ringPeer();
            segment.getAndAddLong(WORKER_WAKEUPS_OFFSET, 1);
        }
    }

    void release(CallSlot slot, boolean abandoned) {
        if (!abandoned) {
            pool.push(slot.index());
            permits.release();
        }
        holders.decrementAndGet();
    }

    ClientMonitor monitor() {
        return monitor;
    }

    Doorbell doorbell() {
        return doorbell;
    }

    /** Whether a platform-thread caller sleeps on its slot's park word (else it parks for the monitor to unpark). */
    boolean sleepsOnParkWords() {
        return parkWords;
    }

    long parkWordTimeoutNs() {
        return parkWordTimeoutNs;
    }

    void countParkWordSleep() {
        parkWordSleeps.increment();
    }

    /**
     * Sleeps on park words that callers of this client began (each ended by the worker's wake, a failure's, or a
     * period's timeout): how often the direct path was taken, beside {@link #monitorUnparks()}.
     */
    public long parkWordSleeps() {
        return parkWordSleeps.sum();
    }

    /** Callers the client's monitor unparked: the path of virtual threads, and of any transport without words. */
    public long monitorUnparks() {
        return monitor.unparks();
    }

    /**
     * Times the client's monitor made the ring's waiting virtual threads park rather than yield their carrier: when
     * a virtual thread it unparked had not run for a millisecond (until it ran), and for 0.2 ms every 0.5 s while
     * virtual threads yield ({@code docs/ring-protocol.md}, section 7).
     */
    public long carrierDrains() {
        return monitor.drains();
    }

    RingSegment segment() {
        return segment;
    }

    /**
     * Leaves the ring: calls in flight fail ("closed by the client"), the server stops serving the segment, and
     * once the threads holding slots have let go (at most {@link #CLOSE_DRAIN_MS} ms), the segment is closed
     * (unmapped, and a segment file deleted). A thread still holding a slot after that gets {@link
     * IllegalStateException} from the closed mapping, never a stray memory access.
     */
    @Override
    public void close() throws IOException {
        fail(new RingFailure.ClientClosed());
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + CLOSE_DRAIN_MS * 1_000_000L;
        while (holders.get() > 0 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            Thread.yield();
        }
        monitor.join();
        segment.close();
    }
}
