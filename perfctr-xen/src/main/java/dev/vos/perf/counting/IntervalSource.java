package dev.vos.perf.counting;

import dev.vos.perf.EventSpec;
import dev.vos.perf.PerfException;

import java.util.List;

/**
 * Where intervals come from: a collector on this machine's threads ({@link CounterCollector}), on its CPUs
 * ({@link CpuCollector}), or one that runs where the threads are (inside a Xen guest) and reports its intervals over
 * a stream ({@code dev.vos.perf.remote.StreamIntervalSource}). Whatever prints, exports or serves intervals takes
 * this, so a domain counted from inside its guest is printed and exported exactly as a local one.
 *
 * <p>Not thread-safe: one thread polls.
 */
public interface IntervalSource extends AutoCloseable {

    /** Each event asked for, with whether it is counted and if not, why. */
    List<EventAvailability> availability();

    /** The events counted, in the order asked for. */
    List<EventSpec> events();

    /** Everything since the previous poll (since attaching, for the first). */
    Interval poll() throws PerfException;

    /** Between polls, as often as the caller likes: keeps up with threads as they start (a no-op by default). */
    default void track() {
    }

    /** True once the target has gone; later polls are empty. */
    boolean targetExited();

    /** Notes for the person watching (why some threads have no row of their own, ...); none by default. */
    default List<String> notes() {
        return List.of();
    }

    @Override
    void close();
}
