package dev.vos.backend;

import java.util.Locale;
import java.util.Map;

/**
 * Signal names and numbers on Linux x86_64 ({@code signal(7)}), for fault injection and exit reasons. The numbers
 * are compile-time constants, so a backend can switch over them ({@code case Signals.SIGKILL ->}).
 */
public final class Signals {

    /** Hangup. */
    public static final int SIGHUP = 1;
    /** Interrupt from the keyboard. */
    public static final int SIGINT = 2;
    /** Quit from the keyboard (core dump). */
    public static final int SIGQUIT = 3;
    /** Illegal instruction. */
    public static final int SIGILL = 4;
    /** Abort (core dump). */
    public static final int SIGABRT = 6;
    /** Kill: cannot be caught or ignored. */
    public static final int SIGKILL = 9;
    /** User-defined signal 1. */
    public static final int SIGUSR1 = 10;
    /** Invalid memory reference (core dump). */
    public static final int SIGSEGV = 11;
    /** User-defined signal 2. */
    public static final int SIGUSR2 = 12;
    /** Broken pipe. */
    public static final int SIGPIPE = 13;
    /** Timer. */
    public static final int SIGALRM = 14;
    /** Termination: the polite request to stop. */
    public static final int SIGTERM = 15;
    /** Continue if stopped. */
    public static final int SIGCONT = 18;
    /** Stop: cannot be caught or ignored (a stopped domain is a hung one). */
    public static final int SIGSTOP = 19;
    /** Stop typed at the terminal. */
    public static final int SIGTSTP = 20;

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(Map.entry("HUP", SIGHUP),
            Map.entry("INT", SIGINT), Map.entry("QUIT", SIGQUIT), Map.entry("ILL", SIGILL),
            Map.entry("ABRT", SIGABRT), Map.entry("KILL", SIGKILL), Map.entry("SEGV", SIGSEGV),
            Map.entry("PIPE", SIGPIPE), Map.entry("ALRM", SIGALRM), Map.entry("TERM", SIGTERM),
            Map.entry("USR1", SIGUSR1), Map.entry("USR2", SIGUSR2), Map.entry("CONT", SIGCONT),
            Map.entry("STOP", SIGSTOP), Map.entry("TSTP", SIGTSTP));

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
