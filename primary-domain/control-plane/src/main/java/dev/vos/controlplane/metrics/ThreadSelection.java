package dev.vos.controlplane.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which threads of a domain get a CPU series of their own: at most {@code capacity}, chosen with hysteresis so that
 * the set (and with it the set of series Prometheus stores) stays still while the ranking jitters.
 *
 * <p>Why: ranking by the last interval alone made a series for every thread that was briefly busy (a GC or JIT
 * thread, a pool thread's first call). Over 2.5 minutes under load that was 410 per-thread series for 78 threads,
 * 105 of which lived less than 5 seconds; each one is a series Prometheus indexes for hours. Here a thread is
 * ranked by an exponentially smoothed CPU time per interval (weight {@link #SMOOTHING} on the newest), fills a free
 * place as soon as it has any CPU time, and takes an occupied place only when its smoothed time is more than
 * {@link #MARGIN} times that of the place's holder. A holder that ends or goes idle decays towards zero and is then
 * replaced by anything busy.
 *
 * <p>Threads are keyed by name, not by tid: a domain's threads have the same names in every generation, so the
 * series carry over a restart instead of being replaced by new ones.
 *
 * <p>Not thread-safe: the perf collector's one thread calls it.
 */
final class ThreadSelection {

    /** The weight of the newest interval in a thread's smoothed CPU time. */
    static final double SMOOTHING = 0.2;
    /** How many times a holder's smoothed CPU time a challenger needs to take its place. */
    static final double MARGIN = 2.0;
    /** Below this smoothed CPU time per interval (ns) a thread not selected is forgotten. */
    private static final double FORGET_NS = 1_000;

    private final int capacity;
    private final Map<String, Double> scores = new HashMap<>();
    private final Set<String> selected = new LinkedHashSet<>();

    /** @param capacity the most threads selected at once; 0 selects none (every thread goes to "other") */
    ThreadSelection(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Takes one interval's CPU time per thread name (threads of the same name summed) and returns the names
     * selected now, which the caller gives series of their own; every other name's time goes to "other".
     */
    Set<String> update(Map<String, Long> cpuNsByName) {
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            e.setValue(e.getValue() * (1 - SMOOTHING));
        }
        cpuNsByName.forEach((name, ns) -> scores.merge(name, SMOOTHING * ns, Double::sum));
        scores.entrySet().removeIf(e -> e.getValue() < FORGET_NS && !selected.contains(e.getKey())
                && !cpuNsByName.containsKey(e.getKey()));
        List<String> challengers = new ArrayList<>(scores.keySet());
        challengers.removeAll(selected);
        challengers.removeIf(name -> scores.get(name) <= 0);
        // Busiest first; ties by name, so that equal threads are chosen the same way every time.
        challengers.sort(Comparator.comparingDouble((String n) -> -scores.get(n)).thenComparing(n -> n));
        int next = 0;
        while (selected.size() < capacity && next < challengers.size()) {
            selected.add(challengers.get(next++));
        }
        while (next < challengers.size() && !selected.isEmpty()) {
            String challenger = challengers.get(next);
            String weakest = selected.stream().min(Comparator.comparingDouble((String n) -> scores.get(n))
                    .thenComparing(Comparator.reverseOrder())).orElseThrow();
            if (scores.get(challenger) <= MARGIN * scores.get(weakest)) {
                break;
            }
            selected.remove(weakest);
            selected.add(challenger);
            next++;
        }
        return Set.copyOf(selected);
    }
}
