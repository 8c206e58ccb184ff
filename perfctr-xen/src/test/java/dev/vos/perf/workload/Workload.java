package dev.vos.perf.workload;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A deterministic multithreaded target, run as a child process by the tests. Commands on stdin, replies on stdout:
 *
 * <ul>
 *   <li>args {@code NAME:CPU_MS:SLEEPS ...}: one thread each, started at once and waiting; on "go" each sleeps
 *       1 ms SLEEPS times (a voluntary context switch each) spread through burning CPU_MS of its own CPU time, then
 *       prints "done NAME" and parks (alive, so both tools can read its final counts);</li>
 *   <li>arg {@code churn}: on "go", keeps starting threads "churn-N" that each burn 20 ms of CPU and end;</li>
 *   <li>arg {@code spawn:SHORTS:SHORT_MS:LATE_MS}: a thread "spawner", there from the start, that on "go" starts
 *       SHORTS threads "short-N" one after the other, each burning SHORT_MS of CPU and ending, then a thread "late"
 *       that burns LATE_MS and ends, then prints "done spawner" and parks;</li>
 *   <li>"exit": exits with status 0.</li>
 * </ul>
 * Prints "ready PID" once every thread exists.
 */
public final class Workload {

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    static volatile long sink;

    private Workload() {
    }

    public static void main(String[] args) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        AtomicBoolean churn = new AtomicBoolean(false);
        for (String a : args) {
            if (a.equals("churn")) {
                churn.set(true);
                continue;
            }
            if (a.startsWith("spawn:")) {
                threads.add(spawner(a, go));
                continue;
            }
            String[] f = a.split(":");
            String name = f[0];
            long cpuNs = Long.parseLong(f[1]) * 1_000_000L;
            int sleeps = Integer.parseInt(f[2]);
            Thread t = new Thread(() -> {
                await(go);
                work(cpuNs, sleeps);
                System.out.println("done " + name);
                System.out.flush();
                await(new CountDownLatch(1));
            }, name);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        if (churn.get()) {
            Thread starter = new Thread(() -> {
                await(go);
                for (int n = 0; ; n++) {
                    Thread t = new Thread(() -> work(20_000_000L, 2), "churn-" + n);
                    t.start();
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "churn-starter");
            starter.setDaemon(true);
            starter.start();
        }
        Thread.sleep(200); // let every thread reach its latch and set its native name
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            switch (line.strip()) {
                case "go" -> go.countDown();
                case "exit" -> System.exit(0);
                default -> System.out.println("? " + line);
            }
            System.out.flush();
        }
        System.exit(0);
    }

    /** The "spawner" thread of {@code spawn:SHORTS:SHORT_MS:LATE_MS}, started. */
    private static Thread spawner(String arg, CountDownLatch go) {
        String[] f = arg.split(":");
        int shorts = Integer.parseInt(f[1]);
        long shortNs = Long.parseLong(f[2]) * 1_000_000L;
        long lateNs = Long.parseLong(f[3]) * 1_000_000L;
        Thread t = new Thread(() -> {
            await(go);
            try {
                for (int i = 0; i < shorts; i++) {
                    Thread s = new Thread(() -> work(shortNs, 0), "short-" + i);
                    s.start();
                    s.join();
                }
                Thread late = new Thread(() -> work(lateNs, 0), "late");
                late.start();
                late.join();
            } catch (InterruptedException e) {
                return;
            }
            System.out.println("done spawner");
            System.out.flush();
            await(new CountDownLatch(1));
        }, "spawner");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Burns cpuNs of this thread's CPU time, with {@code sleeps} 1 ms sleeps evenly spread through it. */
    static void work(long cpuNs, int sleeps) {
        long start = MX.getCurrentThreadCpuTime();
        long step = sleeps == 0 ? Long.MAX_VALUE : cpuNs / (sleeps + 1);
        long nextSleep = step;
        int slept = 0;
        long x = 1;
        while (true) {
            for (int i = 0; i < 20_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            long used = MX.getCurrentThreadCpuTime() - start;
            while (slept < sleeps && used >= nextSleep) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
                slept++;
                nextSleep += step;
            }
            if (used >= cpuNs && slept >= sleeps) {
                break;
            }
        }
        sink = x;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
