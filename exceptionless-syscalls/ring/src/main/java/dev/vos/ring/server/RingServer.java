package dev.vos.ring.server;

import dev.vos.ring.HangEvidence;
import dev.vos.ring.RingHeader;
import dev.vos.ring.RingSegment;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.layout.SlotLayout;
import dev.vos.ring.transport.Doorbell;
import dev.vos.ring.transport.Segment;
import dev.vos.ring.transport.Side;
import dev.vos.ring.transport.Transport;
import dev.vos.ring.transport.process.ProcessTransport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.vos.ring.layout.HeaderLayout.*;

/**
 * The server side of one ring: attaches to a segment a client created, then serves it with polling workers until
 * it is stopped or the client leaves. A heartbeat thread bumps the {@code HEARTBEAT} counter at a tenth of the
 * liveness timeout, which the client judges on its own clock, so it can tell a live server from a dead or stopped one
 * (the two sides' clocks need not agree); at each beat it also judges whether the
 * workers of this process (every server's, not only its own) make progress ({@link WorkerWatch}) and publishes a
 * stuck worker in the STUCK fields, so that a worker deadlocked inside a handler is found although the heartbeat
 * goes on, also by a supervisor whose own ring carries no calls. At attach the transport announces the server (the
 * process transport: its pid and when its process started, with which a client finds the process in its own
 * {@code /proc} to weigh a stale heartbeat against the process's state).
 *
 * <p>The server is written against the transport SPI ({@code dev.vos.ring.transport}): it serves any transport's
 * {@link Segment} and sleeps and rings through the server side's {@link Doorbell}; {@link #attach(Path, CallTable,
 * ServerOptions)} is the process transport's segment file.
 *
 * <p>A segment is served at most once: attaching claims it by moving {@code SERVER_STATE} from NEW to ATTACHING
 * with a compare-and-set, fills in the server's fields, then publishes SERVING; a segment whose server has gone
 * stays that way. A restarted domain serves a fresh segment.
 */
public final class RingServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RingServer.class.getName());

    private final RingSegment segment;
    private final Doorbell doorbell;
    private final RingGeometry geometry;
    private final long generation;
    private final ServerOptions options;
    private final CallTable table;
    /** This ring's session state (see {@link CallTable}), or null; closed once the workers have stopped. */
    private final AutoCloseable sessionState;
    /** Who the client is, when the transport could ask the kernel (an agent's Unix socket); empty otherwise. */
    private final Optional<ClientCredentials> client;
    private final List<ServerWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Thread heartbeat;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    /** Set once an access to the segment faulted: from then on the server touches it no more. */
    private volatile boolean faulted;
    /** The first fault stops the server; later ones (another thread's) find it done. */
    private final AtomicBoolean faultHandled = new AtomicBoolean();
    private final WorkerWatch watch;
    private final AtomicLong handlerFailures = new AtomicLong();
    /** Answers of deferred calls completed off the workers' threads; guarded by itself. */
    private final ResultCounter elsewhere = new ResultCounter();
    private volatile boolean running = true;

    private RingServer(RingSegment segment, Doorbell doorbell, RingGeometry geometry, CallTable table,
                       ServerOptions options, AutoCloseable sessionState, Optional<ClientCredentials> client) {
        this.segment = segment;
        this.client = client;
        this.doorbell = doorbell;
        this.sessionState = sessionState;
        this.geometry = geometry;
        this.generation = RingHeader.generation(segment);
        this.options = options;
        this.table = table;
        for (int i = 0; i < options.workers(); i++) {
            List<Integer> cpus = options.workerCpus();
            int cpu = cpus.isEmpty() ? -1 : cpus.get(i % cpus.size());
            ServerWorker worker = new ServerWorker(this, segment, doorbell, geometry, table, options.idleSpinNs(),
                    cpu);
            workers.add(worker);
            threads.add(Thread.ofPlatform().name("vos-ring-worker-" + i).daemon().unstarted(worker));
        }
        this.heartbeat = Thread.ofPlatform().name(HangEvidence.HEARTBEAT_THREAD).daemon().unstarted(this::beat);
        this.watch = new WorkerWatch(geometry.livenessTimeoutNs());
    }

    /**
     * Maps the process transport's segment file at {@code file}, checks it, claims it, and starts serving it with
     * {@code table}.
     *
     * @throws RingHeader.RingFormatException if the file is not a valid ring segment of this version
     * @throws IOException                    if the file cannot be mapped, or another server has claimed it
     */
    public static RingServer attach(Path file, CallTable table, ServerOptions options) throws IOException {
        return attach(ProcessTransport.openFile(file), table, options);
    }

    /**
     * Checks, claims and serves {@code shared}, any transport's segment (for example a sealed one a client handed
     * over: {@link ProcessTransport#openSealed}). Takes the segment: it is closed if the attach fails, and when the
     * server stops.
     *
     * @throws RingHeader.RingFormatException if it is not a valid ring segment of this version
     * @throws IOException                    if another server has claimed it
     */
    public static RingServer attach(Segment shared, CallTable table, ServerOptions options) throws IOException {
        return attach(shared, table, options, Optional.empty());
    }

    /**
     * As {@link #attach(Segment, CallTable, ServerOptions)}, for a client the kernel named ({@code client}: what
     * {@link #client()} answers, for the handlers).
     */
    public static RingServer attach(Segment shared, CallTable table, ServerOptions options,
                                    Optional<ClientCredentials> client) throws IOException {
        Objects.requireNonNull(client, "client");
        AutoCloseable sessionState = null;
        RingSegment segment = RingSegment.view(shared.name(), shared.memory(), shared);
        Transport transport = shared.transport();
        try {
            RingGeometry geometry = RingHeader.validate(segment);
            // Claim first, then fill in: a server that loses the claim has written nothing.
            if (!segment.compareAndSetInt(SERVER_STATE_OFFSET, SERVER_NEW, SERVER_ATTACHING)) {
                throw new IOException(segment.name() + ": SERVER_STATE is "
                        + segment.getIntVolatile(SERVER_STATE_OFFSET)
                        + ", not NEW: the segment was already served; a restarted domain needs a fresh segment");
            }
            // Made before SERVING is published: no call can arrive before its session state exists.
            sessionState = table.newSessionState();
            segment.setIntVolatile(AWAKE_WORKERS_OFFSET, options.workers());
            transport.announceServer(segment); // plain stores, released by SERVING below
            segment.setLongRelease(HEARTBEAT_OFFSET, 0); // the count starts; the client times it on its own clock
            segment.setIntVolatile(SERVER_STATE_OFFSET, SERVER_SERVING); // releases line 1 to the client
            RingServer server = new RingServer(segment, transport.doorbell(segment, Side.SERVER), geometry, table,
                    options, sessionState, client);
            WorkerWatch.register(server.workers);
            server.threads.forEach(Thread::start);
            server.heartbeat.start();
            return server;
        } catch (IOException | RuntimeException e) {
            closeSessionState(sessionState);
            segment.close();
            throw e;
        } catch (InternalError e) { // the mapping faulted: a segment file cut short under us
            closeSessionState(sessionState);
            segment.close();
            throw new IOException(segment.name() + ": the segment faulted while attaching (cut short?)", e);
        }
    }

    /** How many rows this ring's session state reports ({@link SessionReport}); 0 if it does not report. */
    public int sessionReportSize() {
        return sessionState instanceof SessionReport report ? report.reportSize() : 0;
    }

    /**
     * Rows {@code from} to {@code from + count} of what this ring's session state reports of itself
     * ({@link SessionReport}), or nothing if it does not report: for the agent's {@code SESSIONS} call.
     */
    public java.util.List<String> sessionReport(int from, int count) {
        return sessionState instanceof SessionReport report ? report.reportRows(from, count) : java.util.List.of();
    }

    /** Who this ring's client is, as the kernel said when it attached; empty when the transport could not ask. */
    public Optional<ClientCredentials> client() {
        return client;
    }

    /** This ring's session state, or null (see {@link ServerCall#session()}). */
    AutoCloseable sessionState() {
        return sessionState;
    }

    private static void closeSessionState(AutoCloseable state) {
        if (state == null) {
            return;
        }
        try {
            state.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "closing the session state failed", e);
        }
    }

    /** The generation of the segment being served. */
    public long generation() {
        return generation;
    }

    /** The geometry of the segment being served (the server's own validated copy). */
    public RingGeometry geometry() {
        return geometry;
    }

    /** Calls completed so far, all workers together. */
    public long callsServed() {
        return workers.stream().mapToLong(w -> w.callsServed).sum();
    }

    /**
     * Calls whose handlers deferred them ({@link ServerCall#defer()}), all workers together; with
     * {@link #batchFlushes()}, the mean calls a batching domain executes per trap.
     */
    public long callsDeferred() {
        return workers.stream().mapToLong(w -> w.callsDeferred).sum();
    }

    /** Flushes of the workers' batches ({@link CallBatcher#flush}) that held at least one call. */
    public long batchFlushes() {
        return workers.stream().mapToLong(w -> w.batchFlushes).sum();
    }

    /** Queue entries and slots refused as malformed so far. */
    public long protocolErrors() {
        return workers.stream().mapToLong(w -> w.protocolErrors).sum();
    }

    /**
     * This server's figures now; see {@link ServerStats}. Every figure but {@code inFlight} comes from memory only
     * the server writes (its workers' fields), never from the shared header, which the client can write anything
     * into; {@code inFlight} counts slots, so it stays within {@code [0, slotCount]}.
     */
    public ServerStats stats() {
        ServerStats sum = ServerStats.empty(table.size());
        for (ServerWorker w : workers) {
            sum = sum.plus(w.stats());
        }
        synchronized (elsewhere) {
            ServerStats off = ServerStats.empty(0);
            sum = sum.plus(new ServerStats(0, 0, 0, 0, 0, off.callsByNumber(), off.serviceTimeBuckets(), 0,
                    elsewhere.errorsByErrno.clone(), elsewhere.bytesRead, elsewhere.bytesWritten, 0, 0));
        }
        if (!running || faulted) {
            return sum;
        }
        // In flight = slots submitted or accepted and not yet complete (a sole worker serves a slot without marking
        // it ACCEPTED); read here, never counted per call.
        long inFlight = 0;
        try {
            for (int slot = 0; slot < geometry.slotCount(); slot++) {
                long control = segment.getLongAcquire(geometry.slotOffset(slot) + SlotLayout.CONTROL_OFFSET);
                int state = SlotLayout.state(control);
                if (state == SlotLayout.SUBMITTED || state == SlotLayout.ACCEPTED) {
                    inFlight++;
                }
            }
        } catch (InternalError | IllegalStateException e) {
            return sum; // the mapping faulted or closed meanwhile: nothing is in flight on it any more
        }
        return sum.withInFlight(inFlight);
    }

    /** Counts the answer of a deferred call completed on a thread that is none of the workers'. */
    void countElsewhere(CallTable.Transfer transfer, long result) {
        synchronized (elsewhere) {
            elsewhere.count(transfer, result);
        }
    }

    /** The call table this server answers with. */
    public CallTable table() {
        return table;
    }

    /** Handler invocations that threw (each answered {@code EIO}). */
    public long handlerFailures() {
        return handlerFailures.get();
    }

    boolean isRunning() {
        return running;
    }

    boolean wakePeers() {
        return options.workers() > 1;
    }

    /** Wakes one sleeping worker, when a worker leaves work behind in the queue and some peer sleeps. */
    void wakeOneWorker() {
        if (segment.getIntVolatile(AWAKE_WORKERS_OFFSET) < options.workers()) {
            doorbell.wakeHere(1);
        }
    }

    /**
     * An access to the segment faulted ({@code SIGBUS}, which the JVM raises as {@link InternalError}): the file
     * behind a segment file was cut short, so part of the mapping has no memory behind it. Only this ring is
     * affected: its server stops (on a thread of its own, as a worker cannot wait for itself), touching the segment
     * no more, and whoever waits on {@link #whenStopped()} learns of it.
     */
    void segmentFaulted(String where, InternalError e) {
        faulted = true;
        if (!faultHandled.compareAndSet(false, true)) {
            return; // the worker and the heartbeat both met it: one stop is enough
        }
        LOG.log(Level.WARNING, "segment {0} faulted in the {1} ({2}; cut short by its client?): this ring stops, the"
                + " others are served on", segment.name(), where, e.getMessage());
        Thread.ofPlatform().name("vos-ring-stop").daemon().start(this::close);
    }

    /** Whether an access to the segment faulted (see {@link #segmentFaulted}). */
    public boolean hasFaulted() {
        return faulted;
    }

    void handlerFailed(String call, Throwable t) {
        long n = handlerFailures.incrementAndGet();
        if (Long.bitCount(n) == 1) { // the 1st, 2nd, 4th, 8th ... failure: a log that cannot flood
            LOG.log(Level.ERROR, "handler of " + call + " threw (failure #" + n + "); the call answered EIO", t);
        }
    }

    private void beat() {
        try {
            beatUntilStopped();
        } catch (InternalError e) {
            segmentFaulted("heartbeat", e);
        }
    }

    private void beatUntilStopped() {
        long periodNs = Math.max(1_000_000L, geometry.livenessTimeoutNs() / 10);
        long beats = 0;
        while (running) {
            watch.check(System.nanoTime(), segment); // plain stores of the STUCK fields, released by the next store
            // A count, not a time: the client's clock need not be ours. Release: the STUCK fields go with it.
            segment.setLongRelease(HEARTBEAT_OFFSET, ++beats);
            segment.setLongPlain(CALLS_SERVED_OFFSET, callsServed());
            segment.setLongPlain(PROTOCOL_ERRORS_OFFSET, protocolErrors());
            segment.setLongPlain(CLIENT_WAKEUPS_OFFSET, workers.stream().mapToLong(w -> w.clientWakeups).sum());
            if (segment.getIntVolatile(CLIENT_STATE_OFFSET) == CLIENT_GONE) {
                LOG.log(Level.INFO, "client left segment {0} (generation {1}); stopping", segment.name(), generation);
                Thread.ofPlatform().daemon().start(this::close);
                return;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(periodNs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Blocks until the server has stopped (by {@link #close()} or because the client left). */
    public void awaitTermination() throws InterruptedException {
        try {
            terminated.get();
        } catch (ExecutionException e) {
            throw new AssertionError("never completed exceptionally", e);
        }
    }

    /** Completes once the server has stopped and released everything: by {@link #close()}, a client gone, a fault. */
    public CompletionStage<Void> whenStopped() {
        return terminated.minimalCompletionStage();
    }

    /**
     * Stops serving: workers finish the call they are executing, the session state is closed, the segment is
     * marked STOPPED (clients fail the calls still queued), and the mapping is released. Each step runs whatever the
     * one before it did: a segment that faults (cut short by its client) or a state that fails to close never
     * leaves the session state, the mapping or the threads behind.
     */
    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        try {
            touchSegment(() -> doorbell.wakeHere(Integer.MAX_VALUE));
        } finally {
            try {
                joinThreads();
            } finally {
                // After the workers: no handler can still be using what the state holds (a session's descriptors).
                try {
                    closeSessionState(sessionState);
                } finally {
                    try {
                        touchSegment(() -> segment.setIntVolatile(SERVER_STATE_OFFSET, SERVER_STOPPED));
                    } finally {
                        segment.close();
                        terminated.complete(null);
                    }
                }
            }
        }
    }

    /** Waits for the workers (each notices within its 100 ms futex cap) and the heartbeat to end. */
    private void joinThreads() {
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        WorkerWatch.unregister(workers);
        heartbeat.interrupt();
        try {
            heartbeat.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a write to the segment unless it has faulted; a fault now is noted and skipped. */
    private void touchSegment(Runnable write) {
        if (faulted) {
            return;
        }
        try {
            write.run();
        } catch (InternalError e) {
            faulted = true;
        }
    }
}
