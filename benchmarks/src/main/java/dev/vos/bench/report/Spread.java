package dev.vos.bench.report;

import java.util.Arrays;

/**
 * The median and the range of a figure's repeats (or of their paired ratios), as every report of a sitting states
 * a figure: "median [min-max]". NaN for no repeats.
 */
public record Spread(double median, double min, double max) {

    /** The spread of {@code values}, which it does not change. */
    public static Spread of(double[] values) {
        if (values.length == 0) {
            return new Spread(Double.NaN, Double.NaN, Double.NaN);
        }
        double[] s = values.clone();
        Arrays.sort(s);
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        return new Spread(median, s[0], s[s.length - 1]);
    }
}
