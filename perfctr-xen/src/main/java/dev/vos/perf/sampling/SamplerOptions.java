package dev.vos.perf.sampling;

import dev.vos.perf.EventSpec;
import dev.vos.perf.PerfEvent;

/**
 * How to sample, as {@code perf record} is told: the event ({@code -e}), a frequency ({@code -F}) or a period
 * ({@code -c}), and whether to record call chains ({@code -g}, {@code --call-graph fp|no}).
 *
 * @param event     the sampling event: cpu-clock (a software timer on the thread's CPU time) or any counting one
 * @param rate      samples per second of each thread's time when {@code frequency}, else events per sample
 * @param frequency true: {@code rate} is a frequency in Hz (perf's {@code -F}); false: a period (perf's {@code -c})
 * @param callchain record each sample's call chain (frame pointers), or only where it was
 * @param dataPages ring data pages per thread (a power of two); 0 chooses by thread count
 * @param maxStack  deepest callchain recorded (at most the kernel's perf_event_max_stack, 127 by default)
 */
public record SamplerOptions(EventSpec event, long rate, boolean frequency, boolean callchain, int dataPages,
                             int maxStack) {

    /** cpu-clock at 1 kHz with call chains, a ring size chosen by thread count and 127 frames. */
    public static final SamplerOptions DEFAULT = new SamplerOptions(EventSpec.of(PerfEvent.CPU_CLOCK), 1000, true,
            true, 0, 127);

    public SamplerOptions {
        if (frequency && (rate < 1 || rate > 100_000)) {
            throw new IllegalArgumentException("frequency must be 1..100000 Hz, got " + rate);
        }
        if (!frequency && rate < 1) {
            throw new IllegalArgumentException("period must be at least 1 event, got " + rate);
        }
        if (dataPages < 0 || (dataPages > 0 && Integer.bitCount(dataPages) != 1)) {
            throw new IllegalArgumentException("dataPages must be 0 (auto) or a power of two, got " + dataPages);
        }
        if (maxStack < 1 || maxStack > 1024) {
            throw new IllegalArgumentException("maxStack must be 1..1024, got " + maxStack);
        }
    }

    /** A copy at another frequency. */
    public SamplerOptions withFrequency(long hz) {
        return new SamplerOptions(event, hz, true, callchain, dataPages, maxStack);
    }

    /** A copy taking a sample every {@code events} events. */
    public SamplerOptions withPeriod(long events) {
        return new SamplerOptions(event, events, false, callchain, dataPages, maxStack);
    }

    /** A copy sampling {@code e}. */
    public SamplerOptions withEvent(EventSpec e) {
        return new SamplerOptions(e, rate, frequency, callchain, dataPages, maxStack);
    }

    /** A copy with or without call chains. */
    public SamplerOptions withCallchain(boolean on) {
        return new SamplerOptions(event, rate, frequency, on, dataPages, maxStack);
    }

    /** A copy with {@code pages} ring data pages per thread. */
    public SamplerOptions withDataPages(int pages) {
        return new SamplerOptions(event, rate, frequency, callchain, pages, maxStack);
    }

    /**
     * Data pages for a thread when {@link #dataPages} is 0: 16 (64 KiB, about 60 ms of deep stacks at 1 kHz) while
     * there are few threads, fewer as their number grows, so 1000 threads stay near 16 MiB of locked memory.
     */
    int pagesFor(int threads) {
        if (dataPages > 0) {
            return dataPages;
        }
        return threads <= 64 ? 16 : threads <= 256 ? 8 : 4;
    }
}
