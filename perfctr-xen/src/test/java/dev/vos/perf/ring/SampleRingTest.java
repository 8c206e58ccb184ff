package dev.vos.perf.ring;

import dev.vos.perf.sys.MmapPageDescriptor;
import dev.vos.perf.sys.RecordDescriptor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The decoder on a ring this test writes as the kernel would, including records that wrap around its end. */
class SampleRingTest {

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment meta = arena.allocate(4096, 8);
    private final MemorySegment data = arena.allocate(256, 8);
    private final SampleRing ring = new SampleRing(meta, data, arena.allocate(65_536, 8));
    private long head;

    private final List<Sample> samples = new ArrayList<>();
    private final long[] lost = new long[1];
    private final RecordHandler handler = new RecordHandler() {
        public void onSample(Sample s) {
            samples.add(s);
        }

        public void onLost(long n) {
            lost[0] += n;
        }
    };

    /** Writes one record at head, byte by byte modulo the ring size, as the kernel's output code does. */
    private void write(long[] words, int type) {
        int size = words.length * 8 + RecordDescriptor.HEADER_LENGTH;
        MemorySegment rec = arena.allocate(size, 8);
        rec.set(JAVA_INT, RecordDescriptor.TYPE_OFFSET, type);
        rec.set(JAVA_SHORT, RecordDescriptor.SIZE_OFFSET, (short) size);
        for (int i = 0; i < words.length; i++) {
            rec.set(JAVA_LONG, RecordDescriptor.HEADER_LENGTH + i * 8L, words[i]);
        }
        for (int i = 0; i < size; i++) {
            data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, (head + i) & (data.byteSize() - 1),
                    rec.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i));
        }
        head += size;
        meta.set(JAVA_LONG, MmapPageDescriptor.DATA_HEAD_OFFSET, head);
    }

    private void sample(int pid, int tid, long time, long ip, long... chain) {
        long[] w = new long[6 + chain.length];
        w[0] = ip;
        w[1] = ((long) tid << 32) | pid; // little endian: pid in the low word, tid in the high
        w[2] = time;
        w[3] = 1; // cpu 1, res 0
        w[4] = 1_000_000; // period
        w[5] = chain.length;
        System.arraycopy(chain, 0, w, 6, chain.length);
        write(w, RecordDescriptor.PERF_RECORD_SAMPLE);
    }

    @Test
    void drain_sampleWithKernelAndUserChain_markersDroppedAndKernelFramesCounted() {
        sample(10, 11, 12345, 0xffffffff81000010L, RecordDescriptor.PERF_CONTEXT_KERNEL, 0xffffffff81000010L,
                0xffffffff81000020L, RecordDescriptor.PERF_CONTEXT_USER, 0x401000L, 0x402000L);
        assertEquals(1, ring.drain(handler));
        Sample s = samples.getFirst();
        assertEquals(10, s.pid());
        assertEquals(11, s.tid());
        assertEquals(12345, s.timeNs());
        assertEquals(1, s.cpu());
        assertEquals(1_000_000, s.period());
        assertArrayEquals(new long[]{0xffffffff81000010L, 0xffffffff81000020L, 0x401000L, 0x402000L}, s.frames());
        assertEquals(2, s.kernelFrames());
        assertEquals(head, meta.get(JAVA_LONG, MmapPageDescriptor.DATA_TAIL_OFFSET), "tail published up to head");
    }

    @Test
    void drain_recordsWrapAroundTheEnd_decodedWhole() {
        // Records of 56 and 64 bytes in a 256-byte ring: positions stop aligning with the end after a few.
        for (int round = 0; round < 20; round++) {
            sample(1, 100 + round, round, 0x1000 + round, 0x1000 + round, 0x2000 + round);
            sample(1, 200 + round, round, 0x3000 + round, 0x3000 + round, 0x4000 + round, 0x5000 + round);
            ring.drain(handler);
        }
        assertEquals(40, samples.size());
        for (int round = 0; round < 20; round++) {
            Sample a = samples.get(2 * round);
            Sample b = samples.get(2 * round + 1);
            assertEquals(100 + round, a.tid());
            assertArrayEquals(new long[]{0x1000 + round, 0x2000 + round}, a.frames());
            assertEquals(200 + round, b.tid());
            assertArrayEquals(new long[]{0x3000 + round, 0x4000 + round, 0x5000 + round}, b.frames());
        }
        assertEquals(40, ring.samples());
    }

    @Test
    void drain_lostAndLostSamplesRecords_counted() {
        write(new long[]{7, 5, 0, 0}, RecordDescriptor.PERF_RECORD_LOST); // id, lost, sample_id
        write(new long[]{3, 0, 0}, RecordDescriptor.PERF_RECORD_LOST_SAMPLES); // lost, sample_id
        write(new long[]{0, 0, 0, 0}, RecordDescriptor.PERF_RECORD_THROTTLE);
        assertEquals(3, ring.drain(handler));
        assertEquals(8, lost[0]);
        assertEquals(8, ring.lost());
        assertEquals(1, ring.otherRecords());
    }

    @Test
    void drain_handlerThrows_tailStillPublishedUpToTheRecordBefore() {
        sample(1, 2, 3, 4, 4);
        long first = head;
        sample(1, 2, 3, 5, 5);
        RecordHandler failing = new RecordHandler() {
            int n;

            public void onSample(Sample s) {
                if (n++ == 1) {
                    throw new IllegalStateException("handler failed");
                }
            }

            public void onLost(long count) {
            }
        };
        assertThrows(IllegalStateException.class, () -> ring.drain(failing));
        assertEquals(first, meta.get(JAVA_LONG, MmapPageDescriptor.DATA_TAIL_OFFSET));
    }

    @Test
    void drain_recordLongerThanPublished_isRejected() {
        data.set(JAVA_SHORT, RecordDescriptor.SIZE_OFFSET, (short) 64);
        meta.set(JAVA_LONG, MmapPageDescriptor.DATA_HEAD_OFFSET, 32);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ring.drain(handler));
        assertEquals("bad record at position 0: size=64, head=32", e.getMessage());
    }
}
