package dev.vos.ring.server;

import dev.vos.ring.DomainFailedException;
import dev.vos.ring.HangEvidence;
import dev.vos.ring.RingFailure;
import dev.vos.ring.TestSegments;
import dev.vos.ring.client.CallBatch;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Deferred completion on a real segment, client and server in one JVM: a call answered after its handler returned
 * (from another thread, as a net domain's readiness loop would; or at a batch flush, as the storage domain's
 * io_uring does) reaches its caller, does not hold the worker, does not make the domain look hung, and keeps queue
 * order against calls that do not batch.
 */
@Timeout(60)
class DeferredCompletionTest {

    private static final int LATER = 1;
    private static final int NOW = 2;
    private static final int GATHERED = 3;
    private static final int PLAIN = 4;
    private static final int DEFER_TWICE = 5;
    private static final int BLOCK = 6;
    private static final int HELD = 7;
    private static final int ANSWER_NOW = 8;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    /** The sizes of the test batcher's flushes, in order. */
    private final List<Integer> flushes = new CopyOnWriteArrayList<>();
    /** Gathered calls answered so far. */
    private final AtomicInteger answered = new AtomicInteger();
    /** Deferred calls of HELD, answered by the test when it chooses. */
    private final BlockingQueue<DeferredCall> held = new LinkedBlockingQueue<>();
    private RingClient client;
    private RingServer server;

    /** Gathers calls and answers each with twice its argument when flushed. */
    private final class TestBatcher implements CallBatcher {
        private final List<DeferredCall> calls = new ArrayList<>();
        private final List<Long> args = new ArrayList<>();

        void gather(DeferredCall call, long arg) {
            calls.add(call);
            args.add(arg);
        }

        @Override
        public boolean isEmpty() {
            return calls.isEmpty();
        }

        @Override
        public void flush() {
            flushes.add(calls.size());
            for (int i = 0; i < calls.size(); i++) {
                assertTrue(calls.get(i).complete(args.get(i) * 2));
                answered.incrementAndGet();
            }
            calls.clear();
            args.clear();
        }

        @Override
        public void close() {
        }
    }

    /**
     * Leaves every call it flushes in flight, as the storage domain leaves a force's fsync: a call completes when
     * its second argument's milliseconds have passed, and is answered (with twice its argument) by the worker's next
     * {@link #reapCompleted} or {@link #awaitCompletion} after that. Counts both.
     */
    private final class InFlightBatcher implements CallBatcher {
        /** Whether it sleeps on the doorbell's word, as the storage domain's io_uring does with a futex wait. */
        private final boolean sleepsOnRing;
        private final List<DeferredCall> gathered = new ArrayList<>();
        private final List<Long> gatheredArgs = new ArrayList<>();
        private final List<Long> gatheredDelaysMs = new ArrayList<>();
        private final List<DeferredCall> inFlight = new ArrayList<>();
        private final List<Long> args = new ArrayList<>();
        private final List<Long> dueNs = new ArrayList<>();

        InFlightBatcher(boolean sleepsOnRing) {
            this.sleepsOnRing = sleepsOnRing;
        }

        void gather(DeferredCall call, long arg, long delayMs) {
            gathered.add(call);
            gatheredArgs.add(arg);
            gatheredDelaysMs.add(delayMs);
        }

        @Override
        public boolean isEmpty() {
            return gathered.isEmpty();
        }

        @Override
        public void flush() {
            for (int i = 0; i < gathered.size(); i++) {
                inFlight.add(gathered.get(i));
                args.add(gatheredArgs.get(i));
                dueNs.add(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(gatheredDelaysMs.get(i)));
            }
            gathered.clear();
            gatheredArgs.clear();
            gatheredDelaysMs.clear();
        }

        @Override
        public boolean awaitsCompletions() {
            return !inFlight.isEmpty();
        }

        @Override
        public void reapCompleted() {
            reaps.incrementAndGet();
            long now = System.nanoTime();
            for (int i = inFlight.size() - 1; i >= 0; i--) {
                if (now - dueNs.get(i) >= 0) {
                    assertTrue(inFlight.remove(i).complete(args.remove(i) * 2));
                    dueNs.remove(i);
                    answered.incrementAndGet();
                }
            }
        }

        @Override
        public void awaitCompletion(long timeoutNs) {
            waits.incrementAndGet();
            long first = dueNs.stream().mapToLong(Long::longValue).min().orElse(System.nanoTime());
            LockSupport.parkNanos(Math.min(timeoutNs, first - System.nanoTime())); // as in io_uring_enter: state S
            reapCompleted();
        }

        /** A futex wait on the word until it is woken or the first call in flight is due, as the io_uring's. */
        @Override
        public boolean awaitCompletionOrRing(long wordAddress, int armed, long timeoutNs) {
            if (!sleepsOnRing) {
                return false;
            }
            ringSleeps.incrementAndGet();
            long first = dueNs.stream().mapToLong(Long::longValue).min().orElse(System.nanoTime());
            Linux.futexWait(wordAddress, armed, Math.max(1, Math.min(timeoutNs, first - System.nanoTime())));
            reapCompleted();
            return true;
        }

        @Override
        public void close() {
            while (awaitsCompletions()) {
                awaitCompletion(1_000_000L);
            }
        }
    }

    /** {@link InFlightBatcher}'s reaps, waits counted awake, and sleeps on the doorbell's word. */
    private final AtomicInteger reaps = new AtomicInteger();
    private final AtomicInteger waits = new AtomicInteger();
    private final CountDownLatch afterTheAnswer = new CountDownLatch(1);
    private final AtomicBoolean handlerReturned = new AtomicBoolean();
    private final AtomicInteger ringSleeps = new AtomicInteger();

    private CallTable inFlightTable() {
        return inFlightTable(false);
    }

    private CallTable inFlightTable(boolean sleepsOnRing) {
        return CallTable.builder()
                .add(NOW, "now", call -> call.arg(0) * 3)
                .addBatched(GATHERED, "gathered", call -> {
                    ((InFlightBatcher) call.batcher()).gather(call.defer(), call.arg(0), call.arg(1));
                    return ServerCall.DEFERRED;
                })
                .add(BLOCK, "block", call -> {
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3)); // a handler that hangs, for a while
                    return 0;
                })
                .batcher(() -> new InFlightBatcher(sleepsOnRing))
                .build();
    }

    private CallTable table() {
        return CallTable.builder()
                .addMayWait(LATER, "later", call -> {
                    DeferredCall deferred = call.defer();
                    long value = call.arg(0) + 1;
                    timer.schedule(() -> deferred.complete(value), call.arg(1), TimeUnit.MILLISECONDS);
                    return ServerCall.DEFERRED;
                })
                .add(NOW, "now", call -> call.arg(0) * 3)
                .addMayWait(HELD, "held", call -> {
                    held.add(call.defer());
                    return ServerCall.DEFERRED;
                })
                .addBatched(GATHERED, "gathered", call -> {
                    ((TestBatcher) call.batcher()).gather(call.defer(), call.arg(0));
                    return ServerCall.DEFERRED;
                })
                .add(PLAIN, "plain", call -> answered.get())
                .add(ANSWER_NOW, "answer now", call -> {
                    call.answerNow(call.arg(0) * 2);
                    try {
                        afterTheAnswer.await(10, TimeUnit.SECONDS); // work the answer does not wait for
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    handlerReturned.set(true);
                    return ServerCall.DEFERRED;
                })
                .addMayWait(DEFER_TWICE, "defer twice", call -> {
                    call.defer();
                    call.defer();
                    return ServerCall.DEFERRED;
                })
                .batcher(TestBatcher::new)
                .build();
    }

    private void start(Duration liveness) throws Exception {
        start(liveness, table());
    }

    private void start(Duration liveness, CallTable table) throws Exception {
        client = RingClient.create(TestSegments.fresh("deferred"), RingGeometry.DEFAULT.withLivenessTimeout(liveness),
                1, WaitStrategy.spinThenPark(Duration.ofNanos(20_000)));
        server = RingServer.attach(client.file(), table, ServerOptions.DEFAULT);
        client.awaitServer(Duration.ofSeconds(5));
    }

    /**
     * A call a flush left in flight for five liveness timeouts: the worker serves other calls meanwhile, answers it
     * when it completes (found by a reap, or by its bounded wait when its queue is empty), and is never judged
     * stuck for it, since it looks for completions between calls.
     */
    @Test
    void aCallLeftInFlightByAFlush_isAnsweredWhenItCompletes_andTheWaitingWorkerIsNoStuckWorker() throws Exception {
        start(Duration.ofMillis(200), inFlightTable());
        try (CallBatch batch = client.acquireBatch(1)) {
            batch.queueing(0).call(GATHERED, 21, 1_000, 0, 0, 0, 0);
            batch.submit();
            long started = System.nanoTime();
            assertEquals(30, client.call(NOW, 10, 0, 0, 0, 0, 0));
            // An order, not a time: the other call was still unanswered when this one came back.
            assertEquals(0, answered.get(), "served while the other call is in flight");
            assertEquals(42, batch.await(0));
            assertTrue(System.nanoTime() - started >= 900_000_000L, "answered when it completed, not before");
        }
        assertTrue(reaps.get() > 0, "the idle worker looked for completions");
        assertTrue(waits.get() > 0, "and waited for them (bounded) instead of spinning or sleeping on its doorbell");
        assertFalse(client.hasFailed(), "a worker waiting for calls in flight is no stuck worker: "
                + client.failureReason());
    }

    /**
     * A worker whose batch can sleep on the doorbell's word (the storage domain's io_uring, with a futex wait beside
     * its fsyncs) sleeps counted asleep while a call is in flight: each caller rings it and is served at once,
     * rather than after the sleep's bound (100 ms), and the call in flight is still answered when it completes.
     */
    @Test
    void aWorkerAsleepWithACallInFlight_isRungByEachCaller_andAnswersThatCallWhenItCompletes() throws Exception {
        start(Duration.ofSeconds(1), inFlightTable(true));
        long rungBefore = client.workerWakeups();
        try (CallBatch batch = client.acquireBatch(1)) {
            batch.queueing(0).call(GATHERED, 21, 3_000, 0, 0, 0, 0);
            batch.submit();
            long started = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                Thread.sleep(2); // long enough for the worker to go back to sleep
                assertEquals(3L * i, client.call(NOW, i, 0, 0, 0, 0, 0));
            }
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            // A caller that does not ring the sleeping worker waits out the sleep: 50 of them would take 5 s.
            assertTrue(elapsedMs < 2_500, "50 calls took " + elapsedMs + " ms");
            assertEquals(42, batch.await(0));
        }
        assertTrue(ringSleeps.get() > 0, "the worker slept on its doorbell's word with a call in flight");
        assertTrue(client.workerWakeups() > rungBefore, "and callers rang it");
        assertEquals(0, waits.get(), "it never waited counted awake");
        assertFalse(client.hasFailed(), "a worker asleep with a call in flight is no hung domain: "
                + client.failureReason());
    }

    /** Calls in flight hide no hang: a handler that hangs meanwhile is found stuck, and the ring fails. */
    @Test
    void aHandlerThatHangs_whileACallIsInFlight_isStillJudgedStuck() throws Exception {
        start(Duration.ofMillis(200), inFlightTable());
        try (CallBatch batch = client.acquireBatch(1)) {
            batch.queueing(0).call(GATHERED, 1, 10_000, 0, 0, 0, 0);
            batch.submit();
            long started = System.nanoTime();
            assertThrows(DomainFailedException.class, () -> client.call(BLOCK, 0, 0, 0, 0, 0, 0));
            assertTrue(System.nanoTime() - started < 2_900_000_000L, "judged before the handler returned");
            assertTrue(client.failureReason() instanceof RingFailure.Hung hung
                    && hung.evidence() instanceof HangEvidence.WorkerStuck, String.valueOf(client.failureReason()));
            assertThrows(DomainFailedException.class, () -> batch.await(0), "the call in flight fails with the ring");
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close();
            server.awaitTermination();
        }
        timer.shutdownNow();
    }

    /**
     * The test itself holds the deferred call, so what it checks is an order, not a time: a thousand other calls are
     * answered while the held one is unanswered, and it is answered after five liveness timeouts without the ring
     * being judged hung. A worker kept by the held call would fail the ring at 200 ms instead of answering.
     */
    @Test
    void aDeferredCall_longerThanTheLivenessTimeout_isAnswered_whileTheWorkerServesOthers() throws Exception {
        start(Duration.ofMillis(200));
        try (CallBatch batch = client.acquireBatch(1)) {
            batch.queueing(0).call(HELD, 41, 0, 0, 0, 0, 0);
            long started = System.nanoTime();
            batch.submit();
            DeferredCall held = this.held.poll(5, TimeUnit.SECONDS);
            assertNotNull(held, "the worker took the held call");
            for (int i = 0; i < 1_000; i++) {
                assertEquals(3L * i, client.call(NOW, i, 0, 0, 0, 0, 0));
            }
            long fiveTimeouts = started + 1_000_000_000L;
            while (System.nanoTime() < fiveTimeouts) {
                Thread.sleep(10);
            }
            assertFalse(client.hasFailed(), "a deferred call is no stuck worker: " + client.failureReason());
            held.complete(42);
            assertEquals(42, batch.await(0));
        }
        assertFalse(client.hasFailed(), "a deferred call is no stuck worker: " + client.failureReason());
    }

    @Test
    void callsQueuedTogether_areGatheredIntoOneFlush_andEachGetsItsOwnAnswer() throws Exception {
        start(Duration.ofSeconds(5));
        Thread.sleep(50); // the worker has gone to sleep: the whole batch is queued before it wakes
        try (CallBatch batch = client.acquireBatch(16)) {
            for (int i = 0; i < 16; i++) {
                batch.queueing(i).call(GATHERED, 100 + i, 0, 0, 0, 0, 0);
            }
            batch.submit();
            for (int i = 15; i >= 0; i--) {
                assertEquals(2L * (100 + i), batch.await(i));
            }
        }
        assertEquals(List.of(16), flushes);
    }

    @Test
    void aCallThatDoesNotBatch_runsAfterTheBatchQueuedBeforeIt() throws Exception {
        start(Duration.ofSeconds(5));
        Thread.sleep(50);
        try (CallBatch batch = client.acquireBatch(4)) {
            for (int i = 0; i < 3; i++) {
                batch.queueing(i).call(GATHERED, i, 0, 0, 0, 0, 0);
            }
            batch.queueing(3).call(PLAIN, 0, 0, 0, 0, 0, 0);
            batch.submit();
            assertEquals(3, batch.await(3), "the three gathered calls were answered before the plain one ran");
            assertEquals(0, batch.await(0));
        }
    }

    @Test
    void aCallAnsweredNow_reachesItsCaller_whileItsHandlerGoesOn_andTheWorkerServesOnAfterIt() throws Exception {
        start(Duration.ofSeconds(30));
        assertEquals(42, client.call(ANSWER_NOW, 21, 0, 0, 0, 0, 0));
        assertFalse(handlerReturned.get(), "the answer came while the handler was still at work");
        afterTheAnswer.countDown();
        assertEquals(30, client.call(NOW, 10, 0, 0, 0, 0, 0), "the worker serves the next call once it is done");
        assertTrue(handlerReturned.get());
        assertFalse(client.hasFailed());
    }

    @Test
    void aHandlerThatThrowsAfterDeferring_answersEio_insteadOfLeavingTheCallerWaiting() throws Exception {
        start(Duration.ofSeconds(5));
        assertEquals(-Errno.EIO, client.call(DEFER_TWICE, 0, 0, 0, 0, 0, 0));
        assertEquals(9, client.call(NOW, 3, 0, 0, 0, 0, 0));
    }

    @Test
    void aDeferredCallInFlight_failsWithTheRing_andTheBatchStillCloses() throws Exception {
        start(Duration.ofSeconds(5));
        CallBatch batch = client.acquireBatch(2);
        batch.queueing(0).call(LATER, 1, 60_000, 0, 0, 0, 0);
        batch.queueing(1).call(NOW, 5, 0, 0, 0, 0, 0);
        batch.submit();
        assertEquals(15, batch.await(1));
        timer.schedule(() -> client.fail(new RingFailure.ClientClosed()), 100, TimeUnit.MILLISECONDS);
        assertThrows(DomainFailedException.class, () -> batch.await(0));
        batch.close();
        assertThrows(IllegalArgumentException.class, () -> client.acquireBatch(0));
    }

    @Test
    void aBatchLargerThanHalfTheRing_isCutToHalf_ratherThanStarvingOtherCallers() throws Exception {
        start(Duration.ofSeconds(5));
        int half = client.geometry().slotCount() / 2;
        try (CallBatch batch = client.acquireBatch(half + 1)) {
            assertEquals(half, batch.size());
            assertThrows(IllegalStateException.class, () -> batch.await(0));
        }
    }
}
