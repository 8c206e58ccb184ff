package dev.vos.bench.perf;

import dev.vos.bench.support.ParentWatch;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The target of {@link AgreementTable}: threads of known shape, the workload. There from the start and
 * waiting for "go" on stdin: "long-2s" and "long-1s" (2.0 s and 1.0 s of CPU), "faulter" (maps and touches 64 MiB,
 * twice), and "spawner", which starts 20 threads "short-N" of 5 ms each, one after the other (each shorter than any
 * interval), then, 200 ms later, one thread "late" of 1.0 s. Prints "ready PID" at start and "all done" when every
 * thread has finished; then waits, its main thread blocked on stdin, until a line or the end of stdin (the tools read
 * the ended threads' final counts meanwhile), and exits.
 */
public final class ThreadMixWorkload {

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    /** Bytes the faulter maps and touches, each time. */
    static final long FAULT_BYTES = 64L << 20;
    static volatile long sink;

    private ThreadMixWorkload() {
    }

    public static void main(String[] args) throws Exception {
        ParentWatch.exitWhenParentDies(() -> { });
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        threads.add(start("long-2s", go, () -> burn(2_000_000_000L)));
        threads.add(start("long-1s", go, () -> burn(1_000_000_000L)));
        threads.add(start("faulter", go, () -> {
            fault();
            fault();
        }));
        threads.add(start("spawner", go, () -> {
            try {
                for (int i = 0; i < 20; i++) {
                    Thread s = new Thread(() -> burn(5_000_000L), "short-" + i);
                    s.start();
                    s.join();
                }
                Thread.sleep(200);
                Thread late = new Thread(() -> burn(1_000_000_000L), "late");
                late.start();
                late.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        Thread.sleep(200); // every thread at its latch, named
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        if (!"go".equals(in.readLine())) {
            System.exit(2);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("all done");
        System.out.flush();
        in.readLine();
        System.exit(0);
    }

    private static Thread start(String name, CountDownLatch go, Runnable work) {
        Thread t = new Thread(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            work.run();
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Burns cpuNs of this thread's CPU time. */
    static void burn(long cpuNs) {
        long start = MX.getCurrentThreadCpuTime();
        long x = 1;
        while (MX.getCurrentThreadCpuTime() - start < cpuNs) {
            for (int i = 0; i < 20_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        sink = x;
    }

    /** Maps {@link #FAULT_BYTES} fresh, writes a byte to each 4 KiB page (a minor fault each), unmaps. */
    static void fault() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(FAULT_BYTES, 4096);
            for (long off = 0; off < FAULT_BYTES; off += 4096) {
                m.set(ValueLayout.JAVA_BYTE, off, (byte) 1);
            }
        }
    }
}
