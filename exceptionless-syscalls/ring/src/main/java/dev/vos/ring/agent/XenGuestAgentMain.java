package dev.vos.ring.agent;

import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.ServerArgs;
import dev.vos.ring.server.ServerOptions;
import dev.vos.ring.transport.xen.XenStore;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A service domain's agent inside a Xen guest ({@link XenGuestAgent}): the guest's init starts it when the kernel
 * command line names a kind.
 * <pre>
 * usage: XenGuestAgentMain --kind KIND [--option KEY=VALUE]... [--offering-domain D] [--poll-ms N]
 *                          [--workers N] [--idle-spin-us N | --busy-poll] [--pin-cpus C[,C...]]
 * </pre>
 * {@code --offering-domain}: the domain whose offers are taken (default 0, dom0); {@code --poll-ms}: how often the
 * offer area is listed (default 100). Prints {@code xen agent KIND domain D serving offers under PATH} when ready.
 * Exit status 0 after a clean stop (SIGTERM), 2 for bad arguments, 3 when xenstore cannot be reached.
 */
public final class XenGuestAgentMain {

    private XenGuestAgentMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        XenGuestAgent.Config config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("vos xen agent: " + e.getMessage());
            System.err.println("usage: XenGuestAgentMain --kind KIND [--option KEY=VALUE]... [--offering-domain D]"
                    + " [--poll-ms N] " + ServerArgs.USAGE);
            System.exit(2);
            return;
        }
        XenGuestAgent agent;
        try {
            agent = XenGuestAgent.start(XenStore.open(), config);
        } catch (IOException e) {
            System.err.println("vos xen agent: " + e.getMessage());
            System.exit(3);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            Runtime.getRuntime().halt(0);
        }));
        System.out.println("xen agent " + config.kind() + " domain " + agent.domid() + " serving offers under "
                + agent.offerArea());
        System.out.flush();
        agent.awaitClose();
    }

    static XenGuestAgent.Config parse(String[] args) {
        String kind = null;
        int offering = 0;
        Duration poll = Duration.ofMillis(100);
        ServerOptions options = ServerOptions.DEFAULT;
        Map<String, String> kindOptions = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            ServerArgs.Parsed server = ServerArgs.parse(args, i, options);
            if (server != null) {
                options = server.options();
                i = server.lastIndex();
                continue;
            }
            String option = args[i];
            switch (option) {
                case "--kind" -> kind = ServerArgs.value(args, ++i, option);
                case "--option" -> ServerArgs.keyValue(args, ++i, option, kindOptions);
                case "--offering-domain" -> offering = ServerArgs.intValue(args, ++i, option);
                case "--poll-ms" -> poll = Duration.ofMillis(ServerArgs.longValue(args, ++i, option));
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (kind == null) {
            throw new IllegalArgumentException("--kind is required");
        }
        CallTable table = DomainAgentMain.table(kind, kindOptions, false);
        return new XenGuestAgent.Config(kind, table, options, offering, poll);
    }
}
