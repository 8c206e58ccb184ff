package dev.vos.ring;

import dev.vos.ring.layout.RingGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static dev.vos.ring.layout.HeaderLayout.QUEUE_HEAD_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

/** The submission queue on a real shared mapping, under contention from both sides. */
@Timeout(60)
class SubmitQueueTest {

    @Test
    void eachOfferedSlotIsTakenExactlyOnce_manyProducersManyConsumers() throws Exception {
        RingGeometry geometry = new RingGeometry(16, 4096, 100_000_000L);
        Path file = TestSegments.fresh("queue");
        try (RingSegment segment = TestSegments.create(file, geometry)) {
            RingHeader.format(segment, geometry, 1);
            SubmitQueue queue = new SubmitQueue(segment, geometry);
            // Slots are owned as a client owns them: a producer offers only a slot it holds; a consumer that takes
            // it hands it back, so at most slotCount entries are ever outstanding.
            ConcurrentLinkedQueue<Integer> free = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < geometry.slotCount(); i++) {
                free.add(i);
            }
            AtomicIntegerArray outstanding = new AtomicIntegerArray(geometry.slotCount());
            AtomicLong offered = new AtomicLong();
            AtomicLong taken = new AtomicLong();
            long perProducer = 200_000;
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (long i = 0; i < perProducer; ) {
                        Integer slot = free.poll();
                        if (slot == null) {
                            Thread.onSpinWait();
                            continue;
                        }
                        assertEquals(0, outstanding.getAndIncrement(slot), "slot offered twice");
                        offered.incrementAndGet();
                        queue.offer(slot);
                        i++;
                    }
                }));
            }
            long total = 3 * perProducer;
            for (int c = 0; c < 2; c++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    while (taken.get() < total) {
                        int slot = queue.poll();
                        if (slot >= 0) {
                            assertEquals(1, outstanding.getAndDecrement(slot), "slot " + slot + " taken twice");
                            taken.incrementAndGet();
                            free.add(slot);
                        } else {
                            assertEquals(SubmitQueue.EMPTY, slot);
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(total, offered.get());
            assertEquals(total, taken.get());
            assertEquals(SubmitQueue.EMPTY, queue.poll());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void positionsWrapAt2To48_theQueueKeepsWorking() throws Exception {
        RingGeometry geometry = new RingGeometry(8, 4096, 100_000_000L);
        Path file = TestSegments.fresh("queue-wrap");
        try (RingSegment segment = TestSegments.create(file, geometry)) {
            RingHeader.format(segment, geometry, 1);
            long start = (1L << 48) - 20;
            // The queue as the lap before `start` left it: every cell consumed, head and tail at `start`.
            for (long p = start - geometry.queueCapacity(); p < start; p++) {
                segment.setLongPlain(geometry.queueOffset() + (p & 7) * 8, (p + 1) << 16);
            }
            segment.setLongVolatile(QUEUE_HEAD_OFFSET, start);
            segment.setLongVolatile(dev.vos.ring.layout.HeaderLayout.QUEUE_TAIL_OFFSET, start);
            SubmitQueue queue = new SubmitQueue(segment, geometry);
            for (int i = 0; i < 100; i++) {
                assertEquals(SubmitQueue.EMPTY, queue.poll());
                queue.offer(i % 8);
                queue.offer((i + 3) % 8);
                assertEquals(i % 8, queue.poll(), "at position " + (start + 2L * i));
                assertEquals((i + 3) % 8, queue.poll());
            }
            assertEquals(start + 200, segment.getLongVolatile(QUEUE_HEAD_OFFSET));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void corruptCells_readAsEmptyOrInvalid_neverSpin() throws Exception {
        RingGeometry geometry = new RingGeometry(8, 4096, 100_000_000L);
        Path file = TestSegments.fresh("queue-corrupt");
        try (RingSegment segment = TestSegments.create(file, geometry)) {
            RingHeader.format(segment, geometry, 1);
            SubmitQueue queue = new SubmitQueue(segment, geometry);
            long cell0 = geometry.queueOffset();
            segment.setLongVolatile(cell0, (1000L << 16) | 3); // a cell "from the future"
            assertEquals(SubmitQueue.EMPTY, queue.poll());
            segment.setLongVolatile(cell0, (1L << 16) | 9999); // published for position 0, but no such slot
            assertEquals(SubmitQueue.INVALID, queue.poll());
            assertEquals(1, segment.getLongVolatile(QUEUE_HEAD_OFFSET), "the bad entry is consumed, not retried");
            segment.setLongVolatile(QUEUE_HEAD_OFFSET, -12345); // a client that scribbles on the head
            assertEquals(SubmitQueue.EMPTY, queue.poll());
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
