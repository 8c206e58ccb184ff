package dev.vos.perf.export;

import dev.vos.perf.counting.CounterReading;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.counting.ThreadReading;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;

/**
 * Per-interval JSON Lines: one JSON object per interval and line, so a file cut short by a crash is still readable
 * up to its last whole line. Shape:
 * <pre>
 * {"time":"...","seq":0,"interval_s":1.0,"domain":"","pid":42,"threads_started":3,"threads_ended":0,
 *  "target_exited":false,"collector_cpu_ns":1234,
 *  "threads":[{"tid":43,"thread":"main","ended":false,
 *              "events":{"task-clock":{"delta":1,"total":2,"rate_per_s":1.0,"running_pct":100.0,"running_ns":1}}}],
 *  "process":{"task-clock":{"delta":1,"total":2,"rate_per_s":1.0,"running_pct":100.0,"running_ns":1}}}
 * </pre>
 */
public final class JsonIntervalWriter implements AutoCloseable {

    private final BufferedWriter out;
    private final String domain;

    public JsonIntervalWriter(Path file, String domain) throws IOException {
        this(Files.newBufferedWriter(file), domain);
    }

    /** Writes to {@code out} (standard output, a stream to the host, ...); closing this closes it. */
    public JsonIntervalWriter(Writer out, String domain) {
        this.out = out instanceof BufferedWriter bw ? bw : new BufferedWriter(out);
        this.domain = domain;
    }

    /** Appends one interval as one line. */
    public void write(Interval iv) {
        try {
            out.write(line(iv, domain));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a line of text as is (a stream's header). */
    public void writeLine(String line) {
        try {
            out.write(line);
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One interval as one JSON object, without the line break. */
    public static String line(Interval iv, String domain) {
        StringBuilder b = new StringBuilder(256 + iv.threads().size() * 160);
        b.append("{\"time\":").append(string(iv.at().toString())).append(",\"seq\":").append(iv.sequence())
                .append(",\"interval_s\":").append(num(iv.intervalNs() / 1e9)).append(",\"domain\":")
                .append(string(domain)).append(",\"pid\":").append(iv.pid()).append(",\"threads_started\":")
                .append(iv.threadsStarted()).append(",\"threads_ended\":").append(iv.threadsEnded())
                .append(",\"target_exited\":").append(iv.targetExited()).append(",\"collector_cpu_ns\":")
                .append(iv.collectorCpuNs()).append(",\"threads\":[");
        for (int i = 0; i < iv.threads().size(); i++) {
            ThreadReading t = iv.threads().get(i);
            b.append(i == 0 ? "" : ",").append("{\"tid\":").append(t.tid()).append(",\"thread\":")
                    .append(string(t.name())).append(",\"ended\":").append(t.ended()).append(",\"events\":");
            events(b, t.counters().values());
            b.append('}');
        }
        b.append("],\"process\":");
        events(b, iv.process());
        return b.append('}').toString();
    }

    /** {@code {"task-clock":{"delta":..,"total":..,"rate_per_s":..,"running_pct":..,"running_ns":..},...}}. */
    private static void events(StringBuilder b, Collection<CounterReading> readings) {
        b.append('{');
        int j = 0;
        for (CounterReading r : readings) {
            b.append(j++ == 0 ? "" : ",").append(string(r.event().perfName())).append(":{\"delta\":")
                    .append(r.delta()).append(",\"total\":").append(r.total()).append(",\"rate_per_s\":")
                    .append(num(r.ratePerSecond())).append(",\"running_pct\":")
                    .append(num(r.runningFraction() * 100)).append(",\"running_ns\":").append(r.runningNs())
                    .append('}');
        }
        b.append('}');
    }

    static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "null";
    }

    /** A JSON string literal (RFC 8259 escapes). */
    public static String string(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
