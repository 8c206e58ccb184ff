package dev.vos.perf.remote;

import dev.vos.perf.PerfException;
import dev.vos.perf.counting.CounterCollector;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.export.JsonIntervalWriter;

import java.io.Writer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The collector's side of an {@link IntervalStream}, for running where the threads are: inside a Xen guest, by the
 * guest's agent, with the stream going to the control plane over the agent's channel. Polls a collector every
 * interval (tracking new threads every 10 ms in between) and writes each interval as one line, until the target
 * exits, the duration passes, or the thread is interrupted.
 */
public final class IntervalPublisher {

    /** Milliseconds between two {@link CounterCollector#track()} calls. */
    static final long TRACK_MS = 10;

    private IntervalPublisher() {
    }

    /**
     * Publishes {@code collector}'s intervals to {@code out}: the header first, then one line per interval.
     *
     * @param domain   the domain's name, or ""
     * @param duration how long; null: until the target exits or the thread is interrupted
     * @return intervals written
     */
    public static long publish(CounterCollector collector, String domain, Duration interval, Duration duration,
                               Writer out) throws PerfException {
        JsonIntervalWriter w = new JsonIntervalWriter(out, domain);
        w.writeLine(IntervalStream.header(collector.pid(), domain, collector.userOnly(), collector.availability()));
        long start = System.nanoTime();
        long deadline = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
        long next = start + interval.toNanos();
        long written = 0;
        while (true) {
            boolean interrupted = false;
            while (System.nanoTime() < Math.min(next, deadline)) {
                try {
                    TimeUnit.MILLISECONDS.sleep(TRACK_MS);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
                collector.track();
            }
            Interval iv = collector.poll();
            w.write(iv);
            written++;
            if (interrupted || iv.targetExited() || System.nanoTime() >= deadline) {
                return written;
            }
            next += interval.toNanos();
        }
    }
}
