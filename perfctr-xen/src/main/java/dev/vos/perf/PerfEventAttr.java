package dev.vos.perf;

import dev.vos.perf.sys.PerfEventAttrDescriptor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.vos.perf.sys.PerfEventAttrDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Fills a {@code struct perf_event_attr} for the three uses the collector has: a counter, a tracker of threads and
 * a sampler. The struct's layout is the kernel's ({@link PerfEventAttrDescriptor}, in {@code sys}); which flags,
 * read format and sample type an {@link EventSpec} is opened with is the collector's choice, so it lives here,
 * beside the events.
 */
public final class PerfEventAttr {

    /** What every counter reads: the group, its scaling times, and each member's id. */
    public static final long COUNTING_READ_FORMAT = FORMAT_GROUP | FORMAT_TOTAL_TIME_ENABLED
            | FORMAT_TOTAL_TIME_RUNNING | FORMAT_ID;

    /** What every sample carries (without the call chain when it is not asked for). */
    public static final long SAMPLE_TYPE = SAMPLE_IP | SAMPLE_TID | SAMPLE_TIME | SAMPLE_CPU | SAMPLE_PERIOD
            | SAMPLE_CALLCHAIN;

    /** What ends a tracking event's FORK, COMM, EXIT and LOST records: {@code u64 time, u64 id}. */
    public static final long TRACKING_SAMPLE_TYPE = SAMPLE_TIME | SAMPLE_IDENTIFIER;

    private PerfEventAttr() {
    }

    /** A zeroed attr of {@link PerfEventAttrDescriptor#SIZE} bytes in {@code arena}. */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(SIZE, 8);
    }

    /**
     * A counting event, counting at once, following the threads the task creates from now on when {@code inherit}.
     */
    public static MemorySegment counting(MemorySegment attr, EventSpec event, boolean inherit, boolean enableOnExec) {
        return counting(attr, event, inherit, enableOnExec, false);
    }

    /**
     * A counting event: following the threads the task creates from now on when {@code inherit}; from the task's
     * next exec when {@code enableOnExec} (as perf's command mode counts); created stopped when {@code disabled} (a
     * group's leader, enabled with its whole group once every member is there: a member added to a running group
     * only starts when the group is next scheduled, which for a CPU-wide group may be never).
     */
    public static MemorySegment counting(MemorySegment attr, EventSpec event, boolean inherit, boolean enableOnExec,
                                         boolean disabled) {
        attr.fill((byte) 0);
        attr.set(JAVA_INT, TYPE_OFFSET, event.type());
        attr.set(JAVA_INT, SIZE_OFFSET, SIZE);
        attr.set(JAVA_LONG, CONFIG_OFFSET, event.config());
        attr.set(JAVA_LONG, READ_FORMAT_OFFSET, COUNTING_READ_FORMAT);
        attr.set(JAVA_LONG, FLAGS_OFFSET, levels(event) | (inherit ? FLAG_INHERIT : 0)
                | (enableOnExec ? FLAG_DISABLED | FLAG_ENABLE_ON_EXEC : 0) | (disabled ? FLAG_DISABLED : 0));
        return attr;
    }

    /**
     * A tracking event on one CPU: counts nothing ({@code PERF_COUNT_SW_DUMMY}), but, inherited by every thread the
     * task creates, writes a FORK, COMM and EXIT record as each of them starts, is named and ends, each ending in the
     * id of the event it came through ({@code sample_id_all} with {@code IDENTIFIER}; an inherited copy reports its
     * parent's id, so the id names the attached thread the new one descends from) and the time, in
     * {@code CLOCK_MONOTONIC} ns: the clock of {@code System.nanoTime()}, so that a thread's creation can be placed
     * before or after the moment a counter was opened.
     */
    public static MemorySegment tracking(MemorySegment attr, boolean userOnly) {
        attr.fill((byte) 0);
        attr.set(JAVA_INT, TYPE_OFFSET, PERF_TYPE_SOFTWARE);
        attr.set(JAVA_INT, SIZE_OFFSET, SIZE);
        attr.set(JAVA_LONG, CONFIG_OFFSET, SW_DUMMY);
        attr.set(JAVA_LONG, SAMPLE_TYPE_OFFSET, TRACKING_SAMPLE_TYPE);
        attr.set(JAVA_LONG, FLAGS_OFFSET, FLAG_INHERIT | FLAG_TASK | FLAG_COMM | FLAG_SAMPLE_ID_ALL | FLAG_EXCLUDE_HV
                | FLAG_USE_CLOCKID | (userOnly ? FLAG_EXCLUDE_KERNEL : 0));
        attr.set(JAVA_INT, CLOCKID_OFFSET, CLOCK_MONOTONIC);
        return attr;
    }

    /**
     * A sampling event, created disabled: it is enabled once its ring is mapped, so that no sample is taken before
     * there is a reader.
     *
     * @param frequency  true: {@code rate} is samples per second of the thread's time; false: a sample every
     *                   {@code rate} events (perf's {@code -c})
     * @param callchain  record the call chain (frame pointers), or only the instruction pointer
     */
    public static MemorySegment sampling(MemorySegment attr, EventSpec event, long rate, boolean frequency,
                                         boolean callchain, int maxStack) {
        attr.fill((byte) 0);
        attr.set(JAVA_INT, TYPE_OFFSET, event.type());
        attr.set(JAVA_INT, SIZE_OFFSET, SIZE);
        attr.set(JAVA_LONG, CONFIG_OFFSET, event.config());
        attr.set(JAVA_LONG, SAMPLE_PERIOD_OFFSET, rate);
        attr.set(JAVA_LONG, SAMPLE_TYPE_OFFSET, callchain ? SAMPLE_TYPE : SAMPLE_TYPE & ~SAMPLE_CALLCHAIN);
        attr.set(JAVA_LONG, FLAGS_OFFSET, FLAG_DISABLED | (frequency ? FLAG_FREQ : 0) | FLAG_SAMPLE_ID_ALL
                | FLAG_COMM | levels(event) | (event.excludeKernel() ? FLAG_EXCLUDE_CALLCHAIN_KERNEL : 0));
        // wakeup_events stays 0: the reader polls, so the kernel need only wake it at its default watermark (half
        // the ring). 1 here would queue a wake-up (an irq_work, a self-interrupt) after every single sample.
        attr.set(JAVA_SHORT, SAMPLE_MAX_STACK_OFFSET, (short) maxStack);
        return attr;
    }

    /** The privilege-level and precision bits of an event's modifiers. */
    private static long levels(EventSpec e) {
        return (e.excludeUser() ? FLAG_EXCLUDE_USER : 0) | (e.excludeKernel() ? FLAG_EXCLUDE_KERNEL : 0)
                | (e.excludeHv() ? FLAG_EXCLUDE_HV : 0) | ((long) e.precise() << PRECISE_IP_SHIFT);
    }
}
