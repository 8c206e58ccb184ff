package dev.vos.perf.remote;

import dev.vos.perf.EventSpec;
import dev.vos.perf.PerfEvent;
import dev.vos.perf.PerfException;
import dev.vos.perf.counting.CounterCollector;
import dev.vos.perf.counting.CounterReading;
import dev.vos.perf.counting.EventAvailability;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.counting.ThreadNamer;
import dev.vos.perf.counting.ThreadReading;
import dev.vos.perf.export.JsonIntervalWriter;
import dev.vos.perf.workload.WorkloadProcess;
import org.junit.jupiter.api.Test;

import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seam for a collector that runs where the threads are (inside a Xen guest): what it publishes is read back
 * on the other side as the same intervals, and a live collector's stream, read through a pipe, adds up to what
 * the collector counted.
 */
class IntervalStreamTest {

    private static final EventSpec TASK_CLOCK = EventSpec.of(PerfEvent.TASK_CLOCK);
    private static final EventSpec CS_USER = EventSpec.parse("cs:u");

    @Test
    void parseInterval_whatTheWriterWrote_sameCountsNamesAndFlags() {
        Map<EventSpec, CounterReading> c = new LinkedHashMap<>();
        c.put(TASK_CLOCK, new CounterReading(TASK_CLOCK, 900, 300, 300.0, 1.0, 300));
        c.put(CS_USER, new CounterReading(CS_USER, 7, 2, 2.0, 0.5, 150));
        Interval iv = new Interval(42, Instant.parse("2026-12-04T01:02:03.456Z"), 3, 1_000_000_000L,
                List.of(new ThreadReading(43, "pool \"1\", worker", true, c)), 5, 4, false, 1234,
                List.of(new CounterReading(TASK_CLOCK, 2000, 700, 700.0, 1.0, 700)));
        Interval back = IntervalStream.parseInterval(JsonIntervalWriter.line(iv, "net0"), new HashMap<>());
        assertEquals(iv.pid(), back.pid());
        assertEquals(iv.at(), back.at());
        assertEquals(3, back.sequence());
        assertEquals(1_000_000_000L, back.intervalNs());
        assertEquals(5, back.threadsStarted());
        assertEquals(4, back.threadsEnded());
        assertEquals(1234, back.collectorCpuNs());
        ThreadReading t = back.threads().getFirst();
        assertEquals("pool \"1\", worker", t.name());
        assertTrue(t.ended());
        assertEquals(List.of(TASK_CLOCK, CS_USER), List.copyOf(t.counters().keySet()), "events and their modifiers");
        assertEquals(new CounterReading(CS_USER, 7, 2, 2.0, 0.5, 150), t.get(CS_USER));
        assertEquals(700, back.process(TASK_CLOCK).delta());
    }

    @Test
    void parseHeader_otherVersion_refusedNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IntervalStream.parseHeader("{\"vos_perf_stream\":2,\"pid\":1,\"domain\":\"\",\"user_only\":false,"
                        + "\"events\":[]}"));
        assertEquals("vos perf stream version 2 is not this reader's 1", e.getMessage());
        IntervalStream.Header h = IntervalStream.parseHeader(IntervalStream.header(42, "net0", true, List.of(
                new EventAvailability(TASK_CLOCK.userOnly(), true, ""),
                new EventAvailability(EventSpec.of(PerfEvent.CYCLES), false, "not supported: no hardware PMU"))));
        assertEquals(42, h.pid());
        assertEquals("net0", h.domain());
        assertTrue(h.userOnly());
        assertEquals(TASK_CLOCK.userOnly(), h.availability().getFirst().event());
        assertFalse(h.availability().get(1).available());
    }

    @Test
    void open_notAStream_saysWhatItGot() {
        PerfException e = assertThrows(PerfException.class,
                () -> StreamIntervalSource.open(new StringReader("{\"time\":1}\n"), "guest net0"));
        assertTrue(e.getMessage().startsWith("guest net0: not a vos perf stream"), e.getMessage());
    }

    @Test
    void publish_liveCollectorThroughAPipe_readerAddsUpToWhatWasCounted() throws Exception {
        try (WorkloadProcess w = WorkloadProcess.start(List.of(), "work-a:200:0", "spawn:5:5:50");
             CounterCollector c = CounterCollector.attach(w.pid(), List.of(PerfEvent.TASK_CLOCK,
                     PerfEvent.CONTEXT_SWITCHES), ThreadNamer.COMM)) {
            PipedWriter pipe = new PipedWriter();
            PipedReader in = new PipedReader(pipe, 1 << 20);
            long[] published = new long[1];
            Thread guest = Thread.ofPlatform().start(() -> {
                try (pipe) {
                    w.send("go");
                    w.awaitDone(2);
                    IntervalPublisher.publish(c, "net0", Duration.ofMillis(100), Duration.ofMillis(300), pipe);
                    published[0] = c.poll().process().getFirst().total();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long read = 0;
            long lastTotal = 0;
            try (StreamIntervalSource s = StreamIntervalSource.open(in, "pipe")) {
                assertEquals("net0", s.header().domain());
                assertEquals(w.pid(), s.header().pid());
                for (Interval iv; (iv = s.take()) != null; ) {
                    read += iv.process().getFirst().delta();
                    lastTotal = iv.process().getFirst().total();
                }
                assertNull(s.take());
            }
            guest.join();
            // The workload's threads burn 200 + 5 x 5 + 50 ms of their own CPU time after "go", which comes after
            // the attach: that much is certain; what its JVM adds on top is not (288.6 ms was seen against 290).
            assertTrue(read >= 275e6, "the workload's 200 + 5 x 5 + 50 ms: " + read);
            assertEquals(lastTotal, read, "the stream's deltas add up to its total");
            // The collector's own total, read once more after the stream ended (an idle JVM adds little).
            assertEquals(published[0], read, published[0] * 0.01);
        }
    }
}
