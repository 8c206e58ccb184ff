package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.ring.agent.CallTableProvider;
import dev.vos.ring.server.CallTable;

import java.util.Map;

/**
 * The net kind's calls (see {@link NetCalls}). Options:
 * <ul>
 *   <li>{@code bind=ADDR[,ADDR...]}: required, the IP literals clients may bind (the spec's {@code net.bind}, as
 *       the control plane passes it: {@code 127.0.0.1,::1});</li>
 *   <li>{@code unix=DIR[,DIR...]}: optional, the directories in which clients may bind and connect Unix domain
 *       sockets (the spec's {@code net.unix}; see {@link UnixPaths} for what each must be); none: every path is
 *       EACCES;</li>
 *   <li>{@code maxSocketsPerSession=N}: the most sockets one session holds (default
 *       {@link NetCalls#MAX_SOCKETS_PER_SESSION}).</li>
 * </ul>
 */
public final class NetCallTableProvider implements CallTableProvider {

    /** The option naming the addresses clients may bind. */
    public static final String BIND = "bind";
    /** The option naming the directories of Unix domain sockets. */
    public static final String UNIX = "unix";
    /** The option capping one session's sockets. */
    public static final String MAX_SOCKETS_PER_SESSION = "maxSocketsPerSession";

    @Override
    public String kind() {
        return "net";
    }

    @Override
    public void register(CallTable.Builder table, Map<String, String> options) {
        String bind = options.get(BIND);
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("the net kind needs --option " + BIND + "=ADDR[,ADDR...]: the"
                    + " addresses its clients may bind (the spec's net.bind)");
        }
        int max = NetCalls.MAX_SOCKETS_PER_SESSION;
        String cap = options.get(MAX_SOCKETS_PER_SESSION);
        if (cap != null) {
            try {
                max = Integer.parseInt(cap);
            } catch (NumberFormatException e) {
                max = 0;
            }
            if (max < 1) {
                throw new IllegalArgumentException("option " + MAX_SOCKETS_PER_SESSION + " '" + cap
                        + "' is not a positive number");
            }
        }
        String unix = options.get(UNIX);
        UnixPaths paths = unix == null || unix.isBlank() ? UnixPaths.none() : UnixPaths.parse(unix);
        new NetHandlers(BindPolicy.parse(bind), paths, max, new Readiness()).register(table);
        PollSets.register(table);
        InterestSets.register(table);
    }
}
