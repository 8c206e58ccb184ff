package dev.vos.ring;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@code /proc} says about a process and its threads: the evidence a ring's client weighs before it calls a
 * server whose heartbeat is stale hung, and a server weighs before it calls one of its workers stuck. A read that
 * fails (the process is gone, {@code /proc} is hidden or not mounted) answers empty, never throws: evidence that
 * cannot be had is reported as such by the caller.
 *
 * <p>Read from {@code /proc/PID/stat} (see proc(5)): the command name (field 2), the state letter (field 3),
 * {@code utime} and {@code stime} (fields 14 and 15, the whole thread group's in the process's file, one thread's
 * in {@code task/TID/stat}) and {@code starttime} (field 22). The command name may hold spaces and parentheses, so
 * fields are counted from the last {@code ')'}. And from {@code task/TID/schedstat}: the nanoseconds a thread has
 * run, and waited for a CPU (see {@link Sched}).
 */
public final class ProcStat {

    /** USER_HZ, the unit of the times in {@code /proc/.../stat}: 100 on x86_64 whatever the kernel's HZ. */
    public static final long TICKS_PER_SECOND = 100;

    private static final Path PROC = Path.of("/proc");
    /** Index, after the last ')', of the fields read: state (3), utime (14), stime (15), starttime (22). */
    private static final int STATE = 0;
    private static final int UTIME = 11;
    private static final int STIME = 12;
    private static final int STARTTIME = 19;
    /** This process's start, read once: it never changes. */
    private static volatile long selfStartTicks = -1;

    private ProcStat() {
    }

    /**
     * One {@code stat} line.
     *
     * @param state      the state letter: R running or runnable, S sleeping, D waiting for I/O, T stopped (a
     *                   signal), t stopped (a tracer), Z zombie, X dead, I idle (kernel threads)
     * @param cpuTicks   user plus system CPU time, in {@link #TICKS_PER_SECOND} units; sampled at the timer tick,
     *                   so a thread that runs in short bursts on a busy host may be charged nothing
     * @param startTicks when the process (or thread) started, in clock ticks after boot
     * @param name       the command name (a thread's name, at most 15 characters)
     */
    public record Stat(char state, long cpuTicks, long startTicks, String name) {
    }

    /**
     * A thread's line of {@code /proc/PID/task/TID/schedstat} (kernels with {@code CONFIG_SCHED_INFO}): the
     * scheduler's own accounts, exact to the nanosecond, unlike the tick-sampled CPU times of {@code stat}.
     *
     * @param runNs  time it has spent on a CPU
     * @param waitNs time it has spent runnable, waiting on a run queue for a CPU
     */
    public record Sched(long runNs, long waitNs) {

        /** Whether the thread ran, or waited to run, since {@code before}. */
        public boolean movedSince(Sched before) {
            return runNs != before.runNs || waitNs != before.waitNs;
        }
    }

    /** One thread: its {@code stat} line, and its {@code schedstat} line or null when the kernel has none. */
    public record Task(Stat stat, Sched sched) {
    }

    /**
     * A process and its threads at one moment.
     *
     * @param leader   the process's own line (its state is the main thread's; its CPU time the whole group's)
     * @param threads  threads counted
     * @param running  threads in state R
     * @param diskWait threads in state D
     * @param stopped  threads in state T or t
     * @param waitNs   the threads' time waiting on a run queue, summed, or -1 when the kernel keeps no schedstat
     * @param watched  the scheduler's accounts of the threads whose name starts with the prefix asked for, by tid
     */
    public record Look(Stat leader, int threads, int running, int diskWait, int stopped, long waitNs,
                       Map<Long, Sched> watched) {

        /** Threads neither running, in I/O nor stopped: asleep (S), or idle. */
        public int sleeping() {
            return threads - running - diskWait - stopped;
        }

        /** The process has exited and waits to be reaped (Z), or is being torn down (X). */
        public boolean exiting() {
            return leader.state() == 'Z' || leader.state() == 'X';
        }

        /** The process is stopped, by a signal (SIGSTOP, SIGTSTP...) or a tracer. */
        public boolean isStopped() {
            return leader.state() == 'T' || leader.state() == 't';
        }
    }

    /** The {@code stat} file at {@code file} ({@code /proc/PID/stat} or {@code /proc/PID/task/TID/stat}). */
    public static Optional<Stat> read(Path file) {
        String line;
        try {
            line = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        int close = line.lastIndexOf(')');
        if (close < 0 || close + 2 >= line.length()) {
            return Optional.empty();
        }
        String[] f = line.substring(close + 2).strip().split(" ");
        if (f.length <= STARTTIME || f[STATE].length() != 1) {
            return Optional.empty();
        }
        int open = line.indexOf('(');
        String name = open >= 0 && open < close ? line.substring(open + 1, close) : "";
        try {
            return Optional.of(new Stat(f[STATE].charAt(0), Long.parseLong(f[UTIME]) + Long.parseLong(f[STIME]),
                    Long.parseLong(f[STARTTIME]), name));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The thread whose directory is {@code taskDir} ({@code /proc/PID/task/TID}); empty when it is gone. */
    public static Optional<Task> task(Path taskDir) {
        return read(taskDir.resolve("stat")).map(stat -> new Task(stat, sched(taskDir)));
    }

    private static Sched sched(Path taskDir) {
        try {
            String[] f = new String(Files.readAllBytes(taskDir.resolve("schedstat")), StandardCharsets.US_ASCII)
                    .strip().split(" ");
            return new Sched(Long.parseLong(f[0]), Long.parseLong(f[1]));
        } catch (IOException | SecurityException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    /** The process {@code pid} of this process's {@code /proc}. */
    public static Optional<Stat> process(long pid) {
        return read(PROC.resolve(Long.toString(pid)).resolve("stat"));
    }

    /** When this process started, in clock ticks after boot, or 0 when {@code /proc/self/stat} cannot be read. */
    public static long selfStartTicks() {
        long ticks = selfStartTicks;
        if (ticks < 0) {
            ticks = read(PROC.resolve("self").resolve("stat")).map(Stat::startTicks).orElse(0L);
            selfStartTicks = ticks;
        }
        return ticks;
    }

    /**
     * This process's pid namespace: the inode in {@code pid:[INODE]}, the target of {@code /proc/self/ns/pid}; 0 when
     * {@code /proc} does not say (not mounted, or mounted from another pid namespace, where {@code self} is absent).
     */
    public static long selfPidNamespace() {
        try {
            String link = Files.readSymbolicLink(PROC.resolve("self").resolve("ns").resolve("pid")).toString();
            if (link.startsWith("pid:[") && link.endsWith("]")) {
                return Long.parseLong(link, "pid:[".length(), link.length() - 1, 10);
            }
        } catch (IOException | UnsupportedOperationException | SecurityException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /**
     * The {@code /proc} directory of the calling platform thread, as a path any thread of this process can read
     * later ({@code /proc/thread-self} resolved to {@code /proc/PID/task/TID}), or empty when {@code /proc} has
     * none.
     */
    public static Optional<Path> currentThreadDirectory() {
        try {
            Path link = Files.readSymbolicLink(PROC.resolve("thread-self"));
            return Optional.of(PROC.resolve(link));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    /**
     * The pid, in this process's {@code /proc}, of the process that is {@code nsPid} in its own pid namespace and
     * started at {@code startTicks}: itself when both sides share a pid namespace, else found among all processes
     * by start time and the last entry of their {@code NSpid} (the pid in their innermost namespace). Empty when
     * no such process is visible here (gone, in a namespace not below this one, or {@code /proc} hidden).
     */
    public static OptionalLong find(long nsPid, long startTicks) {
        if (startTicks <= 0 || nsPid <= 0) {
            return OptionalLong.empty();
        }
        if (matches(nsPid, nsPid, startTicks)) {
            return OptionalLong.of(nsPid);
        }
        try (DirectoryStream<Path> all = Files.newDirectoryStream(PROC, p -> isNumber(p.getFileName().toString()))) {
            for (Path p : all) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid != nsPid && matches(pid, nsPid, startTicks)) {
                    return OptionalLong.of(pid);
                }
            }
        } catch (IOException | SecurityException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /**
     * Process {@code pid} and the states of its threads, if it is still the process that started at {@code
     * startTicks} (empty when it is gone, or its pid now names another process), with the scheduler's accounts of
     * the threads whose name starts with {@code watchedName}.
     */
    public static Optional<Look> look(long pid, long startTicks, String watchedName) {
        Optional<Stat> leader = process(pid);
        if (leader.isEmpty() || leader.get().startTicks() != startTicks) {
            return Optional.empty();
        }
        int threads = 0;
        int running = 0;
        int diskWait = 0;
        int stopped = 0;
        long waitNs = 0;
        Map<Long, Sched> watched = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("task"))) {
            for (Path dir : tasks) {
                Optional<Task> t = task(dir);
                if (t.isEmpty()) {
                    continue; // the thread ended meanwhile
                }
                threads++;
                switch (t.get().stat().state()) {
                    case 'R' -> running++;
                    case 'D' -> diskWait++;
                    case 'T', 't' -> stopped++;
                    default -> {
                        // S, I: asleep
                    }
                }
                Sched sched = t.get().sched();
                waitNs = sched == null || waitNs < 0 ? -1 : waitNs + sched.waitNs();
                if (sched != null && t.get().stat().name().startsWith(watchedName)) {
                    watched.put(Long.parseLong(dir.getFileName().toString()), sched);
                }
            }
        } catch (IOException | SecurityException | NumberFormatException e) {
            // the process ended while its threads were read; the leader's line still says what it was
        }
        return Optional.of(new Look(leader.get(), threads, running, diskWait, stopped, waitNs, Map.copyOf(watched)));
    }

    private static boolean matches(long pid, long nsPid, long startTicks) {
        Optional<Stat> stat = process(pid);
        if (stat.isEmpty() || stat.get().startTicks() != startTicks) {
            return false;
        }
        return innermostPid(pid) == nsPid;
    }

    /** The last entry of the {@code NSpid:} line of {@code /proc/PID/status}, or -1. */
    private static long innermostPid(long pid) {
        try {
            for (String line : Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"),
                    StandardCharsets.US_ASCII)) {
                if (line.startsWith("NSpid:")) {
                    String[] pids = line.substring("NSpid:".length()).strip().split("\\s+");
                    return Long.parseLong(pids[pids.length - 1]);
                }
            }
        } catch (IOException | NumberFormatException | SecurityException e) {
            return -1;
        }
        return -1;
    }

    private static boolean isNumber(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
