package dev.vos.perf;

import dev.vos.perf.counting.CounterCollector;
import dev.vos.perf.counting.ThreadNamer;

import java.util.List;

/** Run as another user by {@link PermissionTest}: attaches to a pid and prints "attached" or the error's message. */
public final class AttachMain {

    public static void main(String[] args) {
        try (CounterCollector c = CounterCollector.attach(Integer.parseInt(args[0]),
                List.of(PerfEvent.TASK_CLOCK, PerfEvent.CONTEXT_SWITCHES), ThreadNamer.COMM)) {
            System.out.println("attached " + c.threadCount() + " userOnly=" + c.userOnly());
        } catch (PerfException e) {
            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(3);
        }
    }
}
