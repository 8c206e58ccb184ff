package dev.vos.perf.sampling;

/** Receives what a {@link SampleRing} decodes. Called on the draining thread. */
public interface RecordHandler {

    /** A sample. */
    void onSample(Sample sample);

    /** The kernel reports {@code count} samples dropped (PERF_RECORD_LOST or LOST_SAMPLES). */
    void onLost(long count);
}
