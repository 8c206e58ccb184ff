package dev.vos.cli;

import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.control.ControlException;
import dev.vos.controlplane.control.ControlSocket;
import dev.vos.perf.NoSuchProcessException;
import dev.vos.perf.PerfException;
import dev.vos.perf.proc.ProcTasks;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@code vos perf} watches, resolved: processes ({@code -p}), threads ({@code -t}), a domain ({@code --domain},
 * through the control plane), CPUs ({@code -a}, {@code -C}) or a command it starts ({@code -- CMD ARGS}).
 *
 * @param pids    processes to watch, each with all its threads (or the threads of {@code tids} in it)
 * @param tids    per process, only these threads (for {@code -t}); empty for whole processes
 * @param cpus    CPUs to count on ({@code -a}, {@code -C}); null when not CPU-wide
 * @param command the command to start, or empty
 * @param domain  the domain's name, or ""
 * @param title   how perf's summary names the target: "process id '42'", "'sleep 1'", "'system wide'"
 */
record PerfTarget(List<Integer> pids, Map<Integer, List<Integer>> tids, int[] cpus, List<String> command,
                  String domain, String title) {

    /** {@code -p 1,2}. */
    static PerfTarget ofPids(List<Integer> pids) throws NoSuchProcessException {
        for (int p : pids) {
            if (p <= 0 || !ProcTasks.exists(p)) {
                throw new NoSuchProcessException(p);
            }
        }
        return new PerfTarget(List.copyOf(pids), Map.of(), null, List.of(), "", "process id '" + join(pids) + "'");
    }

    /** {@code -t 5,6}: grouped by the process each thread belongs to. */
    static PerfTarget ofTids(List<Integer> tids) throws NoSuchProcessException {
        Map<Integer, List<Integer>> byProcess = new LinkedHashMap<>();
        for (int t : tids) {
            int pid = t <= 0 ? -1 : ProcTasks.processOf(t);
            if (pid <= 0) {
                throw NoSuchProcessException.thread(t);
            }
            byProcess.computeIfAbsent(pid, k -> new ArrayList<>()).add(t);
        }
        return new PerfTarget(List.copyOf(byProcess.keySet()), byProcess, null, List.of(), "",
                "thread id '" + join(tids) + "'");
    }

    /** {@code -a} (every online CPU) or {@code -C LIST}. */
    static PerfTarget ofCpus(int[] cpus, boolean all) {
        StringBuilder list = new StringBuilder();
        for (int c : cpus) {
            list.append(list.isEmpty() ? "" : ",").append(c);
        }
        return new PerfTarget(List.of(), Map.of(), cpus, List.of(), "", all ? "'system wide'"
                : "'CPU(s) " + list + "'");
    }

    /** A command vos starts (stopped, until its counters are open). */
    static PerfTarget ofCommand(List<String> command) {
        return new PerfTarget(List.of(), Map.of(), null, List.copyOf(command), "",
                "'" + String.join(" ", command) + "'");
    }

    /** This target also running a command (for {@code -a} with a command: count the CPUs while it runs). */
    PerfTarget withCommand(List<String> cmd) {
        return new PerfTarget(pids, tids, cpus, List.copyOf(cmd), domain, "'" + String.join(" ", cmd) + "'");
    }

    /**
     * {@code --domain NAME}: its current process, from the control plane's {@code ps}.
     *
     * @throws PerfException when the domain has no host process: a Xen guest, whose threads only a collector inside
     *                       the guest can count
     */
    static PerfTarget ofDomain(String name, Path stateDir) throws ControlException, PerfException {
        for (String row : ControlSocket.send(stateDir.resolve("control.sock"), new Command.Ps())) {
            String[] f = row.split("\t", -1);
            if (!f[0].equals(name)) {
                continue;
            }
            long pid = Long.parseLong(f[4]);
            if (pid <= 0 && f[2].equals("RUNNING")) {
                throw new PerfException(GuestCollector.unavailable(name));
            }
            if (pid <= 0) {
                throw new IllegalStateException("domain " + name + " has no running process (state " + f[2] + ")");
            }
            return new PerfTarget(List.of((int) pid), Map.of(), null, List.of(), name, "process id '" + pid + "'");
        }
        throw new IllegalArgumentException("no domain named '" + name + "' in this control plane");
    }

    /**
     * Starts the command stopped ({@code kill -STOP} of its shell, which then execs it), so that its counters are
     * open before it runs a single instruction; {@link #resume} lets it go.
     *
     * @throws IllegalArgumentException when the command is not found (as a shell says it: status 127)
     */
    Process startStopped() throws IOException, InterruptedException {
        checkCommand();
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "kill -STOP $$ && exec \"$@\"", "sh"));
        argv.addAll(command);
        Process p = new ProcessBuilder(argv).inheritIO().start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!stopped(p.pid())) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("the command's shell did not stop before exec (" + String.join(" ", command)
                        + ")");
            }
            Thread.sleep(1);
        }
        restoreNiceness(p.pid());
        return p;
    }

    /**
     * bin/vos may start vos perf at a higher priority (nice -10), so that its JVM starts quickly beside busy threads;
     * it says in {@value #COMMAND_NICENESS} what the user's was. The command runs at that one, as under perf: the
     * stopped shell is set back before it execs the command, and the threads it starts inherit it.
     */
    private static void restoreNiceness(long pid) throws IOException {
        String niceness = System.getProperty(COMMAND_NICENESS);
        if (niceness == null) {
            return;
        }
        int r = Linux.setpriority(pid, Integer.parseInt(niceness.strip()));
        if (r < 0) {
            Linux.kill(pid, Linux.SIGKILL);
            throw new IOException("cannot set the command's priority back to nice " + niceness + ": "
                    + Errno.name(-r));
        }
    }

    /** Throws {@link CommandNotFoundException} when there is a command and it cannot be found. */
    void checkCommand() throws CommandNotFoundException {
        if (command.isEmpty()) {
            return;
        }
        String exe = command.getFirst();
        if (!exe.contains("/") ? onPath(exe) == null : !Files.isExecutable(Path.of(exe))) {
            throw new CommandNotFoundException(exe);
        }
    }

    /** The system property in which bin/vos gives the niceness the command is to run at. */
    static final String COMMAND_NICENESS = "vos.perf.commandNiceness";

    /** Lets a command started by {@link #startStopped} run. */
    static void resume(Process p) {
        Linux.kill(p.pid(), Linux.SIGCONT);
    }

    /** Thrown when the command to run does not exist. */
    static final class CommandNotFoundException extends IOException {
        CommandNotFoundException(String exe) {
            super("cannot run '" + exe + "': " + (exe.contains("/") ? "no such executable file" : "not found on PATH"));
        }
    }

    private static boolean stopped(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'T';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Path onPath(String exe) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, exe);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    private static String join(List<Integer> ids) {
        StringBuilder b = new StringBuilder();
        for (int i : ids) {
            b.append(b.isEmpty() ? "" : ",").append(i);
        }
        return b.toString();
    }
}
