package dev.vos.cli;

import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.control.ControlError;
import dev.vos.controlplane.control.ControlException;
import dev.vos.controlplane.control.ControlSocket;
import dev.vos.net.protocol.SocketRow;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vos net}: a net domain as an operator sees it. */
@CommandLine.Command(name = "net", description = "A net domain's sockets.", subcommands = NetCommand.Ss.class)
final class NetCommand {

    private NetCommand() {
    }

    /**
     * {@code vos net ss NAME}: the sockets of each client session of net domain NAME, as {@code ss -anp} shows a
     * host's: asked of the running control plane ({@code sessions NAME}), which asks the domain's agent through
     * its own supervisor session. The command only renders what comes back.
     */
    @CommandLine.Command(name = "ss", description = "The sockets of each client session of net domain NAME, as"
            + " ss -anp shows a host's: net id, state, queues, local and peer address, the client's pid.")
    static final class Ss implements Callable<Integer> {
        @CommandLine.Mixin
        VosCli.StateDirOption state = new VosCli.StateDirOption();

        @Parameters(paramLabel = "NAME", description = "a net domain of the running spec (net0)")
        String name;

        @Option(names = "--json", description = "one JSON array of objects instead of the table")
        boolean json;

        @Option(names = {"-t", "--tcp"}, description = "TCP sockets (with -u, -x: any of them; none of the three: all)")
        boolean tcp;

        @Option(names = {"-u", "--udp"}, description = "UDP sockets")
        boolean udp;

        @Option(names = {"-x", "--unix"}, description = "Unix domain sockets")
        boolean unix;

        @Option(names = {"-l", "--listening"}, description = "listening sockets only")
        boolean listening;

        @Option(names = "--session", paramLabel = "N", description = "the sockets of client session N only")
        Long session;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                Path socket = state.resolve().resolve("control.sock");
                String kind = kindOf(ControlSocket.send(socket, new Command.Ps()), name);
                if (!kind.equals("net")) {
                    err.println("vos net ss: " + name + " is a " + kind + " domain, not a net domain");
                    return 2;
                }
                Filter filter = new Filter(tcp, udp, unix, listening, session);
                List<Row> rows = parse(ControlSocket.send(socket, new Command.Sessions(name))).stream()
                        .filter(filter::admits).toList();
                out.println(json ? SsTable.json(rows) : SsTable.render(rows));
                out.flush();
                return 0;
            } catch (ControlException e) {
                err.println("vos net ss: " + e.getMessage());
                return e.error() == ControlError.UNKNOWN_DOMAIN ? 2 : 1;
            } catch (IllegalArgumentException e) {
                err.println("vos net ss: the domain's answer is not a socket listing: " + e.getMessage());
                return 1;
            }
        }

        /** The kind of {@code domain} in {@code vos ps}'s rows. */
        private static String kindOf(List<String> ps, String domain) throws ControlException {
            for (String row : ps) {
                String[] f = row.split("\t", -1);
                if (f[0].equals(domain)) {
                    return f[1];
                }
            }
            throw new ControlException(ControlError.UNKNOWN_DOMAIN, "no domain named '" + domain + "'");
        }
    }

    /**
     * Which rows {@code vos net ss} shows, as {@code ss}'s options choose them: {@code -t}, {@code -u} and {@code -x}
     * add TCP, UDP and Unix domain sockets (none of them: every kind), {@code -l} keeps listening sockets only, and a
     * session (null: any) keeps one client's. The domain still sends every row; the command leaves some out.
     */
    record Filter(boolean tcp, boolean udp, boolean unix, boolean listening, Long session) {

        boolean admits(Row row) {
            SocketRow s = row.socket();
            boolean anyKind = !tcp && !udp && !unix;
            boolean kind = anyKind || tcp && s.netid().equals(SocketRow.NETID)
                    || udp && s.netid().equals(SocketRow.UDP_NETID) || unix && s.netid().equals(SocketRow.UNIX_NETID);
            return kind && (!listening || s.state().equals(SocketRow.LISTEN))
                    && (session == null || session == row.session());
        }
    }

    /** One socket and whose it is: the agent's session fields, then the net domain's. */
    record Row(long session, long pid, long uid, SocketRow socket) {
    }

    /** The rows of a {@code sessions} answer: session, pid, uid, then a {@link SocketRow}. */
    static List<Row> parse(List<String> lines) {
        List<Row> rows = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            if (f.length < 3) {
                throw new IllegalArgumentException(line);
            }
            rows.add(new Row(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                    SocketRow.parse(f, 3)));
        }
        return rows;
    }
}
