package dev.vos.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders {@code vos ps} rows (tab-separated, as the control plane sends them) as an aligned table. */
public final class PsTable {

    private static final String[] HEADER = {"NAME", "KIND", "STATE", "GEN", "PID", "STANDBY", "FOR", "RESTARTS",
            "LAST EXIT", "REASON"};

    private PsTable() {
    }

    public static String render(List<String> rows, Instant now) {
        List<String[]> cells = new ArrayList<>();
        cells.add(HEADER);
        for (String row : rows) {
            String[] f = row.split("\t", -1);
            cells.add(new String[]{f[0], f[1], f[2], f[3], f[4].equals("-1") ? "-" : f[4],
                    f.length > 9 ? standby(f[9]) : "?", age(Duration.between(Instant.parse(f[5]), now)), f[6],
                    f[7].isEmpty() ? "-" : f[7], f[8].isEmpty() ? "-" : f[8]});
        }
        int[] width = new int[HEADER.length];
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                width[i] = Math.max(width[i], c[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                out.append(i == c.length - 1 ? c[i] : String.format("%-" + width[i] + "s  ", c[i]));
            }
            out.append('\n');
        }
        return out.toString().stripTrailing();
    }

    /**
     * The standby field ({@code NONE}, {@code STARTING 4242}, {@code PARKED 4242}) as the column shows it: {@code -},
     * {@code starting 4242}, {@code parked 4242}. A control plane older than the field sends none: {@code ?}.
     */
    static String standby(String field) {
        return field.equals("NONE") ? "-" : field.toLowerCase(Locale.ROOT);
    }

    /** "4s", "3m12s", "2h05m", "3d04h". */
    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format("%02d", s % 60) + "s";
        }
        if (s < 86400) {
            return (s / 3600) + "h" + String.format("%02d", (s % 3600) / 60) + "m";
        }
        return (s / 86400) + "d" + String.format("%02d", (s % 86400) / 3600) + "h";
    }
}
