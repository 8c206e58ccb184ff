package dev.vos.ring.transport.xen;

import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerArgs;
import dev.vos.ring.server.ServerOptions;

import java.lang.foreign.ValueLayout;

/**
 * A ring server over the Xen transport, as a process of its own (the lab's child JVM; a guest's agent would do the
 * same): accepts the offer at {@code --path} in xenstore, maps it, serves the core calls, and exits when its client's
 * grant goes (the client's liveness byte, cleared by gntalloc's unmap notification) or the client leaves.
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
        RingServer server;
        GrantSegment segment;
        try (XenStore store = XenStore.open()) {
            segment = XenRendezvous.accept(store, path, PeerDomain.UNKNOWN);
            server = RingServer.attach(segment, CoreCallHandlers.register(CallTable.builder()).build(), options);
        } catch (Exception e) {
            System.err.println("vos xen server: " + path + ": " + e.getMessage());
            System.exit(3);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        RingServer serving = server;
        Thread.ofPlatform().name("vos-client-watch").daemon().start(() -> {
            try {
                while (segment.memory().get(ValueLayout.JAVA_BYTE, XenLiveness.CLIENT_ALIVE_OFFSET)
                        == XenLiveness.ALIVE) {
                    Thread.sleep(50);
                }
                System.err.println("vos xen server: the client's grant is gone; stopping");
            } catch (InterruptedException | IllegalStateException e) {
                return; // stopped meanwhile: the segment is closed
            }
            serving.close();
        });
        System.out.println("serving " + path + " pid " + ProcessHandle.current().pid());
        System.out.flush();
        server.awaitTermination();
    }
}
