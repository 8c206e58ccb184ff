package dev.vos.perf.counting;

import dev.vos.perf.proc.ProcTasks;

/** Names a thread of the target. */
@FunctionalInterface
public interface ThreadNamer {

    /** {@code /proc/PID/task/TID/comm}: cheap, but a JVM's are cut to 15 characters. */
    ThreadNamer COMM = (pid, tid) -> {
        String comm = ProcTasks.comm(pid, tid);
        return comm == null ? "?" : comm;
    };

    /** The name of {@code tid} of {@code pid}; never null. */
    String name(int pid, int tid);

    /**
     * Called once per poll before naming any thread found in it, with whether any new thread was found; a namer
     * that caches (the JVM one) refreshes here. The default does nothing.
     */
    default void refresh(int pid, boolean newThreads) {
    }
}
