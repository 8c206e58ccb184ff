package dev.vos.bench.support;

import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Pins the calling platform thread to one CPU and checks, from the kernel's own view, that it worked. */
public final class Pinning {

    private Pinning() {
    }

    /**
     * Pins the calling thread to {@code cpu}, then reads {@code Cpus_allowed_list} of {@code /proc/thread-self} to
     * confirm. Returns the thread's kernel id ({@code gettid}).
     *
     * @throws IllegalStateException if the pin fails or does not show (a machine with fewer CPUs, a cpuset)
     */
    public static int pinCurrentThread(int cpu) {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("refusing to pin a virtual thread's carrier");
        }
        int r = Linux.pinCurrentThread(cpu);
        if (r != 0) {
            throw new IllegalStateException("cannot pin thread to CPU " + cpu + ": " + Errno.name(-r)
                    + " (the benchmarks need CPUs 0 and 1)");
        }
        String allowed = allowedCpus();
        if (!allowed.equals(Integer.toString(cpu))) {
            throw new IllegalStateException("pinned to CPU " + cpu + " but the kernel says Cpus_allowed_list="
                    + allowed);
        }
        return Linux.gettid();
    }

    /** The calling thread's {@code Cpus_allowed_list} from {@code /proc/thread-self/status}. */
    public static String allowedCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
            return "?";
        } catch (IOException e) {
            return "? (" + e.getMessage() + ")";
        }
    }

    /**
     * For {@code @Setup(Level.Iteration)}: JMH runs a thread-scoped state's setup on the benchmark thread itself, so
     * the thread measured must be the one pinned in the trial setup. Fails if JMH changed threads.
     */
    public static void check(int pinnedTid, int cpu) {
        int tid = Linux.gettid();
        String allowed = allowedCpus();
        if (tid != pinnedTid || !allowed.equals(Integer.toString(cpu))) {
            throw new IllegalStateException("benchmark thread " + tid + " (CPUs " + allowed + ") is not thread "
                    + pinnedTid + " pinned to CPU " + cpu);
        }
    }
}
