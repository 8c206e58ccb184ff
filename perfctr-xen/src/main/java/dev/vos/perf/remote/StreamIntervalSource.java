package dev.vos.perf.remote;

import dev.vos.perf.EventSpec;
import dev.vos.perf.PerfException;
import dev.vos.perf.counting.CounterReading;
import dev.vos.perf.counting.EventAvailability;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.counting.IntervalSource;
import dev.vos.perf.counting.ThreadReading;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The host's end of a collector that runs where the threads are: reads an {@link IntervalStream} (from a guest's
 * agent, a pipe, or a file recorded with {@code vos perf stat --stream}) on a daemon thread, and hands what arrived
 * since the last {@link #poll()} over as one interval, so that whoever polls keeps its own pace.
 */
public final class StreamIntervalSource implements IntervalSource {

    private final BufferedReader in;
    private final String origin;
    private final IntervalStream.Header header;
    private final Map<String, EventSpec> events = new HashMap<>();
    private final ConcurrentLinkedQueue<Interval> queue = new ConcurrentLinkedQueue<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread reader;
    private volatile String failure;
    private volatile boolean exited;
    private long lastPollNs = System.nanoTime();
    private long sequence;

    private StreamIntervalSource(BufferedReader in, String origin, IntervalStream.Header header) {
        this.in = in;
        this.origin = origin;
        this.header = header;
        header.availability().forEach(a -> events.put(a.event().name(), a.event()));
        this.reader = Thread.ofPlatform().name("vos-perf-stream").daemon().unstarted(this::read);
    }

    /**
     * Reads the header now (blocking), then the intervals as they come.
     *
     * @param origin where the stream comes from, for messages ("guest net0", a file name)
     * @throws PerfException when the stream ends before its header or does not start with one
     */
    public static StreamIntervalSource open(Reader stream, String origin) throws PerfException {
        BufferedReader in = stream instanceof BufferedReader b ? b : new BufferedReader(stream);
        String first;
        try {
            first = in.readLine();
        } catch (IOException e) {
            throw new PerfException("cannot read the interval stream from " + origin + ": " + e.getMessage());
        }
        if (first == null) {
            throw new PerfException("the interval stream from " + origin + " is empty");
        }
        IntervalStream.Header h;
        try {
            h = IntervalStream.parseHeader(first);
        } catch (IllegalArgumentException e) {
            throw new PerfException(origin + ": " + e.getMessage());
        }
        StreamIntervalSource s = new StreamIntervalSource(in, origin, h);
        s.reader.start();
        return s;
    }

    private void read() {
        try {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                Interval iv = IntervalStream.parseInterval(line, events);
                queue.add(iv);
                if (iv.targetExited()) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = origin + ": " + e.getMessage();
        } finally {
            exited = true;
            ended.countDown();
        }
    }

    /** What the stream's header says. */
    public IntervalStream.Header header() {
        return header;
    }

    @Override
    public List<EventAvailability> availability() {
        return header.availability();
    }

    @Override
    public List<EventSpec> events() {
        return header.availability().stream().filter(EventAvailability::available).map(EventAvailability::event)
                .toList();
    }

    /** Waits up to {@code timeoutMs} for the stream to end (the collector's target exited, or it stopped). */
    public boolean awaitEnd(long timeoutMs) throws InterruptedException {
        return ended.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * The next interval as the collector wrote it, waiting for it; null once the stream has ended and every interval
     * was taken (a replay of a recorded stream; {@link #poll()} is for keeping one's own pace).
     *
     * @throws PerfException when the stream was cut by a bad line
     */
    public Interval take() throws PerfException, InterruptedException {
        while (true) {
            Interval iv = queue.poll();
            if (iv != null) {
                return iv;
            }
            if (ended.await(10, TimeUnit.MILLISECONDS) && queue.isEmpty()) {
                if (failure != null) {
                    throw new PerfException(failure);
                }
                return null;
            }
        }
    }

    /** Everything that arrived since the last poll, as one interval (empty when nothing did). */
    @Override
    public Interval poll() throws PerfException {
        long now = System.nanoTime();
        long wallNs = Math.max(1, now - lastPollNs);
        lastPollNs = now;
        List<Interval> got = new ArrayList<>();
        for (Interval iv; (iv = queue.poll()) != null; ) {
            got.add(iv);
        }
        if (got.isEmpty() && failure != null) {
            throw new PerfException(failure);
        }
        return merge(got, wallNs);
    }

    private Interval merge(List<Interval> got, long wallNs) {
        long intervalNs = got.isEmpty() ? wallNs : got.stream().mapToLong(Interval::intervalNs).sum();
        double seconds = intervalNs / 1e9;
        Map<Integer, ThreadReading> threads = new LinkedHashMap<>();
        Map<EventSpec, CounterReading> process = new LinkedHashMap<>();
        int started = 0;
        int endedThreads = 0;
        long cpu = 0;
        boolean exit = false;
        for (Interval iv : got) {
            for (ThreadReading t : iv.threads()) {
                ThreadReading before = threads.get(t.tid());
                threads.put(t.tid(), before == null ? t : new ThreadReading(t.tid(), t.name(),
                        before.ended() || t.ended(), add(before.counters(), t.counters())));
            }
            Map<EventSpec, CounterReading> p = new LinkedHashMap<>();
            iv.process().forEach(r -> p.put(r.event(), r));
            process.putAll(add(process, p));
            started += iv.threadsStarted();
            endedThreads += iv.threadsEnded();
            cpu += iv.collectorCpuNs();
            exit |= iv.targetExited();
        }
        List<ThreadReading> rows = new ArrayList<>();
        for (ThreadReading t : threads.values()) {
            rows.add(new ThreadReading(t.tid(), t.name(), t.ended(), rates(t.counters(), seconds)));
        }
        return new Interval(header.pid(), got.isEmpty() ? Instant.now() : got.getLast().at(), sequence++, intervalNs,
                Collections.unmodifiableList(rows), started, endedThreads, exit, cpu,
                List.copyOf(rates(process, seconds).values()));
    }

    /** Deltas and running times added, the later total and the smaller running fraction kept. */
    private static Map<EventSpec, CounterReading> add(Map<EventSpec, CounterReading> a,
                                                      Map<EventSpec, CounterReading> b) {
        Map<EventSpec, CounterReading> out = new LinkedHashMap<>(a);
        b.forEach((e, r) -> out.merge(e, r, (x, y) -> new CounterReading(e, y.total(), x.delta() + y.delta(), 0,
                Math.min(x.runningFraction(), y.runningFraction()), x.runningNs() + y.runningNs())));
        return out;
    }

    private static Map<EventSpec, CounterReading> rates(Map<EventSpec, CounterReading> m, double seconds) {
        Map<EventSpec, CounterReading> out = new LinkedHashMap<>();
        m.forEach((e, r) -> out.put(e, new CounterReading(e, r.total(), r.delta(), r.delta() / seconds,
                r.runningFraction(), r.runningNs())));
        return Collections.unmodifiableMap(out);
    }

    @Override
    public boolean targetExited() {
        return exited && queue.isEmpty();
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
        reader.interrupt();
    }
}
