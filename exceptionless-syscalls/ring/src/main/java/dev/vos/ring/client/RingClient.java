package dev.vos.ring.client;

import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingFailure;
import dev.vos.ring.RingHeader;
import dev.vos.ring.RingSegment;
import dev.vos.ring.SegmentFiles;
import dev.vos.ring.SubmitQueue;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.sys.Linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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
 */
public final class RingClient implements CallSource, AutoCloseable {

    /** How long {@link #close()} waits for threads still holding slots of a failed ring to let go. */
    public static final long CLOSE_DRAIN_MS = 2_000;

    private final RingSegment segment;
    private final RingGeometry geometry;
    private final long generation;
    private final WaitStrategy waitStrategy;
    private final SubmitQueue queue;
    private final CallSlot[] slots;
    private final SlotPool pool;
    private final Semaphore permits;
    private final ClientMonitor monitor;
    private final AtomicReference<RingFailure> failure = new AtomicReference<>();
    private final CompletableFuture<RingFailure> failed = new CompletableFuture<>();
    /** Threads holding a slot right now; close() waits for them before it unmaps. */
    private final AtomicInteger holders = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean hasFailed;
    private volatile boolean serverSeen;

    private RingClient(RingSegment segment, RingGeometry geometry, long generation, WaitStrategy waitStrategy) {
        this.segment = segment;
        this.geometry = geometry;
        this.generation = generation;
        this.waitStrategy = waitStrategy;
        this.queue = new SubmitQueue(segment, geometry);
        this.slots = new CallSlot[geometry.slotCount()];
        for (int i = 0; i < slots.length; i++) {
            long chunk = geometry.dataChunkOffset(i);
            slots[i] = new CallSlot(this, segment, i, geometry.slotOffset(i),
                    segment.memory().asSlice(geometry.dataOffset() + chunk, geometry.dataBytesPerSlot()), chunk);
        }
        this.pool = new SlotPool(slots.length);
        this.permits = new Semaphore(slots.length);
        this.monitor = new ClientMonitor(this, segment, geometry);
    }

    /**
     * Creates a segment file at {@code file} (it must not exist; name it with {@link SegmentFiles#path}), formats it
     * for {@code geometry} and {@code generation}, and starts the client's monitor. The server attaches to the same
     * file.
     */
    public static RingClient create(Path file, RingGeometry geometry, long generation, WaitStrategy waitStrategy)
            throws IOException {
        checkGeneration(generation);
        return start(RingSegment.create(file, geometry), geometry, generation, waitStrategy);
    }

    /**
     * Creates a sealed segment ({@link RingSegment#createSealed}: a memfd no path names, whose size cannot change),
     * formats it for {@code geometry} and {@code generation}, and starts the client's monitor. The server maps it
     * from the descriptor this client hands over ({@link #segmentDescriptor()}), as a domain agent's session does.
     */
    public static RingClient createSealed(String label, RingGeometry geometry, long generation,
                                          WaitStrategy waitStrategy) throws IOException {
        checkGeneration(generation);
        return start(RingSegment.createSealed(label, geometry), geometry, generation, waitStrategy);
    }

    private static RingClient start(RingSegment segment, RingGeometry geometry, long generation,
                                    WaitStrategy waitStrategy) {
        RingHeader.format(segment, geometry, generation);
        RingClient client = new RingClient(segment, geometry, generation, waitStrategy);
        client.monitor.start();
        return client;
    }

    private static void checkGeneration(long generation) {
        if (generation < 1) {
            throw new IllegalArgumentException("generation=" + generation + ": generations count from 1");
        }
    }

    /** The segment file, or {@code null} for a sealed segment, which no path names. */
    public Path file() {
        return segment.file();
    }

    /** The segment's name for messages: its path, or {@code memfd:vos-LABEL}. */
    public String segmentName() {
        return segment.name();
    }

    /** The memfd of a sealed segment, for handing to its server; -1 for a segment file. */
    public int segmentDescriptor() {
        return segment.descriptor();
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
        failed.complete(reason);
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

    /** Queues a slot and wakes a worker if none is awake (see {@code ServerWorker.sleep} for the handshake). */
    void submit(int index) {
        queue.offer(index);
        if (segment.getIntVolatile(AWAKE_WORKERS_OFFSET) == 0) {
            segment.getAndAddInt(WORKER_FUTEX_OFFSET, 1);
            Linux.futexWake(segment.address(WORKER_FUTEX_OFFSET), 1);
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

    RingSegment segment() {
        return segment;
    }

    /**
     * Leaves the ring: calls in flight fail ("closed by the client"), the server stops serving the segment, and
     * once the threads holding slots have let go (at most {@link #CLOSE_DRAIN_MS} ms), the segment is unmapped and
     * its file deleted. A thread still holding a slot after that gets {@link IllegalStateException} from the closed
     * mapping, never a stray memory access.
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
        if (segment.file() != null) {
            Files.deleteIfExists(segment.file());
        }
    }
}
