package dev.vos.perf.ring;

/**
 * One decoded PERF_RECORD_SAMPLE.
 *
 * @param pid       process id
 * @param tid       thread id
 * @param timeNs    perf clock time
 * @param cpu       the CPU it was taken on
 * @param period    the events it stands for (ns of CPU time for the clocks)
 * @param ip        instruction pointer
 * @param frames    callchain addresses, innermost first, markers removed ({@code {ip}} without a callchain)
 * @param kernelFrames how many of the first {@code frames} are kernel addresses
 */
public record Sample(int pid, int tid, long timeNs, int cpu, long period, long ip, long[] frames, int kernelFrames) {
}
