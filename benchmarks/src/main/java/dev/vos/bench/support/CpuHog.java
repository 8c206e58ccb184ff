package dev.vos.bench.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A loaded host, made on purpose: a child JVM whose {@code N} platform threads spin at normal priority, each a
 * runnable task for the scheduler, so that the load average climbs towards {@code N} whatever else runs. It exits
 * when its parent does ({@link ParentWatch}). {@link #start} runs one; {@link #loadAverage()} reads the 1-minute
 * load average from {@code /proc/loadavg}.
 *
 * <pre>usage: CpuHog THREADS</pre>
 */
public final class CpuHog {

    private CpuHog() {
    }

    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        ParentWatch.exitWhenParentDies(() -> { });
        for (int i = 0; i < threads; i++) {
            Thread.ofPlatform().name("vos-bench-hog-" + i).start(() -> {
                long x = 0;
                while (true) {
                    x = x * 6364136223846793005L + 1442695040888963407L; // work the JIT cannot remove
                    if (x == 42) {
                        System.out.print("");
                    }
                }
            });
        }
        System.out.println("hogging with " + threads + " threads");
        System.out.flush();
    }

    /**
     * Starts a hog of {@code threads} spinning threads; stop it with {@link Children#stop}. Where it runs matters
     * on a kernel with autogroups ({@code /proc/sys/kernel/sched_autogroup_enabled}), which share the CPUs fairly
     * between sessions first, then between the tasks of a session: {@code ownSession} starts it with
     * {@code setsid}, as another user's or service's workload would be (vos's processes then keep about their
     * session's share, whatever the load average); otherwise it is in this process's session, with the control
     * plane and the domains it starts, each of whose threads then gets about one {@code threads}-th of the CPUs
     * (the worst case).
     */
    public static Process start(int threads, boolean ownSession) throws IOException {
        return ownSession
                ? Children.startJvm(List.of("setsid"), CpuHog.class, "hogging", Duration.ofSeconds(60),
                        Integer.toString(threads))
                : Children.startJvm(CpuHog.class, "hogging", Duration.ofSeconds(60), Integer.toString(threads));
    }

    /** Whether the kernel shares CPUs between sessions first (autogroups). */
    public static boolean autogroups() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/sched_autogroup_enabled")).strip().equals("1");
        } catch (IOException e) {
            return false;
        }
    }

    /** The 1-minute load average, from {@code /proc/loadavg}. */
    public static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
    }

    /**
     * Waits until the 1-minute load average reaches {@code target} (it follows the runnable tasks with a one-minute
     * time constant, so this takes a minute or more), at most {@code max}; prints it every 10 s.
     *
     * @return the load average reached
     */
    public static double awaitLoad(double target, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        long nextPrint = 0;
        double load;
        while ((load = loadAverage()) < target && System.nanoTime() - deadline < 0) {
            if (System.nanoTime() - nextPrint > 0) {
                System.out.printf(Locale.ROOT, "  load average %.1f, waiting for %.0f%n", load, target);
                nextPrint = System.nanoTime() + 10_000_000_000L;
            }
            Thread.sleep(1_000);
        }
        return load;
    }
}
