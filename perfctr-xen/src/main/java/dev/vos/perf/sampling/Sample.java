package dev.vos.perf.sampling;

/**
 * One decoded PERF_RECORD_SAMPLE.
 *
 * @param pid       process id
 * @param tid       thread id
 * @param timeNs    perf clock time
 * @param ip        instruction pointer
 * @param frames    callchain addresses, innermost first, markers removed
 * @param kernelFrames how many of the first {@code frames} are kernel addresses
 */
public record Sample(int pid, int tid, long timeNs, long ip, long[] frames, int kernelFrames) {
}
