package dev.vos.ring.transport.xen;

import dev.vos.ring.agent.XenGuestAgent;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerArgs;
import dev.vos.ring.server.ServerOptions;

/**
 * A ring server over the Xen transport, as a process of its own (the lab's child JVM): serves the offer at {@code
 * --path} in xenstore with the core calls, through the guest agent's own {@link XenGuestAgent#serve}, and exits when
 * its client's grant goes (the client's liveness byte, cleared by gntalloc's unmap notification) or the client
 * leaves. A guest's agent ({@link XenGuestAgent}) does the same for every offer it finds.
 *
 * <pre>usage: XenServerMain --path XENSTORE-PATH [--workers N] [--idle-spin-us N | --busy-poll]</pre>
 * Prints {@code serving PATH pid P} once attached. Exit status: 0 after serving, 2 for bad arguments, 3 when the
 * offer is refused or cannot be mapped (the reason on standard error).
 */
public final class XenServerMain {

    private XenServerMain() {
    }

    public static void main(String[] args) throws Exception {
        String path = null;
        ServerOptions options = ServerOptions.DEFAULT;
        for (int i = 0; i < args.length; i++) {
            ServerArgs.Parsed parsed = ServerArgs.parse(args, i, options);
            if (parsed != null) {
                options = parsed.options();
                i = parsed.lastIndex();
            } else if (args[i].equals("--path")) {
                path = ServerArgs.value(args, ++i, "--path");
            } else {
                System.err.println("vos xen server: unknown option " + args[i]);
                System.exit(2);
            }
        }
        if (path == null) {
            System.err.println("usage: XenServerMain --path XENSTORE-PATH " + ServerArgs.USAGE);
            System.exit(2);
        }
        XenGuestAgent.Attached ring;
        try (XenStore store = XenStore.open()) {
            ring = XenGuestAgent.serve(store, path, CoreCallHandlers.register(CallTable.builder()).build(), options,
                    XenTransportConformanceIT.DOM0);
        } catch (Exception e) {
            System.err.println("vos xen server: " + path + ": " + e.getMessage());
            System.exit(3);
            return;
        }
        RingServer server = ring.server();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        Thread.ofPlatform().name("vos-client-watch").daemon().start(() -> {
            try {
                while (XenGuestAgent.clientAlive(ring.segment())) {
                    Thread.sleep(50);
                }
                System.err.println("vos xen server: the client's grant is gone; stopping");
            } catch (InterruptedException e) {
                return;
            }
            server.close();
        });
        System.out.println("serving " + path + " pid " + ProcessHandle.current().pid());
        System.out.flush();
        server.awaitTermination();
    }
}
