package dev.vos.controlplane.status;

import dev.vos.controlplane.metrics.RingFigures;
import dev.vos.controlplane.supervisor.DomainStatus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last few minutes of each domain's figures, one sample a second, for the status page's charts: calls per
 * second, mean service time, restarts. Bounded: {@link #SAMPLES} per domain, the oldest dropped.
 *
 * <p>Thread-safe: one sampler thread adds, page requests read; both under this object's lock.
 */
final class StatusHistory {

    /** Samples kept per domain: five minutes at one a second. */
    static final int SAMPLES = 300;

    /** What was read at one moment. */
    record Sample(long timeMs, long generation, int restarts, long calls, long latencySumNs, long latencyCount) {
    }

    /**
     * One chart point.
     *
     * @param timeMs             when
     * @param callsPerSecond     calls served per second since the previous sample
     * @param meanServiceSeconds mean service time of the sampled calls since the previous sample; NaN when none
     * @param restarts           restarts so far
     */
    record Point(long timeMs, double callsPerSecond, double meanServiceSeconds, int restarts) {
    }

    private final Map<String, Deque<Sample>> byDomain = new LinkedHashMap<>();

    synchronized void add(long timeMs, DomainStatus status, RingFigures figures) {
        long calls = figures == null ? 0 : figures.callsServed();
        long sum = figures == null || figures.latencySumNs() < 0 ? 0 : figures.latencySumNs();
        long[] counts = figures == null ? new long[0] : figures.latencyBucketCounts();
        long count = counts.length == 0 ? 0 : counts[counts.length - 1];
        Deque<Sample> samples = byDomain.computeIfAbsent(status.name(), d -> new ArrayDeque<>());
        samples.addLast(new Sample(timeMs, status.generation(), status.restarts(), calls, sum, count));
        while (samples.size() > SAMPLES) {
            samples.removeFirst();
        }
    }

    /** Each domain's chart points, oldest first. */
    synchronized Map<String, List<Point>> points() {
        Map<String, List<Point>> out = new LinkedHashMap<>();
        byDomain.forEach((domain, samples) -> {
            List<Point> points = new ArrayList<>();
            Sample previous = null;
            for (Sample s : samples) {
                if (previous != null && s.timeMs() > previous.timeMs()) {
                    double seconds = (s.timeMs() - previous.timeMs()) / 1000.0;
                    // A new generation's counters start from 0: what it counted is then all new.
                    boolean reset = s.calls() < previous.calls() || s.generation() != previous.generation();
                    long calls = reset ? s.calls() : s.calls() - previous.calls();
                    long count = reset ? s.latencyCount() : s.latencyCount() - previous.latencyCount();
                    long sum = reset ? s.latencySumNs() : s.latencySumNs() - previous.latencySumNs();
                    points.add(new Point(s.timeMs(), Math.max(0, calls) / seconds,
                            count > 0 && sum >= 0 ? sum / 1e9 / count : Double.NaN, s.restarts()));
                }
                previous = s;
            }
            out.put(domain, points);
        });
        return out;
    }
}
