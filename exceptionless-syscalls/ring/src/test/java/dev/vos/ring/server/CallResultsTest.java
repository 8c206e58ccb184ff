package dev.vos.ring.server;

import dev.vos.ring.DomainFailedException;
import dev.vos.ring.TestSegments;
import dev.vos.ring.client.CallBatch;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The domain's figures of what its calls answered, on a real segment with client and server in one JVM: errors by
 * errno and bytes read and written are counted from the answers, whichever way a call is answered (by its worker,
 * at a batch flush on the worker's thread, or later from another thread), and the batch's submissions are counted.
 */
@Timeout(60)
class CallResultsTest {

    /** Answers {@code arg0}: READ bytes when positive, an error when negative. */
    private static final int READS = 1;
    /** Answers {@code arg0}: WRITE bytes. */
    private static final int WRITES = 2;
    /** Answers {@code arg0} and moves nothing (a descriptor, say). */
    private static final int OPENS = 3;
    /** Gathered into the batch; answers {@code arg0} at the flush. A READ. */
    private static final int GATHERED = 4;
    /** Deferred; answered {@code arg0} from the timer's thread. A WRITE. */
    private static final int LATER = 5;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private RingClient client;
    private RingServer server;

    /** Gathers calls; one "submission" per flush, as one io_uring_enter would be. */
    private static final class CountingBatcher implements CallBatcher {
        private final List<DeferredCall> calls = new ArrayList<>();
        private final List<Long> answers = new ArrayList<>();
        private long flushes;

        @Override
        public boolean isEmpty() {
            return calls.isEmpty();
        }

        @Override
        public void flush() {
            flushes++;
            for (int i = 0; i < calls.size(); i++) {
                calls.get(i).complete(answers.get(i));
            }
            calls.clear();
            answers.clear();
        }

        @Override
        public long submissions() {
            return flushes;
        }

        @Override
        public void close() {
        }
    }

    @BeforeEach
    void start() throws Exception {
        CallTable table = CallTable.builder()
                .add(READS, "reads", call -> call.arg(0))
                .add(WRITES, "writes", call -> call.arg(0))
                .add(OPENS, "opens", call -> call.arg(0))
                .addBatched(GATHERED, "gathered", call -> {
                    CountingBatcher batch = (CountingBatcher) call.batcher();
                    batch.calls.add(call.defer());
                    batch.answers.add(call.arg(0));
                    return ServerCall.DEFERRED;
                })
                .addMayWait(LATER, "later", call -> {
                    DeferredCall deferred = call.defer();
                    long answer = call.arg(0);
                    timer.schedule(() -> deferred.complete(answer), 5, TimeUnit.MILLISECONDS);
                    return ServerCall.DEFERRED;
                })
                .transfers(READS, CallTable.Transfer.READ)
                .transfers(WRITES, CallTable.Transfer.WRITE)
                .transfers(GATHERED, CallTable.Transfer.READ)
                .transfers(LATER, CallTable.Transfer.WRITE)
                .batcher(CountingBatcher::new)
                .build();
        client = RingClient.create(TestSegments.fresh("results"), RingGeometry.DEFAULT, 1,
                WaitStrategy.spinThenPark(Duration.ofNanos(20_000)));
        server = RingServer.attach(client.file(), table, ServerOptions.DEFAULT);
        client.awaitServer(Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.awaitTermination();
        timer.shutdownNow();
    }

    private long call(int number, long arg) throws DomainFailedException {
        return client.call(number, arg, 0, 0, 0, 0, 0);
    }

    @Test
    void errorsByErrno_andBytesByDirection_areCountedFromTheAnswers() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertEquals(100, call(READS, 100));
        }
        assertEquals(7, call(WRITES, 7));
        assertEquals(7, call(WRITES, 7));
        assertEquals(5, call(OPENS, 5)); // a positive result that is no byte count
        call(READS, -Errno.ENOENT);
        call(READS, -Errno.ENOENT);
        call(OPENS, -Errno.EACCES);
        call(WRITES, -200); // in the error range, beyond the errnos Linux names: slot 0
        call(READS, -5000); // below the error range: no errno, not an error
        assertEquals(-Errno.ENOSYS, call(99, 0)); // no such call: the worker's own answer counts too

        ServerStats stats = server.stats();
        assertEquals(1000, stats.bytesRead());
        assertEquals(14, stats.bytesWritten());
        assertEquals(2, stats.errorsByErrno()[Errno.ENOENT]);
        assertEquals(1, stats.errorsByErrno()[Errno.EACCES]);
        assertEquals(1, stats.errorsByErrno()[Errno.ENOSYS]);
        assertEquals(1, stats.errorsByErrno()[0]);
        assertEquals(5, java.util.Arrays.stream(stats.errorsByErrno()).sum());
        assertEquals(0, stats.callsDeferred());
    }

    @Test
    void deferredAnswers_countWhereverTheyComplete_andTheBatchSaysItsSubmissions() throws Exception {
        Thread.sleep(50); // the worker sleeps: the batch is queued whole before it wakes, and flushed once
        try (CallBatch batch = client.acquireBatch(8)) {
            for (int i = 0; i < 8; i++) {
                batch.queueing(i).call(GATHERED, i == 7 ? -Errno.EIO : 4096, 0, 0, 0, 0, 0);
            }
            batch.submit();
            for (int i = 0; i < 8; i++) {
                batch.await(i);
            }
        }
        assertEquals(300, call(LATER, 300)); // completed on the timer's thread
        assertEquals(-Errno.ENOSPC, call(LATER, -Errno.ENOSPC));

        ServerStats stats = server.stats();
        assertEquals(7 * 4096, stats.bytesRead());
        assertEquals(300, stats.bytesWritten());
        assertEquals(1, stats.errorsByErrno()[Errno.EIO]);
        assertEquals(1, stats.errorsByErrno()[Errno.ENOSPC]);
        assertEquals(10, stats.callsDeferred());
        assertEquals(1, stats.batchSubmissions(), "eight gathered calls, one flush");
    }
}
