package dev.vos.perf;

import dev.vos.perf.sys.PerfEventAttrDescriptor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.vos.perf.sys.PerfEventAttrDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Fills a {@code struct perf_event_attr} for the two uses the collector has: a counter and a sampler. The struct's
 * layout is the kernel's ({@link PerfEventAttrDescriptor}, in {@code sys}); which flags, read format and sample
 * type a {@link PerfEvent} is opened with is the collector's choice, so it lives here, beside the events.
 */
public final class PerfEventAttr {

    /** What every counter reads: the group, its scaling times, and each member's id. */
    public static final long COUNTING_READ_FORMAT = FORMAT_GROUP | FORMAT_TOTAL_TIME_ENABLED
            | FORMAT_TOTAL_TIME_RUNNING | FORMAT_ID;

    /** What every sample carries. */
    public static final long SAMPLE_TYPE = SAMPLE_IP | SAMPLE_TID | SAMPLE_TIME | SAMPLE_CALLCHAIN;

    private PerfEventAttr() {
    }

    /** A zeroed attr of {@link PerfEventAttrDescriptor#SIZE} bytes in {@code arena}. */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(SIZE, 8);
    }

    /**
     * A counting event that starts counting at once (so a thread's counts begin when it is found).
     *
     * @param userOnly set {@code exclude_kernel}: what an unprivileged watcher gets at {@code perf_event_paranoid=2}
     */
    public static MemorySegment counting(MemorySegment attr, PerfEvent event, boolean userOnly) {
        attr.fill((byte) 0);
        attr.set(JAVA_INT, TYPE_OFFSET, event.type());
        attr.set(JAVA_INT, SIZE_OFFSET, SIZE);
        attr.set(JAVA_LONG, CONFIG_OFFSET, event.config());
        attr.set(JAVA_LONG, READ_FORMAT_OFFSET, COUNTING_READ_FORMAT);
        attr.set(JAVA_LONG, FLAGS_OFFSET, FLAG_EXCLUDE_HV | (userOnly ? FLAG_EXCLUDE_KERNEL : 0));
        return attr;
    }

    /**
     * A sampling event at {@code frequencyHz}, created disabled: it is enabled once its ring is mapped, so that no
     * sample is taken before there is a reader.
     */
    public static MemorySegment sampling(MemorySegment attr, PerfEvent event, int frequencyHz, int maxStack,
                                         boolean userOnly) {
        attr.fill((byte) 0);
        attr.set(JAVA_INT, TYPE_OFFSET, event.type());
        attr.set(JAVA_INT, SIZE_OFFSET, SIZE);
        attr.set(JAVA_LONG, CONFIG_OFFSET, event.config());
        attr.set(JAVA_LONG, SAMPLE_PERIOD_OFFSET, frequencyHz);
        attr.set(JAVA_LONG, SAMPLE_TYPE_OFFSET, SAMPLE_TYPE);
        attr.set(JAVA_LONG, FLAGS_OFFSET, FLAG_DISABLED | FLAG_FREQ | FLAG_EXCLUDE_HV | FLAG_SAMPLE_ID_ALL
                | (userOnly ? FLAG_EXCLUDE_KERNEL | FLAG_EXCLUDE_CALLCHAIN_KERNEL : 0));
        // wakeup_events stays 0: the reader polls, so the kernel need only wake it at its default watermark (half
        // the ring). 1 here would queue a wake-up (an irq_work, a self-interrupt) after every single sample.
        attr.set(JAVA_SHORT, SAMPLE_MAX_STACK_OFFSET, (short) maxStack);
        return attr;
    }
}
