package dev.vos.bench.support;

import java.time.Duration;

/**
 * For child processes: exit when the parent JVM is gone. A busy-polling child owns a core, so one orphaned by a
 * crashed benchmark fork would spoil every later figure; the child checks its parent every 100 ms instead.
 */
public final class ParentWatch {

    private static final Duration PERIOD = Duration.ofMillis(100);

    private ParentWatch() {
    }

    /** Starts a daemon thread that runs {@code cleanup} and then {@code System.exit(0)} once the parent has exited. */
    public static void exitWhenParentDies(Runnable cleanup) {
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        Thread.ofPlatform().name("vos-bench-parent-watch").daemon().start(() -> {
            // isAlive compares the start time too, so a reused pid does not count as the parent.
            while (parent != null && parent.isAlive()) {
                try {
                    Thread.sleep(PERIOD);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("vos-bench: parent " + (parent == null ? "?" : parent.pid()) + " is gone; exiting");
            cleanup.run();
            System.exit(0);
        });
    }
}
