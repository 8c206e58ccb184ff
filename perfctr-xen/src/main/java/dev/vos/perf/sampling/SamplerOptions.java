package dev.vos.perf.sampling;

import dev.vos.perf.PerfEvent;

/**
 * How to sample.
 *
 * @param event       the sampling event: cpu-clock (a software timer on the thread's CPU time) or a hardware one
 * @param frequencyHz samples per second of each thread's CPU time
 * @param dataPages   ring data pages per thread (a power of two); 0 chooses by thread count
 * @param maxStack    deepest callchain recorded (at most the kernel's perf_event_max_stack, 127 by default)
 */
public record SamplerOptions(PerfEvent event, int frequencyHz, int dataPages, int maxStack) {

    /** cpu-clock at 1 kHz with a ring size chosen by thread count and 127 frames. */
    public static final SamplerOptions DEFAULT = new SamplerOptions(PerfEvent.CPU_CLOCK, 1000, 0, 127);

    public SamplerOptions {
        if (frequencyHz < 1 || frequencyHz > 100_000) {
            throw new IllegalArgumentException("frequencyHz must be 1..100000, got " + frequencyHz);
        }
        if (dataPages < 0 || (dataPages > 0 && Integer.bitCount(dataPages) != 1)) {
            throw new IllegalArgumentException("dataPages must be 0 (auto) or a power of two, got " + dataPages);
        }
        if (maxStack < 1 || maxStack > 1024) {
            throw new IllegalArgumentException("maxStack must be 1..1024, got " + maxStack);
        }
    }

    /** A copy at another frequency. */
    public SamplerOptions withFrequency(int hz) {
        return new SamplerOptions(event, hz, dataPages, maxStack);
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
