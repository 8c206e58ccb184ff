package dev.vos.perf.ring;

import java.lang.foreign.MemorySegment;

/** Receives what a {@link SampleRing} decodes. Called on the draining thread. */
public interface RecordHandler {

    /** A sample. */
    void onSample(Sample sample);

    /** The kernel reports {@code count} samples dropped (PERF_RECORD_LOST or LOST_SAMPLES). */
    void onLost(long count);

    /**
     * A record of another type (FORK, COMM, EXIT, THROTTLE, ...), whole, header included; valid only during the
     * call. The default ignores it.
     */
    default void onOther(int type, MemorySegment record) {
    }
}
