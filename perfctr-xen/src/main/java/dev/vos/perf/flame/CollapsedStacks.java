package dev.vos.perf.flame;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stacks with their sample counts in the "collapsed" form that flamegraph.pl, speedscope and inferno read: one
 * line per distinct stack, frames root first separated by ';', a space, the count.
 */
public final class CollapsedStacks {

    private final Map<String, Long> counts = new TreeMap<>();
    private long total;

    /** Adds {@code count} samples of a stack given root first. */
    public void add(List<String> rootFirst, long count) {
        StringBuilder b = new StringBuilder();
        for (String f : rootFirst) {
            if (!b.isEmpty()) {
                b.append(';');
            }
            b.append(clean(f));
        }
        counts.merge(b.toString(), count, Long::sum);
        total += count;
    }

    /** A frame name without the two characters the format reserves (';' separates, a newline ends the line). */
    static String clean(String frame) {
        String f = frame.isEmpty() ? "[unknown]" : frame;
        return f.replace(';', ':').replace('\n', ' ').replace('\r', ' ');
    }

    /** Distinct stacks, each with its count, in sorted order. */
    public Map<String, Long> counts() {
        return java.util.Collections.unmodifiableMap(counts);
    }

    /** Samples in all. */
    public long total() {
        return total;
    }

    /** Writes the collapsed lines. */
    public void write(Writer out) throws IOException {
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            out.write(e.getKey());
            out.write(' ');
            out.write(Long.toString(e.getValue()));
            out.write('\n');
        }
    }

    /** Writes the collapsed lines to a file. */
    public void write(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file)) {
            write(w);
        }
    }

    /** Parses collapsed lines (the inverse of {@link #write}). */
    public static CollapsedStacks parse(List<String> lines) {
        CollapsedStacks s = new CollapsedStacks();
        for (String line : lines) {
            int sp = line.lastIndexOf(' ');
            if (sp <= 0) {
                continue;
            }
            s.add(List.of(line.substring(0, sp).split(";")), Long.parseLong(line.substring(sp + 1).strip()));
        }
        return s;
    }
}
