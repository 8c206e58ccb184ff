package dev.vos.primary;

import dev.vos.primary.demo.RingDemo;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The {@code vos} command. For now it has one job, the demo of the exceptionless-call ring; the control plane's
 * commands ({@code up}, {@code ps}, {@code restart}, ...) come with the control plane.
 */
public final class Vos {

    private Vos() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            usage(out);
            return 0;
        }
        if (args[0].equals("demo")) {
            RingDemo.Options options;
            try {
                options = RingDemo.Options.parse(Arrays.copyOfRange(args, 1, args.length));
            } catch (IllegalArgumentException e) {
                err.println("vos demo: " + e.getMessage());
                err.println(RingDemo.Options.USAGE);
                return 2;
            }
            return new RingDemo(options, out).run() ? 0 : 1;
        }
        err.println("vos: unknown command '" + args[0] + "'");
        usage(err);
        return 2;
    }

    private static void usage(PrintStream out) {
        out.println("usage: vos COMMAND [OPTIONS]");
        out.println();
        out.println("commands:");
        out.println("  demo    start a service domain in a child process, call it through the shared-memory ring,");
        out.println("          measure the round trip, kill the domain mid-call and serve the next generation");
        out.println("  help    this text");
        out.println();
        out.println(RingDemo.Options.USAGE);
    }
}
