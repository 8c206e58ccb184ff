package dev.vos.perf;

import dev.vos.perf.counting.CounterCollector;
import dev.vos.perf.counting.ThreadNamer;

import java.util.List;

/**
 * Run as another user by {@link PermissionTest}: attaches to a pid (or, with "own-child", to a child it starts, so
 * owned by the same user) and prints "attached ..." or the error's message.
 */
public final class AttachMain {

    private AttachMain() {
    }

    public static void main(String[] args) throws Exception {
        Process child = args[0].equals("own-child") ? new ProcessBuilder("sleep", "30").start() : null;
        int pid = child != null ? (int) child.pid() : Integer.parseInt(args[0]);
        try (CounterCollector c = CounterCollector.attach(pid,
                List.of(PerfEvent.TASK_CLOCK, PerfEvent.CONTEXT_SWITCHES), ThreadNamer.COMM)) {
            System.out.println("attached " + c.threadCount() + " userOnly=" + c.userOnly());
        } catch (PerfException e) {
            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(3);
        } finally {
            if (child != null) {
                child.destroyForcibly();
            }
        }
    }
}
