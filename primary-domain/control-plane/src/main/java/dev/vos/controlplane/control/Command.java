package dev.vos.controlplane.control;

import dev.vos.backend.Signals;

/**
 * What an operator can ask a running control plane, one line on its control socket. The contract of the control
 * plane: the CLI only builds these, the control server only parses them and hands them to {@code ControlPlane}.
 */
public sealed interface Command {

    /** The request line. */
    String line();

    /** {@code ps}: every domain's state. Legal always. */
    record Ps() implements Command {
        public String line() {
            return "ps";
        }
    }

    /**
     * The commands that change a domain's lifecycle, carried out by its supervisor ({@code DomainSupervisor.handle}),
     * which switches over them without a default: a new one is a compile error there until it is handled.
     */
    sealed interface Lifecycle extends Command {
        /** The domain it is for. */
        String domain();
    }

    /** {@code restart NAME}: a new generation now, from any state; forgives the restart history (leaves FAILED). */
    record Restart(String domain) implements Lifecycle {
        public String line() {
            return "restart " + domain;
        }
    }

    /** {@code stop NAME}: stop it; it stays STOPPED until restarted. Legal in any state. */
    record Stop(String domain) implements Lifecycle {
        public String line() {
            return "stop " + domain;
        }
    }

    /** {@code kill NAME SIGNAL}: fault injection. Legal only while a process runs (STARTING, RUNNING). */
    record Kill(String domain, int signal) implements Lifecycle {
        public String line() {
            return "kill " + domain + " " + signal;
        }
    }

    /** {@code events N}: the last N journal events (0: all). Legal always. */
    record Events(int last) implements Command {
        public String line() {
            return "events " + last;
        }
    }

    /** {@code logs NAME N}: the last N lines of a domain's log (0: all). Legal always for a known domain. */
    record Logs(String domain, int last) implements Command {
        public String line() {
            return "logs " + domain + " " + last;
        }
    }

    /**
     * {@code sessions NAME}: what each client session of the domain holds, as its kind reports it (a net domain:
     * its sockets, for {@code vos net ss}), one tab-separated row each: session, client pid, uid, the kind's fields.
     * Asked of the domain's agent through the supervisor's own ring session. Legal only while the domain is RUNNING.
     */
    record Sessions(String domain) implements Command {
        public String line() {
            return "sessions " + domain;
        }
    }

    /**
     * Parses a request line.
     *
     * @throws ControlException with {@link ControlError#BAD_REQUEST} naming what is wrong
     */
    static Command parse(String line) throws ControlException {
        String[] f = line.strip().split("\\s+");
        try {
            return switch (f[0]) {
                case "ps" -> {
                    arity(f, 1);
                    yield new Ps();
                }
                case "restart" -> {
                    arity(f, 2);
                    yield new Restart(f[1]);
                }
                case "stop" -> {
                    arity(f, 2);
                    yield new Stop(f[1]);
                }
                case "kill" -> {
                    arity(f, 3);
                    yield new Kill(f[1], Signals.number(f[2]));
                }
                case "events" -> {
                    arity(f, 2);
                    yield new Events(count(f[1]));
                }
                case "logs" -> {
                    arity(f, 3);
                    yield new Logs(f[1], count(f[2]));
                }
                case "sessions" -> {
                    arity(f, 2);
                    yield new Sessions(f[1]);
                }
                default -> throw new IllegalArgumentException("unknown command '" + f[0]
                        + "'; known: ps, restart, stop, kill, events, logs, sessions");
            };
        } catch (IllegalArgumentException e) {
            throw new ControlException(ControlError.BAD_REQUEST, e.getMessage());
        }
    }

    private static void arity(String[] f, int n) {
        if (f.length != n) {
            throw new IllegalArgumentException("'" + f[0] + "' takes " + (n - 1) + " argument(s), got "
                    + (f.length - 1));
        }
    }

    private static int count(String s) {
        int n = Integer.parseInt(s);
        if (n < 0) {
            throw new IllegalArgumentException("a count must not be negative: " + s);
        }
        return n;
    }
}
