package dev.vos.backend;

import java.util.Locale;
import java.util.Map;

/** Signal names and numbers on Linux x86_64, for fault injection and exit reasons. */
public final class Signals {

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(Map.entry("HUP", 1), Map.entry("INT", 2),
            Map.entry("QUIT", 3), Map.entry("ILL", 4), Map.entry("ABRT", 6), Map.entry("KILL", 9),
            Map.entry("SEGV", 11), Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15),
            Map.entry("USR1", 10), Map.entry("USR2", 12), Map.entry("CONT", 18), Map.entry("STOP", 19),
            Map.entry("TSTP", 20));

    private Signals() {
    }

    /** The number of a signal named "KILL", "SIGKILL", "kill" or "9". */
    public static int number(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.startsWith("SIG")) {
            n = n.substring(3);
        }
        Integer number = NUMBERS.get(n);
        if (number != null) {
            return number;
        }
        try {
            int value = Integer.parseInt(n);
            if (value > 0 && value < 65) {
                return value;
            }
        } catch (NumberFormatException e) {
            // fall through to the error
        }
        throw new IllegalArgumentException("unknown signal '" + name + "'; use one of "
                + String.join(", ", NUMBERS.keySet().stream().sorted().toList()) + ", or a number 1..64");
    }

    /** "SIGKILL" for 9, "signal 40" for one without a name here. */
    public static String name(int number) {
        return NUMBERS.entrySet().stream().filter(e -> e.getValue() == number).map(e -> "SIG" + e.getKey())
                .findFirst().orElse("signal " + number);
    }
}
