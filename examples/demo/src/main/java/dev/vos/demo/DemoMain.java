package dev.vos.demo;

import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code bin/vos demo}: the main job shown on the embedded default backend, in two parts, the ring
 * ({@link RingDemo}) and the control plane ({@link ControlPlaneDemo}). A program that uses vos, not part of it:
 * {@code bin/vos} runs it from this module's jar with the {@code vos} command's class path.
 */
@CommandLine.Command(name = "vos demo", mixinStandardHelpOptions = true,
        description = "Start a service domain in a child process, call it through the ring, measure the round trip,"
                + " kill it mid-call and serve the next generation; then run examples/host.yaml under a control"
                + " plane, kill and hang its domains, and watch them come back.")
public final class DemoMain implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the demo's command line with its usage and errors going to {@code out} and {@code err}. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        return new CommandLine(new DemoMain()).setOut(out).setErr(err).execute(args);
    }

    @Option(names = "--calls", defaultValue = "200000", description = "null calls per timing round")
    long calls;

    @Option(names = "--rounds", defaultValue = "5", description = "timing rounds (min/median/max)")
    int rounds;

    @Option(names = "--threads", defaultValue = "64", description = "concurrent virtual threads")
    int threads;

    @Option(names = "--no-pin", description = "do not pin the caller to CPU 0 and the domain's worker to CPU 1")
    boolean noPin;

    @Option(names = "--spec", paramLabel = "SPEC", description = "the host spec of the control-plane part"
            + " (default: examples/host.yaml of this checkout)")
    Path specFile;

    @Option(names = "--ring-only", description = "only the ring part")
    boolean ringOnly;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RingDemo.Options options;
        try {
            options = new RingDemo.Options(calls, rounds, threads, !noPin);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("vos demo: " + e.getMessage());
            return 2;
        }
        boolean ok = new RingDemo(options, System.out).run();
        if (!ringOnly) {
            Path spec = specFile != null ? specFile
                    : Path.of(System.getProperty("vos.home", "."), "examples", "host.yaml");
            ok &= new ControlPlaneDemo(spec, System.out).run();
        }
        System.out.println(ok ? "demo finished: every step behaved as promised"
                : "demo finished: SOME STEPS FAILED (see above)");
        return ok ? 0 : 1;
    }
}
