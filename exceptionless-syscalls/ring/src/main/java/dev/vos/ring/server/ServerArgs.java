package dev.vos.ring.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command-line options every process that serves rings takes ({@code RingServerMain}, {@code
 * DomainAgentMain}), parsed in one place: {@code --workers N}, {@code --idle-spin-us N}, {@code --busy-poll},
 * {@code --pin-cpus C[,C...]}. Bad values throw {@link IllegalArgumentException} naming the option.
 */
public final class ServerArgs {

    /** The usage text of these options. */
    public static final String USAGE = "[--workers N] [--idle-spin-us N | --busy-poll] [--pin-cpus C[,C...]]";

    private ServerArgs() {
    }

    /**
     * If {@code args[index]} is a server option, applies it to {@code options} and returns the new options with the
     * index of the option's last word; returns {@code null} if it is not a server option.
     */
    public static Parsed parse(String[] args, int index, ServerOptions options) {
        String option = args[index];
        return switch (option) {
            case "--workers" -> new Parsed(index + 1, options.withWorkers(number(args, index, option)));
            case "--idle-spin-us" -> new Parsed(index + 1,
                    options.withIdleSpin(Duration.ofNanos(1000L * number(args, index, option))));
            case "--busy-poll" -> new Parsed(index, options.busyPolling());
            case "--pin-cpus" -> new Parsed(index + 1, options.pinnedTo(cpus(value(args, index + 1, option))));
            default -> null;
        };
    }

    /** An option applied: the index of its last word, and the options with it. */
    public record Parsed(int lastIndex, ServerOptions options) {
    }

    /** The value after option {@code option} at {@code index}, or an error saying it is missing. */
    public static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    /** The number at {@code args[index]}, the value of {@code option}, or an error naming it. */
    public static long longValue(String[] args, int index, String option) {
        String v = value(args, index, option);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " '" + v + "' is not a number");
        }
    }

    /** As {@link #longValue}, for an option whose value must fit an int (never silently cut to one). */
    public static int intValue(String[] args, int index, String option) {
        long n = longValue(args, index, option);
        if (n != (int) n) {
            throw new IllegalArgumentException(option + " '" + n + "' is out of range");
        }
        return (int) n;
    }

    /**
     * The {@code KEY=VALUE} at {@code args[index]}, the value of {@code option} (an agent's {@code --option}), put
     * into {@code into}; an error when it is not of that form.
     */
    public static void keyValue(String[] args, int index, String option, Map<String, String> into) {
        String kv = value(args, index, option);
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(option + " '" + kv + "' must be KEY=VALUE");
        }
        into.put(kv.substring(0, eq), kv.substring(eq + 1));
    }

    private static int number(String[] args, int index, String option) {
        return intValue(args, index + 1, option);
    }

    private static List<Integer> cpus(String list) {
        List<Integer> cpus = new ArrayList<>();
        for (String cpu : list.split(",")) {
            try {
                cpus.add(Integer.parseInt(cpu.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--pin-cpus '" + list + "': '" + cpu + "' is not a CPU number");
            }
        }
        return cpus;
    }
}
