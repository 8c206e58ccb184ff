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
        // Every thread waits for the last one to be started: spinning at once, the first ones took the CPUs from
        // this thread, which then started the rest at 1/N of a CPU (1000 threads did not start in 4 minutes).
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            long seed = t + 1;
            Thread.ofPlatform().name("busy-" + t).daemon().stackSize(256 * 1024).start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long x = seed;
                while (true) {
                    for (int i = 0; i < 100_000; i++) {
                        x = x * 6364136223846793005L + 1442695040888963407L;
                    }
                    sink = x;
                }
            });
        }
        go.countDown();
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        System.in.read();
        System.exit(0);
    }
}
