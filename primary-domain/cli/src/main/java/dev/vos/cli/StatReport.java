package dev.vos.cli;

import dev.vos.perf.EventSpec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * {@code vos perf stat}'s output in perf's layouts (perf 6.1's {@code stat-display.c}): the human one, CSV with
 * {@code -x SEP}, and JSON lines with {@code -j}; each with an interval time in front under {@code -I}, and a
 * thread ("comm-tid") or CPU ("CPU0") label per row under {@code --per-thread} and {@code -A}.
 *
 * <p>The metric column is perf's: "CPUs utilized" for the clocks (their ns over the wall time), and for every other
 * event a rate per second of the row's task-clock (per second of wall time where task-clock is not counted), in
 * /sec, K/sec, M/sec or G/sec.
 */
final class StatReport {

    /** Which layout. */
    enum Style { HUMAN, CSV, JSON }

    /**
     * One counter as perf prints it.
     *
     * @param label      "comm-tid", "CPU0", or null for the whole target
     * @param cpu        the CPU of a per-CPU row (for JSON's "cpu"), or -1
     * @param event      the event
     * @param supported  false: printed as {@code <not supported>}
     * @param value      the count (ns for the clocks), scaled when multiplexed
     * @param runningNs  ns the counter ran (perf's event-runtime)
     * @param pctRunning running / enabled, in percent
     * @param clockNs    the row's task-clock in ns, for the rate of other events (0: use the wall time)
     * @param variancePct with {@code -r}: the relative standard error of the mean, in percent; negative: none
     */
    record Line(String label, int cpu, EventSpec event, boolean supported, double value, long runningNs,
                double pctRunning, double clockNs, double variancePct) {
    }

    private final PrintWriter out;
    private final Style style;
    private final String separator;

    StatReport(PrintWriter out, Style style, String separator) {
        this.out = out;
        this.style = style;
        this.separator = separator;
    }

    /** The column header perf prints once before interval lines (human layout only). */
    void intervalHeader(boolean perThread, boolean perCpu) {
        if (style != Style.HUMAN) {
            return;
        }
        if (perThread) {
            out.println("#           time             comm-pid                  counts unit events");
        } else if (perCpu) {
            out.println("#           time CPU                    counts unit events");
        } else {
            out.println("#           time             counts unit events");
        }
    }

    /** The title of the summary: "Performance counter stats for process id '42':" and blank lines around it. */
    void summaryTitle(String target, int runs) {
        if (style == Style.HUMAN) {
            out.println();
            out.println(" Performance counter stats for " + target + (runs > 1 ? " (" + runs + " runs)" : "") + ":");
            out.println();
        }
    }

    /** The end of the summary: the wall time, with its variation over runs. */
    void summaryEnd(double elapsedSeconds, double elapsedStdErr, int runs) {
        if (style != Style.HUMAN) {
            return;
        }
        out.println();
        if (runs > 1) {
            out.printf(Locale.ROOT, "%18.5f +- %.5f seconds time elapsed  ( +- %5.2f%% )%n", elapsedSeconds,
                    elapsedStdErr, elapsedSeconds > 0 ? 100 * elapsedStdErr / elapsedSeconds : 0);
        } else {
            out.printf(Locale.ROOT, "%18.9f seconds time elapsed%n", elapsedSeconds);
        }
        out.println();
    }

    /** A blank line between blocks (human layout only). */
    void blank() {
        if (style == Style.HUMAN) {
            out.println();
        }
    }

    /** A comment line (human layout only): perf has none of vos's notes, so machine layouts stay pure. */
    void note(String text) {
        if (style == Style.HUMAN) {
            out.println("# " + text);
        }
    }

    /** Prints one counter; {@code intervalSeconds} is the time since start under {@code -I}, else negative. */
    void line(Line l, double intervalSeconds, double wallSeconds) {
        String value = !l.supported ? "<not supported>" : l.event.isClock()
                ? String.format(Locale.ROOT, "%.2f", l.value / 1e6) : String.format(Locale.ROOT, "%.0f", l.value);
        String unit = l.event.isClock() ? "msec" : "";
        double metric;
        String metricUnit;
        if (!l.supported) {
            metric = 0;
            metricUnit = "";
        } else if (l.event.isClock()) {
            metric = wallSeconds > 0 ? l.value / 1e9 / wallSeconds : 0;
            metricUnit = "CPUs utilized";
        } else {
            double per = l.clockNs > 0 ? l.clockNs / 1e9 : wallSeconds;
            double rate = per > 0 ? l.value / per : 0;
            String[] units = {"/sec", "K/sec", "M/sec", "G/sec"};
            int u = 0;
            while (u < 3 && rate >= 1000) {
                rate /= 1000;
                u++;
            }
            metric = rate;
            metricUnit = units[u];
        }
        switch (style) {
            case HUMAN -> human(l, intervalSeconds, value, unit, metric, metricUnit);
            case CSV -> csv(l, intervalSeconds, value, unit, metric, metricUnit);
            case JSON -> json(l, intervalSeconds, value, unit, metric, metricUnit);
            default -> throw new IllegalStateException(style.name());
        }
    }

    private void human(Line l, double at, String value, String unit, double metric, String metricUnit) {
        StringBuilder b = new StringBuilder();
        if (at >= 0) {
            b.append(String.format(Locale.ROOT, "%16.9f ", at));
        }
        if (l.label != null) {
            b.append(labelColumn(l.label));
        }
        b.append(String.format(Locale.ROOT, "%18s %-4s %-32s ", value, unit, l.event.name()));
        if (l.supported) {
            b.append(String.format(Locale.ROOT, "# %8.3f %-23s", metric, metricUnit));
        }
        if (l.variancePct > 0) {
            b.append(String.format(Locale.ROOT, "  ( +- %5.2f%% )", l.variancePct));
        }
        if (l.supported && l.pctRunning < 99.995) {
            b.append(String.format(Locale.ROOT, "  (%.2f%%)", l.pctRunning));
        }
        out.println(b.toString().stripTrailing());
    }

    /** "CPU0   " or the thread's "comm-tid" as perf lays them out. */
    private static String labelColumn(String label) {
        if (label.startsWith("CPU") && label.substring(3).chars().allMatch(Character::isDigit)) {
            return String.format(Locale.ROOT, "CPU%-7s ", label.substring(3));
        }
        int dash = label.lastIndexOf('-');
        return String.format(Locale.ROOT, "%16s-%-8s ", label.substring(0, dash), label.substring(dash + 1));
    }

    private void csv(Line l, double at, String value, String unit, double metric, String metricUnit) {
        StringBuilder b = new StringBuilder();
        String s = separator;
        if (at >= 0) {
            b.append(String.format(Locale.ROOT, "%16.9f", at)).append(s);
        }
        if (l.label != null) {
            b.append(l.label).append(s);
        }
        b.append(value).append(s).append(unit).append(s).append(l.event.name()).append(s);
        if (l.variancePct >= 0) {
            b.append(String.format(Locale.ROOT, "%.2f%%", l.variancePct)).append(s);
        }
        b.append(l.runningNs).append(s).append(String.format(Locale.ROOT, "%.2f", l.pctRunning)).append(s);
        if (l.supported) {
            b.append(String.format(Locale.ROOT, "%.3f", metric)).append(s).append(metricUnit);
        } else {
            b.append(s);
        }
        out.println(b);
    }

    private void json(Line l, double at, String value, String unit, double metric, String metricUnit) {
        StringBuilder b = new StringBuilder("{");
        if (at >= 0) {
            b.append(String.format(Locale.ROOT, "\"interval\" : %.9f, ", at));
        }
        if (l.label != null) {
            b.append(l.cpu >= 0 ? "\"cpu\" : \"" + l.cpu + "\", " : "\"thread\" : " + quote(l.label) + ", ");
        }
        String v = !l.supported ? value : String.format(Locale.ROOT, "%.6f", l.event.isClock() ? l.value / 1e6
                : l.value);
        b.append("\"counter-value\" : ").append(quote(v)).append(", \"unit\" : ").append(quote(unit))
                .append(", \"event\" : ").append(quote(l.event.name()));
        if (l.variancePct >= 0) {
            b.append(String.format(Locale.ROOT, ", \"variance\" : %.2f", l.variancePct));
        }
        b.append(", \"event-runtime\" : ").append(l.runningNs)
                .append(String.format(Locale.ROOT, ", \"pcnt-running\" : %.2f, \"metric-value\" : %.6f",
                        l.pctRunning, metric))
                .append(", \"metric-unit\" : ").append(quote(metricUnit)).append('}');
        out.println(b);
    }

    /** A JSON string literal. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** Prints every line of a block. */
    void lines(List<Line> block, double intervalSeconds, double wallSeconds) {
        block.forEach(l -> line(l, intervalSeconds, wallSeconds));
    }

    void flush() {
        out.flush();
    }
}
