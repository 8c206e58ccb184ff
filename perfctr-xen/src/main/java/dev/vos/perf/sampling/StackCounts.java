package dev.vos.perf.sampling;

import dev.vos.perf.flame.CollapsedStacks;
import dev.vos.perf.ring.RecordHandler;
import dev.vos.perf.ring.Sample;
import dev.vos.perf.symbols.Symbolizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Samples counted by thread and raw callchain while recording; symbolised once at the end, when the JVM's perf
 * map is complete and each distinct address is resolved once.
 */
public final class StackCounts implements RecordHandler {

    /** A thread and its callchain (innermost first), compared by content. */
    private record Key(int tid, int kernelFrames, long[] frames) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.tid == tid && k.kernelFrames == kernelFrames && Arrays.equals(k.frames,
                    frames);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * tid + kernelFrames) + Arrays.hashCode(frames);
        }
    }

    private final Map<Key, Long> counts = new HashMap<>();
    private final Map<Integer, Long> perThread = new HashMap<>();
    private long samples;
    private long lost;

    @Override
    public void onSample(Sample s) {
        counts.merge(new Key(s.tid(), s.kernelFrames(), s.frames()), 1L, Long::sum);
        perThread.merge(s.tid(), 1L, Long::sum);
        samples++;
    }

    @Override
    public void onLost(long count) {
        lost += count;
    }

    /** Samples per thread id. */
    public Map<Integer, Long> perThread() {
        return Map.copyOf(perThread);
    }

    public long samples() {
        return samples;
    }

    public long lost() {
        return lost;
    }

    /**
     * The collapsed stacks: the thread's name as the root frame, then the user frames outermost first, then the
     * kernel frames.
     */
    public CollapsedStacks collapse(Symbolizer symbols, IntFunction<String> threadName) {
        CollapsedStacks out = new CollapsedStacks();
        for (Map.Entry<Key, Long> e : counts.entrySet()) {
            Key k = e.getKey();
            List<String> frames = new ArrayList<>(k.frames.length + 1);
            frames.add(threadName.apply(k.tid));
            for (int i = k.frames.length - 1; i >= 0; i--) {
                frames.add(i < k.kernelFrames ? symbols.kernel(k.frames[i]) : symbols.user(k.frames[i]));
            }
            out.add(frames, e.getValue());
        }
        return out;
    }
}
