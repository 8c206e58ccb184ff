package dev.vos.bench.perf;

import dev.vos.bench.support.ParentWatch;

/**
 * The target of {@link AttachTime}: N platform threads that spin from the start (what a tool attaching to a busy
 * service meets), until stdin closes or says anything. Prints "ready PID" once every thread runs.
 *
 * <p>Args: THREADS.
 */
public final class BusyThreads {

    static volatile long sink;

    private BusyThreads() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        ParentWatch.exitWhenParentDies(() -> { });
        for (int t = 0; t < threads; t++) {
            long seed = t + 1;
            Thread.ofPlatform().name("busy-" + t).daemon().stackSize(256 * 1024).start(() -> {
                long x = seed;
                while (true) {
                    for (int i = 0; i < 100_000; i++) {
                        x = x * 6364136223846793005L + 1442695040888963407L;
                    }
                    sink = x;
                }
            });
        }
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        System.in.read();
        System.exit(0);
    }
}
