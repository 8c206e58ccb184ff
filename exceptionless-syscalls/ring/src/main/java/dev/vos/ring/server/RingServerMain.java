package dev.vos.ring.server;

import dev.vos.ring.RingHeader;
import dev.vos.sys.Linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process that serves one ring segment with the core calls: what a service domain is, stripped to the ring.
 * The demo, the cross-process tests and the benchmarks run it as a child process.
 *
 * <pre>
 * usage: RingServerMain --segment FILE [--workers N] [--idle-spin-us N | --busy-poll] [--pin-cpus C[,C...]]
 *                       [--exit-with-parent [--parent-pid PID]] [--test-calls]
 * </pre>
 * {@code --test-calls} adds the test calls ({@link CoreCallHandlers#registerTestCalls}); tests only.
 * With {@code --exit-with-parent} the server stops when the process that started it dies, so that a crashed test
 * or control plane never leaves a busy-polling server behind. {@code --parent-pid} names that process (a launcher
 * passes its own pid): without it the server takes its parent at the moment it looks, after its JVM has started,
 * and a parent that died during that start (a loaded machine takes seconds) would never be seen to die.
 * Prints one line {@code serving FILE generation G pid P} once attached, then serves until the client leaves or
 * the process gets SIGTERM. Exit status: 0 after serving, 2 for bad arguments, 3 when the segment is refused.
 */
public final class RingServerMain {

    private RingServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path segment = null;
        ServerOptions options = ServerOptions.DEFAULT;
        boolean exitWithParent = false;
        long parentPid = 0;
        boolean testCalls = false;
        try {
            for (int i = 0; i < args.length; i++) {
                ServerArgs.Parsed server = ServerArgs.parse(args, i, options);
                if (server != null) {
                    options = server.options();
                    i = server.lastIndex();
                    continue;
                }
                switch (args[i]) {
                    case "--segment" -> segment = Path.of(ServerArgs.value(args, ++i, "--segment"));
                    case "--exit-with-parent" -> exitWithParent = true;
                    case "--parent-pid" -> parentPid = Long.parseLong(ServerArgs.value(args, ++i, "--parent-pid"));
                    case "--test-calls" -> testCalls = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (segment == null) {
                throw new IllegalArgumentException("--segment FILE is required");
            }
            if (!Files.exists(segment)) {
                throw new IllegalArgumentException("--segment " + segment + ": no such file (the client creates it)");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("vos ring server: " + e.getMessage());
            System.err.println("usage: RingServerMain --segment FILE " + ServerArgs.USAGE
                    + " [--exit-with-parent [--parent-pid PID]] [--test-calls]");
            System.exit(2);
            return;
        }
        RingServer server;
        try {
            CallTable.Builder table = CoreCallHandlers.register(CallTable.builder());
            if (testCalls) {
                CoreCallHandlers.registerTestCalls(table);
            }
            server = RingServer.attach(segment, table.build(), options);
        } catch (RingHeader.RingFormatException e) {
            System.err.println("vos ring server: refused segment: " + e.getMessage());
            System.exit(3);
            return;
        } catch (IOException e) {
            System.err.println("vos ring server: cannot serve " + segment + ": " + e.getMessage());
            System.exit(3);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        if (exitWithParent) {
            watchParent(server, segment, parentPid);
        }
        System.out.println("serving " + segment + " generation " + server.generation() + " pid "
                + ProcessHandle.current().pid());
        System.out.flush();
        server.awaitTermination();
    }

    /**
     * Stops the server once this process is re-parented, i.e. once the process that started it ({@code expected},
     * or when 0 the parent it has now) has died, and removes the segment: its creator is gone, and nobody else will.
     */
    private static void watchParent(RingServer server, Path segment, long expected) {
        long parent = expected != 0 ? expected : Linux.getppid();
        Thread.ofPlatform().name("vos-parent-watch").daemon().start(() -> {
            while (Linux.getppid() == parent) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("vos ring server: parent " + parent + " died; stopping");
            // Remove the file first: close() releases main, and the JVM may exit before this daemon thread runs
            // another line. Unlinking a mapped file is safe; the mapping lives until close() unmaps it.
            try {
                Files.deleteIfExists(segment);
            } catch (java.io.IOException e) {
                System.err.println("vos ring server: cannot remove " + segment + ": " + e.getMessage());
            }
            server.close();
        });
    }

}
