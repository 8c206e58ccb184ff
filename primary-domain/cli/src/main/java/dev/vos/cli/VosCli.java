package dev.vos.cli;

import dev.vos.backend.Signals;
import dev.vos.client.DomainClient;
import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.control.ControlException;
import dev.vos.controlplane.control.ControlSocket;
import dev.vos.controlplane.spec.HostSpec;
import dev.vos.controlplane.spec.SpecException;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.ring.agent.StateDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code vos} command. {@code up} runs a control plane in the foreground; every other command talks to a
 * running one over its owner-only control socket and only parses and forwards (see {@link
 * dev.vos.controlplane.control.Command}). Exit status: 0 done, 1 the control plane refused or failed, 2 bad usage
 * or spec.
 */
@CommandLine.Command(name = "vos", mixinStandardHelpOptions = true, version = "vos 0.1.0",
        description = "A decomposed OS toolkit: service domains reached through exceptionless system calls.",
        footer = {"", "bin/vos demo runs the main job on the embedded default backend (examples/demo; bin/vos demo"
                + " --help)."},
        subcommands = {VosCli.Up.class, VosCli.Ps.class, VosCli.Restart.class, VosCli.Stop.class, VosCli.Kill.class,
                VosCli.Events.class, VosCli.Logs.class, VosCli.Client.class, FsCommand.class,
                PerfCommand.class, MountsCommand.class, NetCommand.class, VosCli.Xen.class})
public final class VosCli {

    private VosCli() {
    }

    /** System.nanoTime() when main was entered (0 when run otherwise): where vos perf's attach time starts. */
    static volatile long mainEnteredNs;

    public static void main(String[] args) {
        mainEnteredNs = System.nanoTime();
        System.exit(run(args));
    }

    /** Runs the command line; returns the exit status. */
    public static int run(String... args) {
        return commandLine(args).execute(rest(args));
    }

    /**
     * The command line for {@code args}. {@code vos perf} gets its own, without the rest of vos: building the whole
     * command tree loads every command's classes (the control plane's, the client's, JNA's), CPU time that delays
     * attaching on a busy machine (see docs/perfctr.md, Attach time).
     */
    private static CommandLine commandLine(String... args) {
        if (args.length > 0 && args[0].equals("perf")) {
            return PerfCommand.commandLine();
        }
        CommandLine cl = new CommandLine(new VosCli()).setCaseInsensitiveEnumValuesAllowed(true);
        PerfCommand.configure(cl.getSubcommands().get("perf"));
        return cl;
    }

    /** The arguments the command line of {@link #commandLine} takes: without "perf" for vos perf's own. */
    private static String[] rest(String... args) {
        return args.length > 0 && args[0].equals("perf") ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
    }

    /** Runs the command line with its output and errors going to {@code out} and {@code err} (for tests). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(args).setOut(out).setErr(err).execute(rest(args));
    }

    /** The state directory option shared by the commands that talk to a running control plane. */
    static class StateDirOption {
        @Option(names = "--state-dir", paramLabel = "DIR",
                description = "the control plane's state directory (default: $VOS_STATE_DIR, else the spec's"
                        + " default: $XDG_STATE_HOME/vos or ~/.local/state/vos)")
        Path stateDir;

        Path resolve() {
            if (stateDir != null) {
                return stateDir;
            }
            String env = System.getenv("VOS_STATE_DIR");
            return env != null && !env.isBlank() ? Path.of(env) : StateDirectory.defaultPath();
        }
    }

    /** Base of the commands that send one control request. */
    abstract static class ControlCommand implements Callable<Integer> {
        @CommandLine.Mixin
        StateDirOption state = new StateDirOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract Command request();

        void print(List<String> body, PrintWriter out) {
            body.forEach(out::println);
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                print(ControlSocket.send(state.resolve().resolve("control.sock"), request()), out);
                out.flush();
                return 0;
            } catch (ControlException e) {
                spec.commandLine().getErr().println("vos " + spec.name() + ": " + e.getMessage());
                return 1;
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("vos " + spec.name() + ": " + e.getMessage());
                return 2;
            }
        }
    }

    @CommandLine.Command(name = "up", description = "Start the control plane and the domains of SPEC, in the foreground"
            + " (Ctrl-C stops them, in reverse order).")
    static final class Up implements Callable<Integer> {
        @Parameters(paramLabel = "SPEC", description = "the host spec (YAML); see docs/spec.md")
        Path specFile;

        @Option(names = "--state-dir", paramLabel = "DIR", description = "overrides the spec's controlPlane.stateDir")
        Path stateDir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            HostSpec host;
            try {
                host = SpecParser.parse(specFile);
            } catch (SpecException e) {
                spec.commandLine().getErr().println("vos up: the spec is not valid; nothing was started:");
                spec.commandLine().getErr().println(e.getMessage());
                return 2;
            }
            if (stateDir != null) {
                host = host.withStateDir(stateDir.toAbsolutePath());
            }
            // The hook comes first: a SIGTERM or Ctrl-C at any moment from here stops whatever has started, in
            // reverse order. Registered later, a signal during the starts left every started domain orphaned.
            AtomicReference<ControlPlane> started = new AtomicReference<>();
            AtomicBoolean stopping = new AtomicBoolean();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stopping.set(true); // then read 'started': the main thread sets it, then reads 'stopping'
                try {
                    ControlPlane plane = started.get();
                    if (plane != null) {
                        plane.close();
                    }
                } catch (Exception e) {
                    System.err.println("vos up: stopping: " + e.getMessage());
                }
                stopped.countDown();
            }, "vos-up-shutdown"));
            ControlPlane plane;
            try {
                plane = ControlPlane.create(host, System.out);
                started.set(plane);
                if (stopping.get()) {
                    return 1; // the hook may have missed the plane: start nothing, the exit releases the rest
                }
                plane.boot();
            } catch (java.io.IOException e) {
                spec.commandLine().getErr().println("vos up: " + e.getMessage());
                return 1;
            }
            if (!plane.isClosed()) {
                System.out.printf("vos: control plane up with %d domain(s); state %s; metrics %s;"
                        + " 'vos ps' to look, Ctrl-C to stop%n", host.domains().size(), plane.stateDir(),
                        plane.metricsUrl());
                System.out.flush();
            }
            stopped.await();
            return 0;
        }
    }

    @CommandLine.Command(name = "ps",
            description = "List the domains: state, generation, pid, uptime, restarts, last exit.")
    static final class Ps extends ControlCommand {
        Command request() {
            return new Command.Ps();
        }

        @Override
        void print(List<String> rows, PrintWriter out) {
            out.println(PsTable.render(rows, Instant.now()));
        }
    }

    @CommandLine.Command(name = "restart",
            description = "Start a new generation of NAME now (also out of FAILED or STOPPED).")
    static final class Restart extends ControlCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        Command request() {
            return new Command.Restart(name);
        }
    }

    @CommandLine.Command(name = "stop", description = "Stop NAME; it stays STOPPED until 'vos restart NAME'.")
    static final class Stop extends ControlCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        Command request() {
            return new Command.Stop(name);
        }
    }

    @CommandLine.Command(name = "kill",
            description = "Send a signal to NAME's process (fault injection); the supervisor"
                    + " reacts as to any fault.")
    static final class Kill extends ControlCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = {"-s", "--signal"}, defaultValue = "KILL", paramLabel = "SIGNAL",
                description = "KILL (default), STOP, CONT, TERM, SEGV, ... or a number")
        String signal;

        Command request() {
            return new Command.Kill(name, Signals.number(signal));
        }
    }

    @CommandLine.Command(name = "events",
            description = "Show the journal: every lifecycle event, across control-plane restarts.")
    static final class Events extends ControlCommand {
        @Option(names = {"-n", "--last"}, defaultValue = "0", paramLabel = "N",
                description = "only the last N (0: all)")
        int last;

        Command request() {
            return new Command.Events(last);
        }
    }

    @CommandLine.Command(name = "logs", description = "Show NAME's log (all its generations).")
    static final class Logs extends ControlCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = {"-n", "--last"}, defaultValue = "100", paramLabel = "N",
                description = "the last N lines (0: all)")
        int last;

        Command request() {
            return new Command.Logs(name, last);
        }
    }

    @CommandLine.Command(name = "client", description = "Call NAME's getpid in a loop on virtual threads, reporting"
            + " each second: a client that keeps working while you kill and restart the domain.")
    static final class Client implements Callable<Integer> {
        @CommandLine.Mixin
        StateDirOption state = new StateDirOption();

        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--threads", defaultValue = "8", description = "virtual threads calling (default 8)")
        int threads;

        @Option(names = "--seconds", defaultValue = "30", description = "how long to run (default 30)")
        int seconds;

        @Override
        public Integer call() throws Exception {
            try (DomainClient client = DomainClient.forDomain(state.resolve(), name, DomainClient.Options.DEFAULT);
                 ClientLoop loop = new ClientLoop(client, threads, System.out)) {
                Thread.sleep(seconds * 1000L);
                System.out.printf("vos client: %,d calls, %,d failed in flight, last on generation %d%n", loop.calls(),
                        loop.failedInFlight(), loop.servingGeneration());
                return loop.calls() > 0 ? 0 : 1;
            }
        }
    }

    @CommandLine.Command(name = "xen", description = "Whether this host can run domains with 'backend: xen' (a Xen 4.17"
            + " dom0 with libxenlight), and the Xen domains it has, as libxl lists them.")
    static final class Xen implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            try (dev.vos.backend.xen.libxl.Libxl libxl = dev.vos.backend.xen.libxl.Libxl.open()) {
                PrintWriter out = spec.commandLine().getOut();
                out.println("Xen " + libxl.xenVersion() + " through libxl; domains:");
                out.printf("%-32s %5s %8s %s%n", "NAME", "ID", "MEM(MiB)", "STATE");
                for (var d : libxl.listDomains()) {
                    out.printf("%-32s %5d %8d %s%n", d.name(), d.domid(), d.currentMemKb() / 1024, d.state());
                }
                out.flush();
                return 0;
            } catch (dev.vos.backend.xen.libxl.XenUnavailableException
                     | dev.vos.backend.xen.libxl.LibxlException e) {
                spec.commandLine().getErr().println("vos xen: " + e.getMessage());
                return 1;
            }
        }
    }
}
